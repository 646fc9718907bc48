import { fromBase64Url, toBase64Url } from '../../lib/bytes.ts';
import { MycelError } from '../../lib/errors.ts';
import { publicKeyBytes, sign, signatureBytes, verify } from '../crypto/ed25519.ts';
import { SigningNamespaces } from '../crypto/namespaces.ts';
import { normalizeDisplayName } from '../identity/display-name.ts';
import { identityIdOf, nodeIdPattern } from '../identity/ids.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../wire/cbor.ts';
import { bytes, integer, object, optional, parse, text, type Infer } from '../wire/schema.ts';

// The "me" contact card of Windows Peer Collaboration: a display name, the identity key, a
// colour and a hint of the node, signed by that key under `mycel/card/1`. The card travels as
// one deterministic CBOR map `{n, k, c, e?, t, s}`; the signature covers the encoding of the
// same map without `s`, which the deterministic codec reproduces bit for bit on any node.

/** The largest card accepted, checked before decoding; a real card is under 500 bytes. */
export const maxCardBytes = 1024;

/** The classifier of an identity's secured peer name, where its node registers. */
export const contactNameClassifier = 'contact';

/** Card colours: `#rrggbb`, lower case, so one colour has one spelling and one signature. */
export const cardColourPattern = /^#[0-9a-f]{6}$/;

/** Link fragments that carry a card: `#/contact/<payload>`. */
const cardFragment = '#/contact/';

// Base64url of `maxCardBytes`: anything longer cannot be a card, whatever it decodes to.
const maxPayloadLength = Math.ceil((maxCardBytes * 4) / 3);
// A whole link is the app's address plus the payload; an address longer than this is no link of ours.
const maxLinkLength = maxPayloadLength + 2048;
const maxTimeMs = 2 ** 47;

const unsignedFields = {
  n: text({ minLength: 1, maxLength: 64 }),
  k: bytes({ length: publicKeyBytes }),
  c: text({ maxLength: 7, pattern: cardColourPattern }),
  e: optional(text({ maxLength: 33, pattern: nodeIdPattern })),
  t: integer({ min: 0, max: maxTimeMs }),
};
const cardSchema = object({ ...unsignedFields, s: bytes({ length: signatureBytes }) });
type WireCard = Infer<typeof cardSchema>;

/** A card whose signature was checked: what a contact is made from. */
export interface VerifiedCard {
  /** The identity id of `publicKey`. */
  readonly identityId: string;
  readonly displayName: string;
  /** Raw Ed25519 public key, 32 bytes: the key that signed the card. */
  readonly publicKey: Uint8Array;
  /** `#rrggbb`. */
  readonly colour: string;
  /** The node the card was made on, to try when the contact's name does not resolve. */
  readonly nodeHint?: string;
  readonly issuedAtMs: number;
  /** The card's exact bytes, signature included: what is stored and sent on. */
  readonly bytes: Uint8Array;
}

/** The identity a card is made for: its key, the key that signs, and its name. */
export interface CardOwner {
  readonly publicKey: Uint8Array;
  readonly signingKey: CryptoKey;
  readonly displayName: string;
}

/** Why a card was refused, as a stable code. */
export type CardProblem = 'malformed' | 'bad-signature' | 'too-large';

const problemMessages: Readonly<Record<CardProblem, string>> = {
  malformed: 'This is not a Mycel contact card, or part of it is missing.',
  'bad-signature': 'This contact card was changed after it was made, so it cannot be trusted.',
  'too-large': 'This is too long to be a Mycel contact card.',
};

/** A contact card (or a link to one) that cannot be used; `problem` says why. */
export class CardError extends MycelError {
  override name = 'CardError';
  readonly problem: CardProblem;

  constructor(problem: CardProblem) {
    super(problemMessages[problem], {
      hint: 'Ask the person to share their card again, and copy the whole link.',
    });
    this.problem = problem;
  }
}

/** The secured peer name an identity's node registers, so contacts find it wherever it is. */
export function contactPeerName(identityId: string): string {
  return `${identityId}.${contactNameClassifier}`;
}

/**
 * Makes and signs `owner`'s card. The display name is normalised (throws
 * `InvalidDisplayNameError` if it cannot be) and the colour lower-cased; throws `RangeError`
 * for a colour that is not `#rrggbb` or a node id that is not one.
 */
