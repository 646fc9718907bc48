import { fromBase64Url, toBase64Url } from '../../lib/bytes.ts';
import { publicKeyBytes, sign, signatureBytes, verify } from '../crypto/ed25519.ts';
import { domainHash } from '../crypto/hash.ts';
import { HashDomains, SigningNamespaces } from '../crypto/namespaces.ts';
import { identityIdOf, nodeIdPattern } from '../identity/ids.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../wire/cbor.ts';
import {
  array,
  bytes,
  integer,
  literal,
  object,
  oneOf,
  optional,
  parse,
  text,
  type Infer,
  type Schema,
} from '../wire/schema.ts';
import { groupIdOf, groupIdPattern, groupNonceBytes, type GroupKey } from './group-key.ts';

// Invitations and membership certificates, as in Windows Peer Grouping: an admin signs an
// invitation (`mycel/invite/1`), the joiner signs its acceptance of it (`mycel/membership/1`),
// and the two together are a certificate any member checks offline against the group id.

/** The role an invitation grants. */
export type InvitedRole = 'member' | 'admin';

/** What an admin invites to. */
export interface Invitation {
  /** 16 random bytes, base64url: what revocations and use counts name. */
  readonly id: string;
  readonly groupId: string;
  readonly groupName: string;
  readonly groupKey: GroupKey;
  readonly role: InvitedRole;
  /** Raw public key of the admin who signed it. */
  readonly inviterKey: Uint8Array;
  /** The inviter's display name, as the inviter gave it (shown, never trusted). */
  readonly inviterName: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  /** How many identities may join with it; 0 for no limit. */
  readonly maxUses: number;
  readonly note: string;
  /** Node ids of members that are often online, to dial first. */
  readonly nodes: readonly string[];
  /** The broker's URL when the group does not use the default one. */
  readonly broker?: string;
}

