import { equalBytes } from '../../lib/bytes.ts';
import { publicKeyBytes, sign, signatureBytes, verify } from '../crypto/ed25519.ts';
import { SigningNamespaces } from '../crypto/namespaces.ts';
import { nodeIdOf, nodeSaltBytes } from '../identity/ids.ts';
import type { DtlsFingerprints } from '../ports.ts';
import { linkChallenge, linkNonceBytes } from './link-challenge.ts';

/** First handshake message: who I claim to be, and my fresh nonce. */
export interface LinkHello {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly nodeSalt: Uint8Array;
  readonly nonce: Uint8Array;
}

/** Second handshake message: my signature over the link challenge. */
export interface LinkProof {
  readonly signature: Uint8Array;
}

/** Why a handshake failed; each is counted by the mesh. */
export type LinkRejection =
  | 'malformed-hello'
  | 'malformed-proof'
  | 'node-id-mismatch'
  | 'wrong-node'
  | 'same-node'
  | 'out-of-order'
  | 'bad-signature';

/** This node, as the handshake needs it. */
export interface LinkSelf {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly nodeSalt: Uint8Array;
  readonly signingKey: CryptoKey;
}

/** The other end once its proof checked out. */
export interface AuthenticatedPeer {
  readonly nodeId: string;
  readonly publicKey: Uint8Array;
  readonly nodeSalt: Uint8Array;
}

export type HandshakeStep<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: LinkRejection };

/**
 * One side of the link handshake (DESIGN.md, Links). Each side sends `hello()`; on the
 * other's hello it answers with a proof, a signature over `linkChallenge` that binds both
 * node ids, both nonces and both DTLS fingerprints; on the other's proof the link is
 * authenticated. Nothing else may cross the link before that. Rejections are returned,
 * never thrown, so a hostile peer cannot break the receive loop.
 */
export class LinkHandshake {
  private readonly self: LinkSelf;
  private readonly expectedNodeId: string;
  private readonly fingerprints: DtlsFingerprints;
  private readonly nonce = crypto.getRandomValues(new Uint8Array(linkNonceBytes));
  private theirs: LinkHello | undefined;

  /**
   * `expectedNodeId` is who the transport says is at the other end; `fingerprints` are this
   * side's view of the link's DTLS certificates.
   */
  constructor(self: LinkSelf, expectedNodeId: string, fingerprints: DtlsFingerprints) {
    this.self = self;
    this.expectedNodeId = expectedNodeId;
    this.fingerprints = fingerprints;
  }

  hello(): LinkHello {
    const { nodeId, publicKey, nodeSalt } = this.self;
    return { nodeId, publicKey, nodeSalt, nonce: this.nonce };
  }

  /** Checks the other side's hello and returns the proof to send back. */
  async receiveHello(hello: LinkHello): Promise<HandshakeStep<LinkProof>> {
    if (this.theirs !== undefined) return { ok: false, reason: 'out-of-order' };
    if (
      hello.publicKey.length !== publicKeyBytes ||
      hello.nodeSalt.length !== nodeSaltBytes ||
      hello.nonce.length !== linkNonceBytes
    ) {
      return { ok: false, reason: 'malformed-hello' };
    }
    if (hello.nodeId !== this.expectedNodeId) return { ok: false, reason: 'wrong-node' };
    if (hello.nodeId === this.self.nodeId || equalBytes(hello.nonce, this.nonce))
      return { ok: false, reason: 'same-node' };
    if ((await nodeIdOf(hello.publicKey, hello.nodeSalt)) !== hello.nodeId)
      return { ok: false, reason: 'node-id-mismatch' };
    this.theirs = hello;
    const challenge = linkChallenge(
      { nodeId: this.self.nodeId, nonce: this.nonce, fingerprint: this.fingerprints.local },
      { nodeId: hello.nodeId, nonce: hello.nonce, fingerprint: this.fingerprints.remote },
    );
    return {
      ok: true,
      value: { signature: await sign(this.self.signingKey, SigningNamespaces.link, challenge) },
    };
  }

  /** Checks the other side's proof; on success the link is authenticated. */
  async receiveProof(proof: LinkProof): Promise<HandshakeStep<AuthenticatedPeer>> {
    const theirs = this.theirs;
    if (theirs === undefined) return { ok: false, reason: 'out-of-order' };
    if (proof.signature.length !== signatureBytes) return { ok: false, reason: 'malformed-proof' };
    const challenge = linkChallenge(
      { nodeId: theirs.nodeId, nonce: theirs.nonce, fingerprint: this.fingerprints.remote },
      { nodeId: this.self.nodeId, nonce: this.nonce, fingerprint: this.fingerprints.local },
    );
    if (!(await verify(theirs.publicKey, SigningNamespaces.link, challenge, proof.signature))) {
      return { ok: false, reason: 'bad-signature' };
    }
    return {
      ok: true,
      value: { nodeId: theirs.nodeId, publicKey: theirs.publicKey, nodeSalt: theirs.nodeSalt },
    };
  }
}
