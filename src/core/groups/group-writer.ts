import { MycelError } from '../../lib/errors.ts';
import type { StoredRecord } from '../ports.ts';
import type { Graph } from '../graph/graph.ts';
import { recordKey } from '../graph/record-codec.ts';
import type { Timers } from '../mesh/timers.ts';
import type { WireValue } from '../wire/cbor.ts';
import type { GroupState } from './group-state.ts';
import { GroupRecordTypes, writeData } from './group-records.ts';

/** A write the group refused: says why in words for the user. */
export class GroupActionError extends MycelError {
  override name = 'GroupActionError';
}

/** Group records live ten years: history is what a group is for. */
const groupRecordLifetimeMs = 10 * 365 * 24 * 3600_000;

/** This member's writes to the group's graph, refused up front when the group would refuse them. */
export class GroupWriter {
  constructor(
    readonly graph: Graph,
    private readonly state: GroupState,
    readonly self: string,
    private readonly timers: Timers,
  ) {}

  /** Runs a write if this identity is a member; otherwise says why it cannot write. */
  async write(task: () => Promise<StoredRecord>): Promise<StoredRecord> {
    this.requireMember();
    return task();
  }

  /** Throws `GroupActionError` saying why, unless this identity is a member. */
  requireMember(): void {
    if (!this.state.isMember(this.self)) {
      throw new GroupActionError(
        this.state.removedAtMs(this.self) === undefined
          ? 'You are not a member of this group yet.'
          : 'You were removed from this group.',
      );
    }
  }

  /** Adds or updates this node's record `id` of `type`. */
  async putOwn(type: string, id: string, data: Uint8Array): Promise<void> {
    const key = recordKey({ creator: this.self, id });
    const existing = await this.graph.get(key);
    await this.write(() =>
      existing === undefined || existing.record.deleted
        ? this.graph.add({ type, id, data, expiresAtMs: this.foreverMs() })
        : this.graph.update(key, { data }),
    );
  }

  requireAdmin(): void {
    if (!this.state.isAdmin(this.self)) throw new GroupActionError('Only admins can do that.');
  }

  /** The expiry of a record written now. */
  foreverMs(): number {
    return Math.floor(this.timers.nowMs()) + groupRecordLifetimeMs;
  }

  /** Writes this identity's member record: name, node and (unless owner) certificate. */
  async writeMembership(name: string, nodeId: string, certificate?: WireValue): Promise<void> {
    const key = recordKey({ creator: this.self, id: this.self });
    const data = writeData({
      n: name,
      node: nodeId,
      ...(certificate === undefined ? {} : { c: certificate }),
    });
    const existing = await this.graph.get(key);
    if (existing === undefined) {
      await this.graph.add({
        type: GroupRecordTypes.member,
        id: this.self,
        data,
        expiresAtMs: this.foreverMs(),
      });
    } else if (!existing.record.deleted) {
      await this.graph.update(key, { data });
    } else {
      throw new GroupActionError('You left this group.', { hint: 'Ask an admin for a new join link.' });
    }
  }
}
