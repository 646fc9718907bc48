import type { GraphRecord } from '../ports.ts';

// The rules every node applies before it replaces a stored record with a newer version, and
// before it takes a record in at all (DESIGN.md, Records; Windows Peer Graphing's record
// update rules). They are plain functions of the records and the time, so every node decides
// the same way and simulations can replay them.

/**
 * How far ahead of this node's clock a record's times may be: ten minutes covers the clocks
 * of ordinary devices (NTP keeps most within seconds; a phone off the network drifts minutes),
 * while a record stamped hours ahead is refused, so it cannot sort after everything for long.
 */
export const defaultMaxClockSkewMs = 10 * 60_000;

/**
 * Why a record cannot replace the stored version of its key:
 * - `other-record`: it has another graph id or record id (a bug in the caller, or an attack);
 * - `stale-version`: its version is lower than the stored one;
 * - `same-version`: its version equals the stored one (see `checkSuccessor` for ties);
 * - `creator-changed`, `type-changed`, `created-changed`: a field that never changes did;
 * - `expiry-shortened`: `expiresAtMs` went down (it may be extended, never shortened);
 * - `undeleted`: the stored version is a tombstone and this one is not (a deletion is final);
 * - `time-went-back`: `modifiedAtMs` is earlier than the stored version's.
 */
export type SuccessorRejectReason =
  | 'other-record'
  | 'stale-version'
  | 'same-version'
  | 'creator-changed'
  | 'type-changed'
  | 'created-changed'
  | 'expiry-shortened'
  | 'undeleted'
  | 'time-went-back';

/**
 * Why a record is not taken in at this time: `expired` (its `expiresAtMs` is now or past) or
 * `from-the-future` (created or modified further ahead of this node's clock than the skew).
 */
export type FreshnessRejectReason = 'expired' | 'from-the-future';

/**
 * Whether `next` may replace `previous`, the version of the same key stored now (undefined when
 * there is none: then any record may be stored). Returns the first broken rule, in the order of
 * `SuccessorRejectReason`, or undefined when `next` is a valid successor.
 *
 * Versions first: a lower version is `stale-version`, an equal one `same-version`. Two versions
 * with the same number are siblings, not successors: the caller keeps the one
 * `compareVersions` prefers and applies none of the other rules between them, so every node
 * keeps the same sibling whatever order they arrived in. The other rules hold only for a
 * higher version. An honest author never breaks them; a dishonest one can only make its own
 * records differ between nodes, since nobody else can sign them.
 */
export function checkSuccessor(
  previous: GraphRecord | undefined,
  next: GraphRecord,
): SuccessorRejectReason | undefined {
  if (previous === undefined) return undefined;
  if (next.graphId !== previous.graphId || next.id !== previous.id) return 'other-record';
  if (next.version < previous.version) return 'stale-version';
  if (next.version === previous.version) return 'same-version';
  if (next.creator !== previous.creator) return 'creator-changed';
  if (next.type !== previous.type) return 'type-changed';
  if (next.createdAtMs !== previous.createdAtMs) return 'created-changed';
  if (next.expiresAtMs < previous.expiresAtMs) return 'expiry-shortened';
  if (previous.deleted && !next.deleted) return 'undeleted';
  if (next.modifiedAtMs < previous.modifiedAtMs) return 'time-went-back';
  return undefined;
}

/**
 * Whether `record` may be taken in at `nowMs`: `expired` if `expiresAtMs <= nowMs`;
 * `from-the-future` if `createdAtMs` or `modifiedAtMs` is after `nowMs + maxClockSkewMs`;
 * otherwise undefined. Apply it to records from peers and files; the node's own clock made
 * its own records.
 */
export function checkFresh(
  record: GraphRecord,
  nowMs: number,
  maxClockSkewMs: number = defaultMaxClockSkewMs,
): FreshnessRejectReason | undefined {
  if (record.expiresAtMs <= nowMs) return 'expired';
  const latestMs = nowMs + maxClockSkewMs;
  if (record.createdAtMs > latestMs || record.modifiedAtMs > latestMs) return 'from-the-future';
  return undefined;
}
