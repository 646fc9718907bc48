import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { App } from '../app/app.ts';
import { joinLinkOf } from '../app/app.ts';
import type { ChatMessage } from '../core/groups/chat-log.ts';
import type { Group } from '../core/groups/group.ts';
import { invitationPayload } from '../core/groups/invitation.ts';
import type { ChatMessageView, InvitationView, MemberView } from '../components/chat-types.ts';
import type { FileView } from '../components/file-types.ts';
import type { FileService } from '../app/file-service.ts';

/** Longest quote of a replied-to message. */
const excerptLength = 80;

/**
 * Follows one group for a view: re-renders the host when the group changes and turns its
 * records into the components' view models, rebuilt only when their part changed.
 */
export class GroupController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly source: () => { app: App | undefined; groupId: string };
  private group: Group | undefined;
  private offs: (() => void)[] = [];
  private messageViews: ChatMessageView[] | undefined;
  private memberViews: MemberView[] | undefined;

  constructor(host: ReactiveControllerHost, source: () => { app: App | undefined; groupId: string }) {
    this.host = host;
    this.source = source;
    host.addController(this);
  }

  get value(): Group | undefined {
    return this.group;
  }

  hostConnected(): void {
    this.follow();
  }

  hostUpdate(): void {
    const { app, groupId } = this.source();
    if (app?.groups?.group(groupId) !== this.group) this.follow();
  }

  hostDisconnected(): void {
    for (const off of this.offs.splice(0)) off();
    this.group = undefined;
  }

  get messages(): readonly ChatMessageView[] {
    const group = this.group;
    if (group === undefined) return [];
    this.messageViews ??= messageViews(group, this.source().app?.groups?.files);
    return this.messageViews;
  }

  get members(): readonly MemberView[] {
    const group = this.group;
    if (group === undefined) return [];
    this.memberViews ??= group.members().map((member) => ({
      identityId: member.identityId,
      name: member.name,
      role: member.role,
      presence: member.online ? (member.away ? 'away' : 'online') : 'offline',
      ...(member.lastSeenMs === undefined ? {} : { lastSeenMs: member.lastSeenMs }),
      self: member.identityId === group.self,
    }));
    return this.memberViews;
  }

  invitations(origin: URL): InvitationView[] {
    const group = this.group;
    if (group === undefined) return [];
    return group.state
      .invitations()
      .filter((entry) => entry.creator === group.self || group.state.isAdmin(group.self))
      .map(({ invitation, body, signature, used, revoked, creator }) => ({
        id: invitation.id,
        role: invitation.role,
        expiresAtMs: invitation.expiresAtMs,
        maxUses: invitation.maxUses,
        used,
        note: invitation.note,
        revoked,
        link: joinLinkOf(origin, invitationPayload({ invitation, inviterId: creator, body, signature })),
      }));
  }

  private follow(): void {
    for (const off of this.offs.splice(0)) off();
    const { app, groupId } = this.source();
    this.group = app?.groups?.group(groupId);
    this.messageViews = undefined;
    this.memberViews = undefined;
    const group = this.group;
    if (group === undefined) return;
    this.offs.push(
      group.on('changed', () => {
        this.memberViews = undefined;
        this.messageViews = undefined;
        this.host.requestUpdate();
      }),
      group.on('chat', () => {
        this.messageViews = undefined;
        this.host.requestUpdate();
      }),
    );
    const files = app?.groups?.files;
    if (files !== undefined) {
      this.offs.push(
        files.on('changed', () => {
          this.messageViews = undefined;
          this.host.requestUpdate();
        }),
      );
    }
  }
}

/** The message list's view of a group's whole chat, in chat order. */
export function messageViews(group: Group, files?: FileService): ChatMessageView[] {
  const others = group.state
    .members()
    .map((member) => member.identityId)
    .filter((id) => id !== group.self);
  const nameOf = (id: string): string => group.state.nameOf(id) ?? 'Someone';
  return group.chat.list().map((message) => {
    const view = toView(group, message, others, nameOf);
    return message.file === undefined ? view : { ...view, file: fileView(group, message.file, files) };
  });
}

/** The card of a message's file; without file sharing here it can only be described. */
function fileView(group: Group, key: string, files: FileService | undefined): FileView {
  if (files !== undefined) return files.view(group, key);
  const file = group.files.fileByKey(key);
  return {
    contentId: file?.contentId ?? key,
    name: file?.info.name ?? 'File',
    mime: file?.info.mime ?? '',
    sizeBytes: file?.info.size ?? 0,
    state: 'missing',
    doneBytes: 0,
    bytesPerSecond: 0,
    peers: 0,
  };
}

function toView(
  group: Group,
  message: ChatMessage,
  others: readonly string[],
  nameOf: (id: string) => string,
): ChatMessageView {
  const own = message.authorId === group.self;
  const replied = message.replyTo === undefined ? undefined : group.chat.get(message.replyTo);
  const deliveredTo = own ? group.chat.deliveredTo(message.atMs, others) : 0;
  return {
    key: message.key,
    authorId: message.authorId,
    authorName: nameOf(message.authorId),
    text: message.text,
    sentAtMs: message.atMs,
    edited: message.edited,
    deleted: message.deleted,
    own,
    ...(replied === undefined
      ? {}
      : {
          replyTo: {
            key: replied.key,
            authorName: nameOf(replied.authorId),
            excerpt: replied.deleted ? 'Message deleted' : replied.text.slice(0, excerptLength),
          },
        }),
    reactions: [...message.reactions].map(([emoji, people]) => ({
      emoji,
      count: people.size,
      mine: people.has(group.self),
    })),
    ...(own ? { delivery: { state: deliveredTo > 0 ? 'delivered' : 'sent', deliveredTo } } : {}),
  };
}