export async function createCard(
  owner: CardOwner,
  colour: string,
  nodeId?: string,
  issuedAtMs: number = Date.now(),
): Promise<VerifiedCard> {
  const c = colour.toLowerCase();
  if (!cardColourPattern.test(c)) throw new RangeError(`A card colour is #rrggbb, not ${colour}.`);
  if (nodeId !== undefined && !nodeIdPattern.test(nodeId)) throw new RangeError(`Not a node id: ${nodeId}.`);
  const unsigned: Record<string, WireValue> = {
    n: normalizeDisplayName(owner.displayName),
    k: new Uint8Array(owner.publicKey),
    c,
    t: Math.floor(issuedAtMs),
  };
  if (nodeId !== undefined) unsigned['e'] = nodeId;
  const s = await sign(owner.signingKey, SigningNamespaces.contactCard, encodeCbor(unsigned));
  const checked = await checkCard(encodeCbor({ ...unsigned, s }));
  // A card this code just made fails only if the owner's keys do not belong together.
  if (!checked.ok) throw new CardError(checked.problem);
  return checked.card;
}

/**
 * Checks a card's size, encoding, fields and signature. Never throws: the receive path and
 * name records hand it whatever a peer sent.
 */
export async function checkCard(
  cardBytes: Uint8Array,
): Promise<{ ok: true; card: VerifiedCard } | { ok: false; problem: CardProblem }> {
  if (cardBytes.length > maxCardBytes) return { ok: false, problem: 'too-large' };
  let decoded: WireValue;
  try {
    decoded = decodeCbor(cardBytes, { maxBytes: maxCardBytes, maxDepth: 2, maxItems: 16 });
  } catch {
    // Any decoding failure means the same to a person: not a card.
    return { ok: false, problem: 'malformed' };
  }
  const parsed = parse(cardSchema, decoded);
  if (!parsed.ok || !isNormalName(parsed.value.n)) return { ok: false, problem: 'malformed' };
  const { s, ...unsigned } = parsed.value;
  const publicKey = new Uint8Array(unsigned.k);
  if (!(await verify(publicKey, SigningNamespaces.contactCard, encodeCbor(unsigned), s))) {
    return { ok: false, problem: 'bad-signature' };
  }
  return { ok: true, card: await verifiedCard(parsed.value, publicKey, cardBytes) };
}

/** The card of `cardBytes`; throws `CardError` when `checkCard` refuses it. */
export async function readCard(cardBytes: Uint8Array): Promise<VerifiedCard> {
  const checked = await checkCard(cardBytes);
  if (!checked.ok) throw new CardError(checked.problem);
  return checked.card;
}

/** The link that shares a card: this app's address with `#/contact/<base64url of the card>`. */
export function cardLink(cardBytes: Uint8Array, origin: URL): string {
  const base = new URL(origin.href);
  base.hash = '';
  base.search = '';
  return `${base.href}${cardFragment}${cardPayload(cardBytes)}`;
}

/** A card's bytes as link text (unpadded base64url), as in a card link and the contacts file. */
export function cardPayload(cardBytes: Uint8Array): string {
  return toBase64Url(cardBytes);
}

/**
 * Reads a card from a whole card link or its bare payload, and checks it. Throws `CardError`
 * (`too-large` before decoding anything long, `malformed`, `bad-signature`).
 */
export async function readCardLink(linkOrPayload: string): Promise<VerifiedCard> {
  const input = linkOrPayload.trim();
  if (input.length > maxLinkLength) throw new CardError('too-large');
  const at = input.lastIndexOf(cardFragment);
  const payload = at === -1 ? input : input.slice(at + cardFragment.length);
  if (payload.length > maxPayloadLength) throw new CardError('too-large');
  if (payload.length === 0 || !/^[A-Za-z0-9_-]+$/.test(payload)) throw new CardError('malformed');
  let cardBytes: Uint8Array;
  try {
    cardBytes = fromBase64Url(payload);
  } catch {
    // The pattern above lets through only lengths base64url cannot have: not a card.
    throw new CardError('malformed');
  }
  return readCard(cardBytes);
}

function isNormalName(name: string): boolean {
  try {
    return normalizeDisplayName(name) === name;
  } catch {
    // normalizeDisplayName throws for names no card may carry: refused, not an error here.
    return false;
  }
}

async function verifiedCard(
  wire: WireCard,
  publicKey: Uint8Array<ArrayBuffer>,
  cardBytes: Uint8Array,
): Promise<VerifiedCard> {
  return {
    identityId: await identityIdOf(publicKey),
    displayName: wire.n,
    publicKey,
    colour: wire.c,
    ...(wire.e === undefined ? {} : { nodeHint: wire.e }),
    issuedAtMs: wire.t,
    bytes: new Uint8Array(cardBytes),
  };
}
