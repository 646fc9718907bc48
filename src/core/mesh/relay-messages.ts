import type { SignalMessage } from '../ports.ts';
import type { WireValue } from '../wire/cbor.ts';
import {
  bytes,
  integer,
  literal,
  object,
  optional,
  parse,
  text,
  type ParseResult,
  type Schema,
} from '../wire/schema.ts';
import { nodeIdPattern } from './membership/messages.ts';

/** Protocol name of relayed signalling frames. */
export const relayProtocol = 'mycel/relay';

/** The most hops a relayed signal may travel; a walk in a degree-5 mesh reaches far within it. */
export const maxRelayHops = 8;

/** Length of a relayed message's id, which relays use to drop the copies a flood brings. */
export const relayIdLength = 12;

const nodeId = text({ minLength: 1, maxLength: 64, pattern: nodeIdPattern });
const call = text({ minLength: 1, maxLength: 32, pattern: /^[A-Za-z0-9_-]+$/ });
// An SDP for one data channel, without candidates (they trickle), is about a kilobyte.
const sdp = text({ minLength: 1, maxLength: 8 * 1024 });

const signalSchemas = {
  offer: object({ type: literal('offer'), call, sdp }),
  answer: object({ type: literal('answer'), call, sdp }),
  candidate: object({
    type: literal('candidate'),
    call,
    candidate: text({ maxLength: 1024 }),
    sdpMid: optional(text({ maxLength: 32 })),
    sdpMLineIndex: optional(integer({ min: 0, max: 63 })),
  }),
} as const;

/** A signal of any type, checked against the schema its `type` names. */
const signalSchema: Schema<SignalMessage> = {
  check: (value, path): ParseResult<SignalMessage> => {
    const type =
      typeof value === 'object' && value !== null && Object.hasOwn(value, 'type')
        ? (value as { type: unknown }).type
        : undefined;
    if (type !== 'offer' && type !== 'answer' && type !== 'candidate') {
      return { ok: false, reason: 'no-match', path: `${path}.type` };
    }
    const schema: Schema<SignalMessage> = signalSchemas[type];
    return schema.check(value, path);
  },
};

const envelopeSchema = object({
  id: bytes({ length: relayIdLength }),
  from: nodeId,
  to: nodeId,
  hops: integer({ min: 0, max: maxRelayHops }),
  signal: signalSchema,
});

/** One relayed signal: who it is from and for, and how many more hops it may take. */
export interface RelayEnvelope {
  readonly id: Uint8Array;
  readonly from: string;
  readonly to: string;
  readonly hops: number;
  readonly signal: SignalMessage;
}

/** Checks a decoded relay body; the reason is for the rejection counters. */
export function parseRelayEnvelope(
  body: WireValue,
): { ok: true; value: RelayEnvelope } | { ok: false; reason: string } {
  const result = parse(envelopeSchema, body);
  return result.ok ? { ok: true, value: result.value } : { ok: false, reason: `bad-relay:${result.reason}` };
}

/** The wire body of `envelope`. */
export function relayBody(envelope: RelayEnvelope): WireValue {
  const { signal } = envelope;
  const wireSignal: Record<string, WireValue> = { ...signal };
  return { id: envelope.id, from: envelope.from, to: envelope.to, hops: envelope.hops, signal: wireSignal };
}
