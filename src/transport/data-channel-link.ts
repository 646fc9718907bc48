import { TypedEventTarget } from '../lib/events.ts';
import type { DtlsFingerprints, Link, LinkEvents } from '../core/ports.ts';
import { LinkClosedError } from './errors.ts';

/**
 * Bytes allowed in the channel's send buffer before `send` waits. Chromium closes a channel
 * whose buffer passes 16 MiB; 256 KiB keeps the pipe full without queueing seconds of data.
 */
export const highWaterBytes = 256 * 1024;
/** `bufferedamountlow` fires when the buffer drains to this. */
export const lowWaterBytes = 64 * 1024;

/**
 * A `Link` over one ordered, reliable RTCDataChannel. Sends are queued in order and paced
 * by `bufferedamountlow`, never by polling.
 */
export class DataChannelLink extends TypedEventTarget<LinkEvents> implements Link {
  readonly remoteNodeId: string;
  private readonly fingerprints: () => DtlsFingerprints | undefined;
  private readonly channel: RTCDataChannel;
  private readonly release: () => void;
  private sendQueue: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * Read from the connection each time: a channel can open a moment before its answer's
   * description is readable (the answer is applied in a later task than the DTLS handshake).
   */
  get dtlsFingerprints(): DtlsFingerprints | undefined {
    return this.fingerprints();
  }

  /**
   * `release` frees whatever owns the channel (its RTCPeerConnection) once the link closes;
   * `fingerprints` reads the connection's DTLS fingerprints, undefined while not known.
   */
  constructor(
    remoteNodeId: string,
    channel: RTCDataChannel,
    release: () => void,
    fingerprints: () => DtlsFingerprints | undefined,
  ) {
    super();
    this.remoteNodeId = remoteNodeId;
    this.fingerprints = fingerprints;
    this.channel = channel;
    this.release = release;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = lowWaterBytes;
    channel.addEventListener('message', (event: MessageEvent<unknown>) => {
      if (event.data instanceof ArrayBuffer) this.emit('message', new Uint8Array(event.data));
    });
    channel.addEventListener('close', () => this.finish('closed by the other side'));
    channel.addEventListener('error', () => this.finish('channel error'));
  }

  get open(): boolean {
    return !this.closed && this.channel.readyState === 'open';
  }

  send(message: Uint8Array): Promise<void> {
    const sent = this.sendQueue.then(() => this.sendInOrder(message));
    this.sendQueue = sent.catch(() => undefined);
    return sent;
  }

  close(reason = 'closed'): void {
    this.finish(reason);
  }

  private async sendInOrder(message: Uint8Array): Promise<void> {
    while (this.open && this.channel.bufferedAmount > highWaterBytes - message.byteLength) {
      await this.drained();
    }
    if (!this.open) throw new LinkClosedError(this.remoteNodeId);
    this.channel.send(message as Uint8Array<ArrayBuffer>);
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.channel.removeEventListener('bufferedamountlow', done);
        this.channel.removeEventListener('close', done);
        resolve();
      };
      this.channel.addEventListener('bufferedamountlow', done);
      this.channel.addEventListener('close', done);
    });
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.channel.close();
    this.release();
    this.emit('close', { reason });
  }
}
