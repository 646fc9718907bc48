import type { SignalMessage, Signaller, SignallerEvents } from '../../src/core/ports.ts';
import { TypedEventTarget } from '../../src/lib/events.ts';

/**
 * Sees every signal on its way; returns the message to deliver (the same, or a tampered
 * one), or `undefined` to drop it.
 */
export type SignalTap = (from: string, to: string, message: SignalMessage) => SignalMessage | undefined;

/** One signal the bus carried, as it was sent (before any tap). */
export interface SentSignal {
  readonly from: string;
  readonly to: string;
  readonly message: SignalMessage;
}

class BusSignaller extends TypedEventTarget<SignallerEvents> implements Signaller {
  private readonly bus: SignalBus;
  private readonly nodeId: string;

  constructor(bus: SignalBus, nodeId: string) {
    super();
    this.bus = bus;
    this.nodeId = nodeId;
  }

  send(to: string, message: SignalMessage): boolean {
    return this.bus.carry(this.nodeId, to, message);
  }
}

/**
 * An in-page stand-in for mesh-relayed signalling: every node on the bus can signal every
 * other, one task later, in the order sent. Tests drop or tamper with signals through `tap`
 * and forge them with `inject`.
 */
export class SignalBus {
  /** Every signal sent through the bus, in order. */
  readonly sent: SentSignal[] = [];
  tap: SignalTap | undefined;
  private readonly nodes = new Map<string, BusSignaller>();

  /** The signaller of `nodeId`, created on first use. */
  signallerFor(nodeId: string): Signaller {
    let signaller = this.nodes.get(nodeId);
    if (signaller === undefined) {
      signaller = new BusSignaller(this, nodeId);
      this.nodes.set(nodeId, signaller);
    }
    return signaller;
  }

  /** Delivers `message` to `to` as if `from` had sent it, bypassing the tap. */
  inject(to: string, from: string, message: SignalMessage): void {
    const target = this.nodes.get(to);
    if (target === undefined) throw new Error(`No node ${to} on the bus.`);
    setTimeout(() => target.emit('signal', { from, message }), 0);
  }

  /** Carries a signal from a node's signaller; false when `to` is not on the bus. */
  carry(from: string, to: string, message: SignalMessage): boolean {
    if (!this.nodes.has(to)) return false;
    this.sent.push({ from, to, message });
    const delivered = this.tap === undefined ? message : this.tap(from, to, message);
    if (delivered !== undefined) this.inject(to, from, delivered);
    return true;
  }
}
