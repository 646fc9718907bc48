import { expect } from 'chai';
import {
  checkFresh,
  checkSuccessor,
  defaultMaxClockSkewMs,
  type SuccessorRejectReason,
} from '../../../src/core/graph/record-rules.ts';
import type { GraphRecord } from '../../../src/core/ports.ts';

const alice = 'a'.repeat(52);
const bob = 'b'.repeat(52);
const nowMs = 1_700_000_000_000;

/** Version 3 of a record, as a node might have it stored. */
function stored(changes: Partial<GraphRecord> = {}): GraphRecord {
  return {
    graphId: 'team.notes',
    type: 'app/note',
    id: 'AAAAAAAAAAAAAAAAAAAAAA',
    version: 3,
    creator: alice,
    modifiedBy: alice,
    signerKey: new Uint8Array(32).fill(7),
    createdAtMs: nowMs - 60_000,
    modifiedAtMs: nowMs - 30_000,
    expiresAtMs: nowMs + 3_600_000,
    deleted: false,
    attributes: { title: 'Groceries' },
    data: Uint8Array.of(1, 2, 3),
    signature: new Uint8Array(64).fill(9),
    ...changes,
  };
}

/** The honest next version of `stored()`, with `changes` on top. */
function successor(changes: Partial<GraphRecord> = {}): GraphRecord {
  return stored({
    version: 4,
    modifiedAtMs: nowMs,
    data: Uint8Array.of(4),
    attributes: { title: 'Groceries and more' },
    ...changes,
  });
}

describe('checkSuccessor', () => {
  it('accepts any record for a key with nothing stored', () => {
    expect(checkSuccessor(undefined, stored({ version: 17 }))).to.equal(undefined);
  });

  it('accepts an honest update, an extended expiry, a deletion and a skipped version', () => {
    expect(checkSuccessor(stored(), successor())).to.equal(undefined);
    expect(checkSuccessor(stored(), successor({ expiresAtMs: nowMs + 7_200_000 }))).to.equal(undefined);
    const tombstone = successor({ deleted: true, data: new Uint8Array(0), attributes: {} });
    expect(checkSuccessor(stored(), tombstone)).to.equal(undefined);
    expect(checkSuccessor(tombstone, successor({ version: 5, deleted: true }))).to.equal(undefined);
    expect(checkSuccessor(stored(), successor({ version: 9 }))).to.equal(undefined);
    // Another signer is the security provider's business, not a version rule.
    expect(checkSuccessor(stored(), successor({ modifiedBy: bob }))).to.equal(undefined);
    // The same modification time is not going back.
    expect(checkSuccessor(stored(), successor({ modifiedAtMs: nowMs - 30_000 }))).to.equal(undefined);
  });

  it('names every broken rule', () => {
    const cases: readonly [Partial<GraphRecord>, SuccessorRejectReason][] = [
      [{ graphId: 'other.graph' }, 'other-record'],
      [{ id: 'BBBBBBBBBBBBBBBBBBBBBB' }, 'other-record'],
      [{ version: 2 }, 'stale-version'],
      [{ version: 3 }, 'same-version'],
      [{ creator: bob }, 'creator-changed'],
      [{ type: 'app/other' }, 'type-changed'],
      [{ createdAtMs: nowMs - 60_001 }, 'created-changed'],
      [{ createdAtMs: nowMs - 59_999 }, 'created-changed'],
      [{ expiresAtMs: nowMs + 3_599_999 }, 'expiry-shortened'],
      [{ modifiedAtMs: nowMs - 30_001 }, 'time-went-back'],
    ];
    for (const [changes, reason] of cases) {
      expect(checkSuccessor(stored(), successor(changes)), JSON.stringify(changes)).to.equal(reason);
    }
  });

  it('keeps a deletion final', () => {
    const tombstone = stored({ deleted: true, data: new Uint8Array(0), attributes: {} });
    expect(checkSuccessor(tombstone, successor())).to.equal('undeleted');
  });

  it('reports a lower version as stale before anything else is looked at', () => {
    expect(checkSuccessor(stored(), successor({ version: 1, creator: bob, expiresAtMs: 0 }))).to.equal(
      'stale-version',
    );
    expect(checkSuccessor(stored(), successor({ version: 3, type: 'app/other' }))).to.equal('same-version');
  });
});

describe('checkFresh', () => {
  it('accepts a record that is current and within the clock skew', () => {
    expect(checkFresh(stored(), nowMs)).to.equal(undefined);
    const ahead = nowMs + defaultMaxClockSkewMs;
    expect(
      checkFresh(stored({ createdAtMs: ahead, modifiedAtMs: ahead, expiresAtMs: ahead + 1 }), nowMs),
    ).to.equal(undefined);
  });

  it('refuses a record that expires now or has expired', () => {
    expect(checkFresh(stored({ expiresAtMs: nowMs }), nowMs)).to.equal('expired');
    expect(checkFresh(stored({ expiresAtMs: nowMs - 1 }), nowMs)).to.equal('expired');
    expect(checkFresh(stored({ expiresAtMs: nowMs + 1 }), nowMs)).to.equal(undefined);
  });

  it('refuses a record created or modified further ahead than the skew', () => {
    const beyond = nowMs + defaultMaxClockSkewMs + 1;
    const far = beyond + 3_600_000;
    expect(
      checkFresh(stored({ createdAtMs: beyond, modifiedAtMs: beyond, expiresAtMs: far }), nowMs),
    ).to.equal('from-the-future');
    expect(checkFresh(stored({ modifiedAtMs: beyond, expiresAtMs: far }), nowMs)).to.equal('from-the-future');
  });

  it('takes the skew it is given', () => {
    const record = stored({ modifiedAtMs: nowMs + 5_000 });
    expect(checkFresh(record, nowMs, 5_000)).to.equal(undefined);
    expect(checkFresh(record, nowMs, 4_999)).to.equal('from-the-future');
    expect(defaultMaxClockSkewMs).to.equal(600_000);
  });
});
