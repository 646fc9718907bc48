import type { Link, SignalMessage } from '../../core/ports.ts';
import { DataChannelLink } from '../data-channel-link.ts';
import { DialError } from '../errors.ts';
import { fingerprintsOf } from '../sdp-fingerprint.ts';

/** Why a transport refused a signal; `RtcTransport.rejections()` counts them by reason. */
export type SignalRejection =
  | 'too-many-calls'
  | 'call-timeout'
  | 'unknown-call'
  | 'unexpected-answer'
  | 'duplicate-call'
  | 'bad-sdp'
  | 'bad-candidate'
  | 'too-many-candidates'
  | 'call-error';

/** Which side of the negotiation this end is: the dialler offers, the answerer answers. */
export type CallRole = 'dialler' | 'answerer';

type CandidateMessage = Extract<SignalMessage, { type: 'candidate' }>;

/**
 * Remote candidates held while the remote description is not yet applied. A real peer sends
 * a few per network interface; the cap bounds what a hostile one can make us hold.
 */
const maxQueuedCandidates = 64;

export interface RtcCallInit {
  readonly remoteNodeId: string;
  readonly callId: string;
  readonly role: CallRole;
  readonly iceServers: readonly RTCIceServer[];
  /** How long the data channel may take to open before the call is given up. */
  readonly timeoutMs: number;
  /** Sends a signal of this call to the remote node; false if it could not be sent. */
  readonly send: (message: SignalMessage) => boolean;
  /** Counts a signal of this call that was refused. */
  readonly refuse: (reason: SignalRejection) => void;
  /** Called once, when the peer connection has closed for good. */
  readonly ended: () => void;
}

/**
 * One WebRTC negotiation and the peer connection it leads to. Both ends create the same
 * pre-negotiated data channel (`id: 0`), so nothing waits for `ondatachannel` and glare
 * between two calls cannot mix their channels up.
 */
export class RtcCall {
  readonly remoteNodeId: string;
  readonly callId: string;
  readonly role: CallRole;
  /** Resolves with the link once the channel opens; rejects with a `DialError` if it never does. */
  readonly opened: Promise<Link>;
  private readonly init: RtcCallInit;
  private readonly pc: RTCPeerConnection;
  private readonly channel: RTCDataChannel;
  private readonly timer: ReturnType<typeof setTimeout>;
  private readonly queuedCandidates: RTCIceCandidateInit[] = [];
  /**
   * Local candidates not sent yet. The answerer holds them until its answer is out, so they
   * cannot overtake it. The dialler holds them until the answer is in: until then no relay
   * knows the way to the answerer and each candidate would flood the mesh like the offer.
   */
  private heldCandidates: SignalMessage[] | undefined = [];
  private remoteDescriptionSet = false;
  private answerReceived = false;
  private link: DataChannelLink | undefined;
  private closed = false;
  private resolveOpened: (link: Link) => void = () => undefined;
  private rejectOpened: (error: Error) => void = () => undefined;

  constructor(init: RtcCallInit) {
    this.init = init;
    this.remoteNodeId = init.remoteNodeId;
    this.callId = init.callId;
    this.role = init.role;
    this.opened = new Promise<Link>((resolve, reject) => {
      this.resolveOpened = resolve;
      this.rejectOpened = reject;
    });
    // The dialler awaits `opened` only after its offer is out; a call that fails sooner must
    // not count as an unhandled rejection in between.
    this.opened.catch(() => undefined);
    this.pc = new RTCPeerConnection({ iceServers: [...init.iceServers] });
    this.channel = this.pc.createDataChannel('mycel', { negotiated: true, id: 0, ordered: true });
    this.timer = setTimeout(() => {
      if (this.role === 'answerer') init.refuse('call-timeout');
      this.fail(new DialError(`${this.remoteNodeId} did not answer in time.`));
    }, init.timeoutMs);
    this.pc.addEventListener('icecandidate', (event) => this.onLocalCandidate(event.candidate));
    this.pc.addEventListener('connectionstatechange', () => this.onConnectionState());
    this.channel.addEventListener('open', () => this.onOpen());
    this.channel.addEventListener('close', () =>
      this.fail(new DialError(`The connection to ${this.remoteNodeId} closed before it opened.`)),
    );
  }

  /** Whether the call is still negotiating: not open, not given up. */
  get pending(): boolean {
    return !this.closed && this.link === undefined;
  }

  /** Dialler: makes the offer and sends it. */
  async sendOffer(): Promise<void> {
    try {
      await this.pc.setLocalDescription();
      this.sendDescription({ type: 'offer', call: this.callId, sdp: this.pc.localDescription?.sdp ?? '' });
    } catch (error) {
      this.fail(new DialError(`Could not make an offer to ${this.remoteNodeId}.`, { cause: error }));
    }
  }

