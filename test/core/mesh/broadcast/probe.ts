import { Plumtree } from '../../../../src/core/mesh/broadcast/plumtree.ts';
import type { PlumtreeConfig } from '../../../../src/core/mesh/broadcast/plumtree-config.ts';
import {
  plumtreeBody,
  type PlumtreeMessage,
  type PlumtreeMessageType,
} from '../../../../src/core/mesh/broadcast/plumtree-messages.ts';
import type { DeliverOutcome } from '../../../../src/core/mesh/broadcast/plumtree-types.ts';
import type { WireValue } from '../../../../src/core/wire/cbor.ts';
import { createRandom } from '../../../../src/lib/random.ts';
import { VirtualClock } from '../../../../src/transport/memory/virtual-clock.ts';

/** A message the probed instance sent, and when. */
export interface Sent {
  readonly to: string;
  readonly atMs: number;
  readonly message: PlumtreeMessage;
}

/** One `Plumtree` on its own, its neighbours played by the test. */
export interface Probe {
  readonly clock: VirtualClock;
  readonly plumtree: Plumtree;
  readonly outbox: Sent[];
  /** `deliver` calls, in order. */
  readonly delivered: { readonly id: Uint8Array; readonly payload: Uint8Array; readonly from: string }[];
  /** Sent messages of `type` (to `to`, if given). */
  sent<T extends PlumtreeMessageType>(type: T, to?: string): Extract<PlumtreeMessage, { type: T }>[];
  /** Hands `message` to the instance as if `from` had sent it, in its wire form. */
  receive(from: string, message: PlumtreeMessage): string | undefined;
  /** Hands any wire value to the instance as if `from` had sent it. */
  receiveRaw(from: string, value: WireValue): string | undefined;
}

/** Settings of `createProbe`. */
export interface ProbeOptions {
  readonly nodeId?: string;
  readonly neighbors?: readonly string[];
  readonly config?: Partial<PlumtreeConfig>;
  /** Answers `deliver`; by default every payload is accepted at once. */
  readonly deliver?: (id: Uint8Array, payload: Uint8Array, from: string) => Promise<DeliverOutcome>;
  readonly lookup?: (id: Uint8Array) => Promise<Uint8Array | undefined>;
}

/** A probe: one instance with `neighbors` (default a, b, c) on a fresh virtual clock. */
export function createProbe(options: ProbeOptions = {}): Probe {
  const clock = new VirtualClock();
  const outbox: Sent[] = [];
  const delivered: Probe['delivered'] = [];
  const deliver = options.deliver ?? (() => Promise.resolve('accepted'));
  const plumtree = new Plumtree(
    {
      nodeId: options.nodeId ?? 'x',
      timers: clock,
      random: createRandom(1),
      send: (to, message) => outbox.push({ to, atMs: clock.nowMs(), message }),
      deliver: (id, payload, from) => {
        delivered.push({ id, payload, from });
        return deliver(id, payload, from);
      },
      lookup: options.lookup ?? (() => Promise.resolve(undefined)),
    },
    options.config ?? {},
  );
  for (const id of options.neighbors ?? ['a', 'b', 'c']) plumtree.addNeighbor(id);
  return {
    clock,
    plumtree,
    outbox,
    delivered,
    sent<T extends PlumtreeMessageType>(type: T, to?: string) {
      return outbox
        .filter((entry) => entry.message.type === type && (to === undefined || entry.to === to))
        .map((entry) => entry.message as Extract<PlumtreeMessage, { type: T }>);
    },
    receive: (from, message) => plumtree.receive(from, plumtreeBody(message)),
    receiveRaw: (from, value) => plumtree.receive(from, value),
  };
}
