import { toBase64Url } from '../../lib/bytes.ts';
import { TypedEventTarget } from '../../lib/events.ts';
import type {
  Link,
  SignalMessage,
  Signaller,
  Transport,
  TransportEvents,
  TransportStatus,
} from '../../core/ports.ts';
import { DialError } from '../errors.ts';
import { RtcCall, type CallRole, type SignalRejection } from './rtc-call.ts';

export interface RtcTransportInit {
  readonly nodeId: string;
  /** Carries offers, answers and candidates to the other node, usually over the mesh. */
  readonly signaller: Signaller;
  readonly iceServers: readonly RTCIceServer[];
  /** How long a call, dialled or answered, may take to open before it is given up. */
  readonly dialTimeoutMs?: number;
  /** Offers answered at once; further offers are refused until one opens or gives up. */
  readonly maxIncomingCalls?: number;
}

/** 12 random bytes: 16 base64url characters, far beyond any chance of two calls colliding. */
const callIdBytes = 12;
/**
 * Ended calls remembered so that a replayed offer is refused instead of answered again. A
 * replay older than this many calls costs one peer connection until its timeout.
 */
const rememberedEndedCalls = 1024;

/** The key of a call: calls are told apart by the remote node and the call id together. */
function callKey(remoteNodeId: string, callId: string): string {
  return JSON.stringify([remoteNodeId, callId]);
}

/**
 * Links on plain RTCPeerConnections whose offer, answer and ICE candidates travel through a
 * `Signaller`, so that once a node is in the mesh it can link to others without the broker.
 * Signals are hostile input: a bad one is counted under `rejections()` and dropped, never thrown.
 */
export class RtcTransport extends TypedEventTarget<TransportEvents> implements Transport {
  readonly nodeId: string;
  private readonly init: RtcTransportInit;
  private readonly calls = new Map<string, RtcCall>();
  private readonly endedCalls = new Set<string>();
  private readonly refused = new Map<string, number>();
  private currentStatus: TransportStatus = { state: 'offline', reason: 'not started' };
  private unsubscribe: (() => void) | undefined;

  constructor(init: RtcTransportInit) {
    super();
    this.nodeId = init.nodeId;
    this.init = init;
  }

  get status(): TransportStatus {
    return this.currentStatus;
  }

  /** Starts answering signals; the transport is online at once, since the mesh carries them. */
  start(): Promise<void> {
    if (this.unsubscribe === undefined) {
      this.unsubscribe = this.init.signaller.on('signal', ({ from, message }) =>
        this.onSignal(from, message),
      );
      this.setStatus({ state: 'online' });
    }
    return Promise.resolve();
  }

  async dial(nodeId: string, signal?: AbortSignal): Promise<Link> {
    if (this.unsubscribe === undefined) throw new DialError('The mesh transport is not running.');
    const cancelled = (): DialError => new DialError(`Dialling ${nodeId} was cancelled.`);
    if (signal?.aborted === true) throw cancelled();
    const callId = toBase64Url(crypto.getRandomValues(new Uint8Array(callIdBytes)));
    let call: RtcCall;
    try {
      call = this.openCall(nodeId, callId, 'dialler');
    } catch (error) {
      throw new DialError('This browser refused to open another WebRTC connection.', { cause: error });
    }
    const onAbort = (): void => call.fail(cancelled());
    signal?.addEventListener('abort', onAbort);
    try {
      await call.sendOffer();
      return await call.opened;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes every call and link and stops answering signals. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    for (const call of [...this.calls.values()]) call.stop('stopped');
    this.setStatus({ state: 'offline', reason: 'stopped' });
  }

  /** How many signals were refused, by reason (`bad-sdp`, `unknown-call`, …). */
  rejections(): Record<string, number> {
    return Object.fromEntries(this.refused);
  }

  private onSignal(from: string, message: SignalMessage): void {
    try {
      this.handleSignal(from, message);
    } catch {
      // Only creating a peer connection can throw here (the browser refusing one more); the
      // signaller must never see it, so it is counted like any other refusal.
      this.refuse('call-error');
    }
  }

  private handleSignal(from: string, message: SignalMessage): void {
    const key = callKey(from, message.call);
    const call = this.calls.get(key);
    switch (message.type) {
      case 'offer':
        this.answerOffer(from, message.call, message.sdp, key, call);
        return;
      case 'answer':
        if (call === undefined) this.refuse('unknown-call');
        else call.acceptAnswer(message.sdp);
        return;
      case 'candidate':
        // Candidates keep trickling for a moment after a call ends (a one-message link closes
        // at once): those of a call that did exist are late, not hostile.
        if (call !== undefined) call.addCandidate(message);
        else if (!this.endedCalls.has(key)) this.refuse('unknown-call');
        return;
    }
  }

  private answerOffer(
    from: string,
    callId: string,
    sdp: string,
    key: string,
    known: RtcCall | undefined,
  ): void {
    if (known !== undefined || this.endedCalls.has(key)) {
      this.refuse('duplicate-call');
      return;
    }
    const answering = [...this.calls.values()].filter((call) => call.role === 'answerer' && call.pending);
    if (answering.length >= (this.init.maxIncomingCalls ?? 16)) {
      this.refuse('too-many-calls');
      return;
    }
    const call = this.openCall(from, callId, 'answerer');
    call.opened.then(
      (link) => this.emit('link', link),
      // The call has already been counted (bad SDP, timeout) or had no route back.
      () => undefined,
    );
    void call.answerOffer(sdp);
  }

  private openCall(remoteNodeId: string, callId: string, role: CallRole): RtcCall {
    const key = callKey(remoteNodeId, callId);
    const call = new RtcCall({
      remoteNodeId,
      callId,
      role,
      iceServers: this.init.iceServers,
      timeoutMs: this.init.dialTimeoutMs ?? 15_000,
      send: (message) => this.init.signaller.send(remoteNodeId, message),
      refuse: (reason) => this.refuse(reason),
      ended: () => this.forget(key),
    });
    this.calls.set(key, call);
    return call;
  }

  private forget(key: string): void {
    this.calls.delete(key);
    this.endedCalls.add(key);
    if (this.endedCalls.size > rememberedEndedCalls) {
      const oldest = this.endedCalls.values().next();
      if (oldest.done !== true) this.endedCalls.delete(oldest.value);
    }
  }

  private refuse(reason: SignalRejection): void {
    this.refused.set(reason, (this.refused.get(reason) ?? 0) + 1);
  }

  private setStatus(status: TransportStatus): void {
    this.currentStatus = status;
    this.emit('status', status);
  }
}
