import type { GraphNodeInfo } from '../graph/graph-types.ts';
import type { GroupMember } from './group-state.ts';

/** A member with whether a node of theirs is online (and not idle), and when one was last seen. */
export type MemberPresence = GroupMember & {
  readonly online: boolean;
  readonly away: boolean;
  readonly lastSeenMs: number | undefined;
};

/** Members with their presence, from the presence of the group's nodes; `self` is online. */
export function withPresence(
  members: readonly GroupMember[],
  nodes: Iterable<GraphNodeInfo>,
  self: string,
  selfAway: boolean,
): MemberPresence[] {
  const known = [...nodes];
  return members.map((member) => {
    const seen = known.filter((node) => node.identityId === member.identityId);
    const online = member.identityId === self || seen.some((node) => node.online);
    const away = member.identityId === self ? selfAway : seen.every((node) => !node.online || node.away);
    const lastSeenMs = seen.length === 0 ? undefined : Math.max(...seen.map((node) => node.lastSeenMs));
    return { ...member, online, away: online && away, lastSeenMs };
  });
}