  /** Answerer: applies the remote offer, then answers it. */
  async answerOffer(sdp: string): Promise<void> {
    if (!(await this.applyRemoteDescription({ type: 'offer', sdp }))) return;
    try {
      await this.pc.setLocalDescription();
      this.sendDescription({ type: 'answer', call: this.callId, sdp: this.pc.localDescription?.sdp ?? '' });
    } catch (error) {
      this.fail(new DialError(`Could not answer ${this.remoteNodeId}.`, { cause: error }));
    }
  }

  /** Dialler: applies the answer; a second answer, or any answer to an answerer, is refused. */
  acceptAnswer(sdp: string): void {
    if (this.role !== 'dialler' || this.answerReceived) {
      this.init.refuse('unexpected-answer');
      return;
    }
    this.answerReceived = true;
    this.releaseHeldCandidates();
    void this.applyRemoteDescription({ type: 'answer', sdp });
  }

  /** Applies a remote candidate, or holds it until the remote description is in place. */
  addCandidate(message: CandidateMessage): void {
    const candidate: RTCIceCandidateInit = {
      candidate: message.candidate,
      ...(message.sdpMid === undefined ? {} : { sdpMid: message.sdpMid }),
      ...(message.sdpMLineIndex === undefined ? {} : { sdpMLineIndex: message.sdpMLineIndex }),
    };
    if (this.remoteDescriptionSet) {
      void this.applyCandidate(candidate);
    } else if (this.queuedCandidates.length < maxQueuedCandidates) {
      this.queuedCandidates.push(candidate);
    } else {
      this.init.refuse('too-many-candidates');
    }
  }

  /** Fails the call with `error` if it is still negotiating; an open link is left alone. */
  fail(error: DialError): void {
    if (!this.pending) return;
    this.close();
    this.rejectOpened(error);
  }

  /** Ends the call: closes its link if it opened, otherwise fails it saying `reason`. */
  stop(reason: string): void {
    if (this.link !== undefined) this.link.close(reason);
    else this.fail(new DialError(`The call to ${this.remoteNodeId} ended: ${reason}.`));
  }

  private sendDescription(message: SignalMessage): void {
    if (!this.init.send(message)) {
      this.fail(new DialError(`No route to ${this.remoteNodeId} through the mesh.`));
      return;
    }
    if (this.role === 'answerer') this.releaseHeldCandidates();
  }

  private releaseHeldCandidates(): void {
    const held = this.heldCandidates ?? [];
    this.heldCandidates = undefined;
    for (const candidate of held) this.init.send(candidate);
  }

  private onLocalCandidate(candidate: RTCIceCandidate | null): void {
    // `null`, and an empty candidate in some browsers, only mark the end of gathering.
    if (candidate === null || candidate.candidate === '' || this.closed) return;
    const message: SignalMessage = {
      type: 'candidate',
      call: this.callId,
      candidate: candidate.candidate,
      ...(candidate.sdpMid === null ? {} : { sdpMid: candidate.sdpMid }),
      ...(candidate.sdpMLineIndex === null ? {} : { sdpMLineIndex: candidate.sdpMLineIndex }),
    };
    // A lost candidate is not fatal: others may still connect, and the timeout bounds the call.
    if (this.heldCandidates === undefined) this.init.send(message);
    else this.heldCandidates.push(message);
  }

  private async applyRemoteDescription(description: RTCSessionDescriptionInit): Promise<boolean> {
    try {
      await this.pc.setRemoteDescription(description);
    } catch (error) {
      if (this.pending) {
        this.init.refuse('bad-sdp');
        this.fail(
          new DialError(`${this.remoteNodeId} sent a session description that cannot be used.`, {
            cause: error,
          }),
        );
      }
      return false;
    }
    this.remoteDescriptionSet = true;
    for (const candidate of this.queuedCandidates.splice(0)) void this.applyCandidate(candidate);
    return true;
  }

  private async applyCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      if (this.closed) return;
      this.init.refuse('bad-candidate');
      // Once the link is open a late candidate cannot matter, and `from` is unproven: a
      // relay must not be able to cut an open link with one garbage signal.
      this.fail(
        new DialError(`${this.remoteNodeId} sent an ICE candidate that cannot be used.`, { cause: error }),
      );
    }
  }

  private onOpen(): void {
    if (!this.pending) return;
    clearTimeout(this.timer);
    this.link = new DataChannelLink(
      this.remoteNodeId,
      this.channel,
      () => this.close(),
      () => fingerprintsOf(this.pc),
    );
    this.resolveOpened(this.link);
  }

  private onConnectionState(): void {
    if (this.pc.connectionState !== 'failed') return;
    if (this.link !== undefined) this.link.close('connection failed');
    else this.fail(new DialError(`The connection to ${this.remoteNodeId} failed.`));
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    this.channel.close();
    this.pc.close();
    this.init.ended();
  }
}
