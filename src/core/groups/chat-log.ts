import type { StoredRecord } from '../ports.ts';
import { chatData, GroupRecordTypes, reactionData, readData, receiptData } from './group-records.ts';

/** A chat message as the group holds it. */
export interface ChatMessage {
  /** The record key, `creator/id`: stable across edits. */
  readonly key: string;
  readonly authorId: string;
  /** '' once deleted. */
  readonly text: string;
  /** Its place in the chat (epoch ms): the author's clock, never behind what they had seen. */
  readonly atMs: number;
  readonly edited: boolean;
  readonly deleted: boolean;
  readonly replyTo?: string;
  /** The key of the `mycel/file` record of a file shared with the message. */
  readonly file?: string;
  /** Emoji → identity ids that reacted with it. */
  readonly reactions: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * A group's chat in memory, ordered by chat time then key (the same order on every replica,
 * whatever order records arrived in), with reactions and how far each member has received.
 */
export class ChatLog {
  private readonly messages = new Map<string, ChatMessage>();
  /** Reaction record key → the reaction it holds now. */
  private readonly reactionRecords = new Map<
    string,
    { to: string; emoji: string; by: string; on: boolean }
  >();
  private readonly receipts = new Map<string, number>();
  private ordered: ChatMessage[] | undefined;
  private latestMs = 0;

  /** Whether records of `type` belong to the chat. */
  static tracks(type: string): boolean {
    return (
      type === GroupRecordTypes.chat ||
      type === GroupRecordTypes.reaction ||
      type === GroupRecordTypes.receipt
    );
  }

  /** Takes in a committed chat, reaction or receipt record; returns whether the chat changed. */
  apply(stored: StoredRecord): boolean {
    const { record } = stored;
    if (record.type === GroupRecordTypes.receipt) {
      const data = readData(receiptData, record.data);
      if (data !== undefined)
        this.receipts.set(record.creator, Math.max(this.receipts.get(record.creator) ?? 0, data.upTo));
      return true;
    }
    if (record.type === GroupRecordTypes.reaction) return this.applyReaction(stored);
    if (record.type !== GroupRecordTypes.chat) return false;
    const before = this.messages.get(stored.key);
    const data = record.deleted ? undefined : readData(chatData, record.data);
    if (!record.deleted && data === undefined) return false;
    const atMs = data?.at ?? before?.atMs ?? record.createdAtMs;
    this.messages.set(stored.key, {
      key: stored.key,
      authorId: record.creator,
      text: data?.t ?? '',
      atMs,
      edited: !record.deleted && record.version > 1,
      deleted: record.deleted,
      ...(data?.r === undefined ? {} : { replyTo: data.r }),
      ...(data?.f === undefined ? {} : { file: data.f }),
      reactions: before?.reactions ?? this.pendingReactions(stored.key),
    });
    this.latestMs = Math.max(this.latestMs, atMs);
    this.ordered = undefined;
    return true;
  }

  /** Every message, in chat order. */
  list(): readonly ChatMessage[] {
    this.ordered ??= [...this.messages.values()].sort(
      (a, b) => a.atMs - b.atMs || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
    return this.ordered;
  }

  get(key: string): ChatMessage | undefined {
    return this.messages.get(key);
  }

  get size(): number {
    return this.messages.size;
  }

  /** The latest chat time held: a new message goes after it, whatever this node's clock says. */
  get latestAtMs(): number {
    return this.latestMs;
  }

  /** How many of `others` have received the chat up to `atMs`. */
  deliveredTo(atMs: number, others: readonly string[]): number {
    return others.filter((id) => (this.receipts.get(id) ?? 0) >= atMs).length;
  }

  /** How far `identityId` said it has received. */
  receiptOf(identityId: string): number {
    return this.receipts.get(identityId) ?? 0;
  }

  private applyReaction(stored: StoredRecord): boolean {
    const data = stored.record.deleted ? undefined : readData(reactionData, stored.record.data);
    const before = this.reactionRecords.get(stored.key);
    if (before !== undefined) this.setReaction(before.to, before.emoji, before.by, false);
    if (data === undefined) {
      this.reactionRecords.delete(stored.key);
      return before !== undefined;
    }
    this.reactionRecords.set(stored.key, {
      to: data.to,
      emoji: data.e,
      by: stored.record.creator,
      on: data.on,
    });
    this.setReaction(data.to, data.e, stored.record.creator, data.on);
    return true;
  }

  private setReaction(messageKey: string, emoji: string, by: string, on: boolean): void {
    const message = this.messages.get(messageKey);
    const reactions = new Map(message?.reactions ?? this.pendingReactions(messageKey));
    const people = new Set(reactions.get(emoji) ?? []);
    if (on) people.add(by);
    else people.delete(by);
    if (people.size === 0) reactions.delete(emoji);
    else reactions.set(emoji, people);
    if (message === undefined) {
      this.pending.set(messageKey, reactions);
      return;
    }
    this.messages.set(messageKey, { ...message, reactions });
    this.ordered = undefined;
  }

  /** Reactions that came before their message. */
  private readonly pending = new Map<string, Map<string, ReadonlySet<string>>>();

  private pendingReactions(messageKey: string): Map<string, ReadonlySet<string>> {
    const pending = this.pending.get(messageKey) ?? new Map<string, ReadonlySet<string>>();
    this.pending.delete(messageKey);
    return pending;
  }
}
