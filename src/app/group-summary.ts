import type { Group } from '../core/groups/group.ts';
import type { GroupSummary } from './group-types.ts';

/** A group's line in the group list, before unread counts (which need the read marks). */
export function summarize(group: Group, self: string): GroupSummary {
  const info = group.info();
  const members = group.members();
  const messages = group.chat.list();
  const last = [...messages].reverse().find((message) => !message.deleted);
  return {
    id: group.id,
    name: info?.n ?? 'Group',
    description: info?.d ?? '',
    colour: info?.c ?? '#5b6cff',
    role: group.state.roleOf(self),
    memberCount: members.length,
    onlineCount: members.filter((member) => member.online).length,
    unread: 0,
    linked: group.neighbors().length > 0,
    left: false,
    ...(group.refusal === undefined ? {} : { refusal: group.refusal }),
    removed: group.state.removedAtMs(self) !== undefined && !group.state.isMember(self),
    ...(last === undefined
      ? {}
      : {
          lastMessage: {
            authorName: group.state.member(last.authorId)?.name ?? 'Someone',
            text: last.text,
            atMs: last.atMs,
          },
        }),
  };
}