/** An invitation with its signature, as it travels. */
export interface SignedInvitation {
  readonly invitation: Invitation;
  /** Identity id of the inviter. */
  readonly inviterId: string;
  /** The exact signed bytes. */
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

/** Why an invitation or certificate cannot be used. */
export type InvitationProblem = 'malformed' | 'bad-signature' | 'wrong-group';

/** Caps, so a hostile link or record cannot make us decode much. */
export const maxInvitationBytes = 2048;
export const maxGroupNameLength = 64;
export const maxInvitationNoteLength = 200;
export const maxInvitationNodes = 4;
const maxNameLength = 64;
const maxTimeMs = 2 ** 47;

const ms = integer({ min: 0, max: maxTimeMs });
const key = bytes({ length: publicKeyBytes });
const signature = bytes({ length: signatureBytes });
const invitationBody = object({
  v: literal(1),
  id: bytes({ length: 16 }),
  g: text({ maxLength: 33, pattern: groupIdPattern }),
  gn: text({ maxLength: maxGroupNameLength, minLength: 1 }),
  ok: key,
  on: bytes({ length: groupNonceBytes }),
  r: oneOf(literal('member'), literal('admin')),
  ik: key,
  in: text({ maxLength: maxNameLength }),
  c: ms,
  e: ms,
  u: integer({ min: 0, max: 10_000 }),
  t: text({ maxLength: maxInvitationNoteLength }),
  p: array(text({ maxLength: 33, pattern: nodeIdPattern }), { maxItems: maxInvitationNodes }),
  b: optional(text({ maxLength: 256 })),
});
const signedEnvelope = object({ i: bytes({ minLength: 1, maxLength: maxInvitationBytes }), s: signature });
const acceptanceBody = object({ v: literal(1), i: bytes({ length: 32 }), m: key, a: ms });

/** An invitation and the joiner's acceptance of it: what a member record carries. */
export const certificateSchema = object({
  i: bytes({ minLength: 1, maxLength: maxInvitationBytes }),
  s: signature,
  a: bytes({ minLength: 1, maxLength: 256 }),
  as: signature,
});
export type Certificate = Infer<typeof certificateSchema>;

/** What a valid certificate proves. */
export interface CheckedCertificate {
  readonly signed: SignedInvitation;
  /** Identity id of the member it admits. */
  readonly memberId: string;
  readonly acceptedAtMs: number;
}

/** Signs `invitation` with the inviter's private key. */
export async function signInvitation(
  invitation: Invitation,
  signingKey: CryptoKey,
): Promise<SignedInvitation> {
  const body = encodeCbor(invitationToWire(invitation));
  const signed = await sign(signingKey, SigningNamespaces.invite, body);
  return {
    invitation,
    inviterId: await identityIdOf(new Uint8Array(invitation.inviterKey)),
    body,
    signature: signed,
  };
}

/** The join link payload of a signed invitation: URL-safe, for `#join=`. */
export function invitationPayload(signed: SignedInvitation): string {
  return toBase64Url(encodeCbor({ i: signed.body, s: signed.signature }));
}

/**
 * Reads a join link (a whole URL, a `#join=` fragment or the bare payload) and checks its
 * invitation's signature and group id. Expiry, revocation and use counts are the caller's.
 */
export async function readJoinLink(
  link: string,
): Promise<{ ok: true; signed: SignedInvitation } | { ok: false; reason: InvitationProblem }> {
  const payload = /(?:^|[#&])join=([A-Za-z0-9_-]+)/.exec(link.trim())?.[1] ?? link.trim();
  if (payload.length === 0 || payload.length > (maxInvitationBytes * 4) / 3 + 200)
    return { ok: false, reason: 'malformed' };
  if (!/^[A-Za-z0-9_-]+$/.test(payload)) return { ok: false, reason: 'malformed' };
  let decoded: Uint8Array;
  try {
    decoded = fromBase64Url(payload);
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const envelope = decodeChecked(decoded, signedEnvelope);
  if (envelope === undefined) return { ok: false, reason: 'malformed' };
  return checkInvitation(envelope.i, envelope.s);
}

/** Checks a signed invitation's encoding, signature and group id. */
export async function checkInvitation(
  body: Uint8Array,
  invitationSignature: Uint8Array,
): Promise<{ ok: true; signed: SignedInvitation } | { ok: false; reason: InvitationProblem }> {
  const wire = decodeChecked(body, invitationBody);
  if (wire === undefined || wire.c > wire.e) return { ok: false, reason: 'malformed' };
  const invitation = invitationFromWire(wire);
  if ((await groupIdOf(invitation.groupKey)) !== invitation.groupId)
    return { ok: false, reason: 'wrong-group' };
  if (!(await verify(invitation.inviterKey, SigningNamespaces.invite, body, invitationSignature))) {
    return { ok: false, reason: 'bad-signature' };
  }
  const inviterId = await identityIdOf(new Uint8Array(invitation.inviterKey));
  return { ok: true, signed: { invitation, inviterId, body, signature: invitationSignature } };
}

/** An invitation's fields without checking its signature: for records already validated. */
export function readInvitation(body: Uint8Array): Invitation | undefined {
  const wire = decodeChecked(body, invitationBody);
  return wire === undefined ? undefined : invitationFromWire(wire);
}

/** When a certificate's acceptance was made, without checking it: for records already validated. */
export function readAcceptedAtMs(certificate: Certificate): number | undefined {
  return decodeChecked(certificate.a, acceptanceBody)?.a;
}

/** The joiner's half of a certificate: its signed acceptance of `signed`, made at `nowMs`. */
export async function acceptInvitation(
  signed: SignedInvitation,
  member: { readonly publicKey: Uint8Array; readonly signingKey: CryptoKey },
  nowMs: number,
): Promise<Certificate> {
  const accepted = encodeCbor({
    v: 1,
    i: await invitationDigest(signed.body),
    m: member.publicKey,
    a: nowMs,
  });
  const acceptanceSignature = await sign(member.signingKey, SigningNamespaces.membership, accepted);
  return { i: signed.body, s: signed.signature, a: accepted, as: acceptanceSignature };
}

/**
 * Checks a certificate for `groupId`: both signatures, that the acceptance names this
 * invitation, and that it was made while the invitation was valid. Whether the inviter is
 * an admin, and revocations and use counts, depend on the group's records: the caller's.
 */
export async function checkCertificate(
  certificate: Certificate,
  groupId: string,
): Promise<
  | { ok: true; checked: CheckedCertificate }
  | { ok: false; reason: InvitationProblem | 'not-accepted-in-time' }
> {
  const invitation = await checkInvitation(certificate.i, certificate.s);
  if (!invitation.ok) return invitation;
  if (invitation.signed.invitation.groupId !== groupId) return { ok: false, reason: 'wrong-group' };
  const acceptance = decodeChecked(certificate.a, acceptanceBody);
  if (acceptance === undefined) return { ok: false, reason: 'malformed' };
  const digest = await invitationDigest(certificate.i);
  if (!equalDigest(acceptance.i, digest)) return { ok: false, reason: 'malformed' };
  if (!(await verify(acceptance.m, SigningNamespaces.membership, certificate.a, certificate.as))) {
    return { ok: false, reason: 'bad-signature' };
  }
  const { createdAtMs, expiresAtMs } = invitation.signed.invitation;
  if (acceptance.a < createdAtMs || acceptance.a > expiresAtMs)
    return { ok: false, reason: 'not-accepted-in-time' };
  const memberId = await identityIdOf(new Uint8Array(acceptance.m));
  return { ok: true, checked: { signed: invitation.signed, memberId, acceptedAtMs: acceptance.a } };
}

function invitationDigest(body: Uint8Array): Promise<Uint8Array> {
  return domainHash(HashDomains.invitation, body);
}

function equalDigest(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Decodes and checks a small CBOR value; undefined for anything malformed. Never throws. */
export function decodeChecked<T>(
  encoded: Uint8Array,
  schema: Schema<T>,
  maxBytes = maxInvitationBytes * 2,
): T | undefined {
  if (encoded.length > maxBytes) return undefined;
  let value: WireValue;
  try {
    value = decodeCbor(encoded, { maxBytes, maxDepth: 4, maxItems: 64 });
  } catch {
    return undefined;
  }
  const parsed = parse(schema, value);
  return parsed.ok ? parsed.value : undefined;
}

function invitationToWire(invitation: Invitation): WireValue {
  return {
    v: 1,
    id: fromBase64Url(invitation.id),
    g: invitation.groupId,
    gn: invitation.groupName,
    ok: invitation.groupKey.owner,
    on: invitation.groupKey.nonce,
    r: invitation.role,
    ik: invitation.inviterKey,
    in: invitation.inviterName,
    c: invitation.createdAtMs,
    e: invitation.expiresAtMs,
    u: invitation.maxUses,
    t: invitation.note,
    p: [...invitation.nodes],
    ...(invitation.broker === undefined ? {} : { b: invitation.broker }),
  };
}

function invitationFromWire(wire: Infer<typeof invitationBody>): Invitation {
  return {
    id: toBase64Url(wire.id),
    groupId: wire.g,
    groupName: wire.gn,
    groupKey: { owner: wire.ok, nonce: wire.on },
    role: wire.r,
    inviterKey: wire.ik,
    inviterName: wire.in,
    createdAtMs: wire.c,
    expiresAtMs: wire.e,
    maxUses: wire.u,
    note: wire.t,
    nodes: wire.p,
    ...(wire.b === undefined ? {} : { broker: wire.b }),
  };
}
