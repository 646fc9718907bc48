import { LitElement, html, nothing } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { consume } from '@lit/context';
import { messageOf } from '../lib/errors.ts';
import type { App } from '../app/app.ts';
import { appContext } from '../app/context.ts';
import { StateController } from '../controllers/state-controller.ts';
import { GroupController } from '../controllers/group-controller.ts';
import { FileActions } from '../controllers/file-actions.ts';
import type { Group } from '../core/groups/group.ts';
import { theme } from '../components/theme.ts';
import type { ComposerEdit, ComposerReply, SaveEditDetail, SendDetail } from '../components/chat-composer.ts';
import type { CreateInvitationDetail, RevokeInvitationDetail } from '../components/invitation-form.ts';
import type { MessageKeyDetail, ReactDetail } from '../components/chat-message-list.ts';
import '../components/chat-message-list.ts';
import '../components/chat-composer.ts';
import '../components/member-list.ts';
import '../components/invitation-form.ts';
import '../components/file-drop.ts';
import '../components/file-card.ts';
import { groupViewStyles } from './group-view-styles.ts';

/** Why members refused this node, in words, with what to do. */
function refusalText(reason: string): string {
  const why: Record<string, string> = {
    'invitation-used-up': 'the join link was already used as many times as it allows',
    'invitation-revoked': 'an admin revoked the join link',
    'inviter-not-admin': 'the person who invited you is no longer an admin',
    removed: 'an admin removed you',
  };
  const text = why[reason] ?? `your membership was refused (${reason})`;
  return `Members turned you away: ${text}. Ask an admin for a new join link.`;
}

/** A confirmation the dialog asks for. */
interface Confirmation {
  readonly heading: string;
  readonly text: string;
  readonly action: string;
  readonly run: () => Promise<void>;
}

/** One group: its chat, members, invitations (for admins), and leaving. */
@customElement('mycel-group-view')
export class GroupView extends LitElement {
  static override styles = [theme, groupViewStyles];

