import { GroupRecordTypes, targetRecordId, writeData, type InfoData } from './group-records.ts';
import type { GroupState } from './group-state.ts';
import { GroupActionError, type GroupWriter } from './group-writer.ts';

/** What admins do to a group: its info, roles, removals and invitations. */
export class GroupAdmin {
  constructor(
    private readonly writer: GroupWriter,
    private readonly state: GroupState,
  ) {}

  async setInfo(info: InfoData): Promise<void> {
    this.writer.requireAdmin();
    await this.writer.putOwn(GroupRecordTypes.info, 'info', writeData({ n: info.n, d: info.d, c: info.c }));
  }

  async setRole(identityId: string, role: 'admin' | 'member'): Promise<void> {
    this.writer.requireAdmin();
    if (identityId === this.state.ownerId) throw new GroupActionError('The owner’s role cannot change.');
    const id = targetRecordId(GroupRecordTypes.role, identityId);
    await this.writer.putOwn(GroupRecordTypes.role, id, writeData({ r: role }));
  }

  /** Removes a member: their links are refused and their later records rejected. */
  async remove(identityId: string): Promise<void> {
    this.writer.requireAdmin();
    if (identityId === this.state.ownerId) throw new GroupActionError('The owner cannot be removed.');
    const id = targetRecordId(GroupRecordTypes.removal, identityId);
    await this.writer.putOwn(GroupRecordTypes.removal, id, writeData({}));
  }

  /** Publishes an invitation this node signed, so admins see it and can revoke it. */
  async publishInvitation(
    id: string,
    body: Uint8Array,
    signature: Uint8Array,
    expiresAtMs: number,
  ): Promise<void> {
    this.writer.requireAdmin();
    const data = writeData({ i: body, s: signature });
    await this.writer.write(() =>
      this.writer.graph.add({ type: GroupRecordTypes.invitation, id, data, expiresAtMs }),
    );
  }

  /** Withdraws an invitation: joins with it after now are refused by every member. */
  async revokeInvitation(id: string): Promise<void> {
    this.writer.requireAdmin();
    const recordId = targetRecordId(GroupRecordTypes.revocation, id);
    await this.writer.putOwn(GroupRecordTypes.revocation, recordId, writeData({}));
  }
}
