import { decodeFrame, encodeFrame, type FrameRejectReason } from '../wire/frame.ts';
import { bytes, literal, object, parse, text } from '../wire/schema.ts';
import type { DtlsFingerprints, Link } from '../ports.ts';
import {
  LinkHandshake,
  type AuthenticatedPeer,
  type LinkHello,
  type LinkProof,
  type LinkRejection,
  type LinkSelf,
} from './link-handshake.ts';

/** Protocol name of the handshake frames. */
export const linkProtocol = 'mycel/link';

const helloMessage = object({
  type: literal('hello'),
  nodeId: text({ maxLength: 64 }),
  publicKey: bytes({ length: 32 }),
  nodeSalt: bytes({ length: 16 }),
  nonce: bytes({ length: 32 }),
});
const proofMessage = object({ type: literal('proof'), signature: bytes({ length: 64 }) });

/** Every reason a link is refused before or during its handshake. */
export type LinkAuthRejection =
  | LinkRejection
  | FrameRejectReason
  | 'not-handshake'
  | 'bad-message'
  | 'no-fingerprints'
  | 'timeout'
  | 'closed';

/** A link whose other end proved its identity. */
export interface AuthenticatedLink {
  readonly link: Link;
  readonly peer: AuthenticatedPeer;
  /** Messages that arrived after the peer's proof, before the caller took the link over. */
  readonly pending: readonly Uint8Array[];
}

export type LinkAuthResult =
  | { readonly ok: true; readonly value: AuthenticatedLink }
  | { readonly ok: false; readonly reason: LinkAuthRejection };

export interface AuthenticateLinkOptions {
  readonly timeoutMs?: number;
  /** For transports without DTLS (the in-memory one); WebRTC links bring their own. */
  readonly fingerprints?: DtlsFingerprints;
}

/**
 * Runs the link handshake on a freshly opened link: nothing but handshake frames may cross
 * it until both sides are proven. Any refusal closes the link and resolves with its reason
 * (never throws), so the caller can count it.
 */
export function authenticateLink(
  link: Link,
  self: LinkSelf,
  options: AuthenticateLinkOptions = {},
): Promise<LinkAuthResult> {
  return new Promise<LinkAuthResult>((resolve) => {
    let settled = false;
    let handshake: LinkHandshake | undefined;
    let peer: AuthenticatedPeer | undefined;
    const pending: Uint8Array[] = [];
    // Frames that came before the fingerprints were known: taken in order once they are.
    const early: Uint8Array[] = [];
    let queue = Promise.resolve();
    const finish = (result: LinkAuthResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      offMessage();
      offClose();
      if (!result.ok) link.close(`handshake refused: ${result.reason}`);
      resolve(result);
    };
    const take = (proving: LinkHandshake, message: Uint8Array): void => {
      queue = queue.then(async () => {
        if (settled) return;
        const step = await receive(proving, link, message);
        if (step === 'continue') return;
        if (typeof step === 'string') return finish({ ok: false, reason: step });
        peer = step;
        // Let frames already queued behind the proof land in `pending` before handing over.
        await Promise.resolve();
        finish({ ok: true, value: { link, peer: step, pending } });
      });
    };
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), options.timeoutMs ?? 10_000);
    const offClose = link.on('close', () => finish({ ok: false, reason: 'closed' }));
    const offMessage = link.on('message', (message) => {
      if (peer !== undefined) pending.push(message);
      else if (handshake === undefined) early.push(message);
      else take(handshake, message);
    });
    void fingerprintsOf(link, options).then((fingerprints) => {
      if (settled) return;
      if (fingerprints === undefined) return finish({ ok: false, reason: 'no-fingerprints' });
      const proving = new LinkHandshake(self, link.remoteNodeId, fingerprints);
      handshake = proving;
      for (const message of early.splice(0)) take(proving, message);
      void link.send(helloFrame(proving.hello())).catch(() => finish({ ok: false, reason: 'closed' }));
    });
  });
}

/** How long a link that opened without readable fingerprints is given for them to appear. */
const fingerprintWaitMs = 2_000;
const fingerprintPollMs = 10;

/**
 * The fingerprints the handshake binds: the options' (transports without DTLS), or the link's.
 * A WebRTC channel can open a moment before the answer's description is readable (it is
 * applied in a later task than the DTLS handshake completes), so they are looked for again
 * for a short while before the link is refused.
 */
async function fingerprintsOf(
  link: Link,
  options: AuthenticateLinkOptions,
): Promise<DtlsFingerprints | undefined> {
  const deadline = Date.now() + fingerprintWaitMs;
  for (;;) {
    const found = options.fingerprints ?? link.dtlsFingerprints;
    if (found !== undefined || !link.open || Date.now() >= deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, fingerprintPollMs));
  }
}

/** Handles one handshake frame: 'continue', the authenticated peer, or why it was refused. */
async function receive(
  handshake: LinkHandshake,
  link: Link,
  message: Uint8Array,
): Promise<'continue' | AuthenticatedPeer | LinkAuthRejection> {
  const decoded = decodeFrame(message);
  if (!decoded.ok) return decoded.reason;
  if (decoded.frame.protocol !== linkProtocol || decoded.frame.kind !== 'control') return 'not-handshake';
  const hello = parse(helloMessage, decoded.frame.body);
  if (hello.ok) {
    const step = await handshake.receiveHello(hello.value);
    if (!step.ok) return step.reason;
    try {
      await link.send(proofFrame(step.value));
    } catch {
      return 'closed';
    }
    return 'continue';
  }
  const proof = parse(proofMessage, decoded.frame.body);
  if (!proof.ok) return 'bad-message';
  const step = await handshake.receiveProof(proof.value);
  return step.ok ? step.value : step.reason;
}

function helloFrame({ nodeId, publicKey, nodeSalt, nonce }: LinkHello): Uint8Array {
  return encodeFrame({
    protocol: linkProtocol,
    kind: 'control',
    body: { type: 'hello', nodeId, publicKey, nodeSalt, nonce },
  });
}

function proofFrame({ signature }: LinkProof): Uint8Array {
  return encodeFrame({ protocol: linkProtocol, kind: 'control', body: { type: 'proof', signature } });
}