  @consume({ context: appContext, subscribe: true }) private app?: App;
  @property() groupId = '';
  @state() private replyTo: ComposerReply | undefined;
  @state() private editing: ComposerEdit | undefined;
  @state() private error = '';
  @state() private latestLink = '';
  @state() private busy = false;
  @state() private confirmation: Confirmation | undefined;
  @query('dialog') private dialog!: HTMLDialogElement;
  private readonly appState = new StateController(this, () => this.app);
  private readonly group = new GroupController(this, () => ({ app: this.app, groupId: this.groupId }));
  private readonly files = new FileActions(
    this,
    () => ({ app: this.app, group: this.group.value }),
    (error) => (this.error = messageOf(error)),
  );
  private readonly onVisible = (): void => this.markRead();

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.onVisible);
  }

  override disconnectedCallback(): void {
    document.removeEventListener('visibilitychange', this.onVisible);
    super.disconnectedCallback();
  }

  override firstUpdated(): void {
    this.app?.openedGroup(this.groupId);
  }

  override updated(): void {
    this.markRead();
  }

  override render() {
    const group = this.group.value;
    const summary = this.appState.value?.groups.find((entry) => entry.id === this.groupId);
    if (group === undefined || summary === undefined) {
      return html`<p role="status">
        This group is not in this browser. <a href="#/groups">Back to your groups</a>
      </p>`;
    }
    const canManage = group.state.isAdmin(group.self);
    const blocked = summary.left
      ? 'You left this group.'
      : summary.removed
        ? 'You were removed from this group.'
        : '';
    return html`<div class="layout">
      <section class="chat" aria-labelledby="group-name">
        <header class="group-header">
          <a href="#/groups" class="back" aria-label="Back to groups">←</a>
          <span class="swatch" style="background:${summary.colour}" aria-hidden="true"></span>
          <div>
            <h1 id="group-name">${summary.name}</h1>
            <p class="status" role="status">${this.statusText(group, summary.linked)}</p>
          </div>
        </header>
        <mycel-file-drop class="drop" ?disabled=${blocked !== '' || !this.files.available}>
          <mycel-chat-message-list
            .messages=${this.group.messages}
            .memberCount=${summary.memberCount}
            @reply=${this.reply}
            @edit=${this.edit}
            @delete=${this.askDelete}
            @react=${this.react}
          ></mycel-chat-message-list>
        </mycel-file-drop>
        ${this.renderPreparing()}
        <p class="error" role="alert">${this.error}</p>
        <mycel-chat-composer
          .replyTo=${this.replyTo}
          .editing=${this.editing}
          ?disabled=${blocked !== ''}
          .disabledReason=${blocked}
          @send=${this.send}
          @save-edit=${this.saveEdit}
          @cancel-reply=${() => (this.replyTo = undefined)}
          @cancel-edit=${() => (this.editing = undefined)}
        ></mycel-chat-composer>
      </section>
      <aside>
        <section class="card" aria-labelledby="members-heading">
          <h2 id="members-heading">Members</h2>
          <mycel-member-list
            .members=${this.group.members}
            .canManage=${canManage && blocked === ''}
            @promote=${(event: CustomEvent<{ identityId: string }>) => this.act(() => group.admin.setRole(event.detail.identityId, 'admin'))}
            @demote=${(event: CustomEvent<{ identityId: string }>) => this.act(() => group.admin.setRole(event.detail.identityId, 'member'))}
            @remove=${(event: CustomEvent<{ identityId: string }>) => this.askRemove(group, event.detail.identityId)}
          ></mycel-member-list>
        </section>
        ${canManage && blocked === '' ? this.renderInvite() : nothing}
        <section class="card" aria-labelledby="leave-heading">
          <h2 id="leave-heading">This browser</h2>
          ${blocked === '' ? html`<button @click=${this.askLeave}>Leave group</button>` : nothing}
          <button class="danger" @click=${this.askDeleteLocal}>Delete local copy</button>
        </section>
      </aside>
      <dialog aria-labelledby="confirm-heading" @close=${() => (this.confirmation = undefined)}>
        ${
          this.confirmation === undefined
            ? nothing
            : html`<h2 id="confirm-heading">${this.confirmation.heading}</h2>
                <p>${this.confirmation.text}</p>
                <div class="row">
                  <button class="danger" @click=${this.confirm}>${this.confirmation.action}</button>
                  <button autofocus @click=${() => this.dialog.close()}>Cancel</button>
                </div>`
        }
      </dialog>
    </div>`;
  }

  private renderInvite() {
    const origin = new URL(window.location.href);
    return html`<section class="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite people</h2>
      <mycel-invitation-form
        .invitations=${this.group.invitations(origin)}
        .latestLink=${this.latestLink}
        .busy=${this.busy}
        @create-invitation=${this.createInvitation}
        @revoke-invitation=${(event: CustomEvent<RevokeInvitationDetail>) =>
          this.act(() => this.requireGroup().admin.revokeInvitation(event.detail.id))}
      ></mycel-invitation-form>
    </section>`;
  }

  private statusText(group: Group, linked: boolean): string {
    const refusal = group.refusal;
    if (refusal !== undefined && refusal !== 'not-authorized') return refusalText(refusal);
    const members = group.members();
    const online = members.filter((member) => member.online).length;
    if (members.length <= 1) return 'Only you so far: create an invitation to add people.';
    if (linked) return `${online} of ${members.length} members online`;
    if (this.appState.value?.connection.state !== 'online')
      return 'Offline: what you write is kept and sent when you reconnect.';
    return 'Waiting for a member to come online…';
  }

  private renderPreparing() {
    const preparing = this.files.preparing;
    if (preparing.length === 0) return nothing;
    return html`<div class="preparing">
      ${preparing.map(
        (file) =>
          html`<mycel-file-card
            .file=${{
              contentId: file.name,
              name: file.name,
              mime: '',
              sizeBytes: file.sizeBytes,
              state: 'publishing',
              doneBytes: file.doneBytes,
              bytesPerSecond: 0,
              peers: 0,
            }}
          ></mycel-file-card>`,
      )}
    </div>`;
  }

  private markRead(): void {
    if (document.visibilityState === 'visible' && this.group.value !== undefined)
      this.app?.markGroupRead(this.groupId);
  }

  private async send(event: CustomEvent<SendDetail>): Promise<void> {
    const { text, replyTo } = event.detail;
    this.replyTo = undefined;
    await this.act(async () => {
      await this.requireGroup().send(text, replyTo);
    });
  }

  private async saveEdit(event: CustomEvent<SaveEditDetail>): Promise<void> {
    this.editing = undefined;
    await this.act(() => this.requireGroup().edit(event.detail.key, event.detail.text));
  }

  private reply(event: CustomEvent<MessageKeyDetail>): void {
    const message = this.group.messages.find((view) => view.key === event.detail.key);
    if (message === undefined) return;
    this.editing = undefined;
    this.replyTo = { key: message.key, authorName: message.authorName, excerpt: message.text.slice(0, 80) };
  }

  private edit(event: CustomEvent<MessageKeyDetail>): void {
    const message = this.group.messages.find((view) => view.key === event.detail.key);
    if (message === undefined) return;
    this.replyTo = undefined;
    this.editing = { key: message.key, text: message.text };
  }

  private react(event: CustomEvent<ReactDetail>): Promise<void> {
    return this.act(() => this.requireGroup().react(event.detail.key, event.detail.emoji));
  }

  private askDelete(event: CustomEvent<MessageKeyDetail>): void {
    const { key } = event.detail;
    this.ask({
      heading: 'Delete this message?',
      text: 'It is removed for every member. This cannot be undone.',
      action: 'Delete message',
      run: () => this.requireGroup().deleteMessage(key),
    });
  }

  private askRemove(group: Group, identityId: string): void {
    const name = group.state.nameOf(identityId) ?? 'this member';
    this.ask({
      heading: `Remove ${name}?`,
      text: `${name} can no longer link to the group or post in it. They keep what they already have.`,
      action: 'Remove member',
      run: () => group.admin.remove(identityId),
    });
  }

  private askLeave(): void {
    this.ask({
      heading: 'Leave this group?',
      text: 'Members see that you left. You keep the history in this browser until you delete it; to come back you need a new join link.',
      action: 'Leave group',
      run: () => this.requireApp().leaveGroup(this.groupId),
    });
  }

  private askDeleteLocal(): void {
    this.ask({
      heading: 'Delete the local copy?',
      text: 'The group’s messages and members are removed from this browser. Other members keep theirs.',
      action: 'Delete local copy',
      run: async () => {
        await this.requireApp().deleteGroupCopy(this.groupId);
        window.location.hash = '#/groups';
      },
    });
  }

  private async createInvitation(event: CustomEvent<CreateInvitationDetail>): Promise<void> {
    this.busy = true;
    await this.act(async () => {
      this.latestLink = await this.requireApp().createInvitation(this.groupId, event.detail);
    });
    this.busy = false;
  }

  private ask(confirmation: Confirmation): void {
    this.confirmation = confirmation;
    void this.updateComplete.then(() => this.dialog.showModal());
  }

  private async confirm(): Promise<void> {
    const confirmation = this.confirmation;
    this.dialog.close();
    if (confirmation !== undefined) await this.act(confirmation.run);
  }

  private async act(task: () => Promise<void>): Promise<void> {
    this.error = '';
    try {
      await task();
    } catch (error) {
      this.error = messageOf(error);
    }
  }

  private requireApp(): App {
    if (this.app === undefined) throw new Error('The app is not ready yet.');
    return this.app;
  }

  private requireGroup(): Group {
    const group = this.group.value;
    if (group === undefined) throw new Error('This group is not open.');
    return group;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'mycel-group-view': GroupView;
  }
}
