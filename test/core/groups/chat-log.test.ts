import { expect } from 'chai';
import { createRandom } from '../../../src/lib/random.ts';
import { ChatLog } from '../../../src/core/groups/chat-log.ts';
import { GroupRecordTypes, reactionId, writeData } from '../../../src/core/groups/group-records.ts';
import type { StoredRecord } from '../../../src/core/ports.ts';
import {
  baseMs,
  chatRecord,
  groupRecord,
  newIdentity,
  newTestGroup,
  reactionRecord,
  receiptRecord,
  toStored,
  type TestGroup,
  type TestIdentity,
} from './group-fixtures.ts';

function logOf(records: readonly StoredRecord[]): ChatLog {
  const log = new ChatLog();
  for (const stored of records) log.apply(stored);
  return log;
}

/** Who reacted with what to the message at `key`, as plain data. */
function reactionsOf(log: ChatLog, key: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [emoji, people] of log.get(key)?.reactions ?? []) out[emoji] = [...people].sort();
  return out;
}

describe('ChatLog', () => {
  let alice: TestIdentity;
  let bob: TestIdentity;
  let carol: TestIdentity;
  let group: TestGroup;

  before(async () => {
    alice = await newIdentity('Alice');
    bob = await newIdentity('Bob');
    carol = await newIdentity('Carol');
    group = await newTestGroup(alice);
  });

  /** A new message whose chat time and creation are `baseMs + atMs`. */
  async function message(author: TestIdentity, text: string, atMs: number): Promise<StoredRecord> {
    return toStored(await chatRecord(group, author, text, atMs));
  }

  /** Version `version` of `original` with new text and the same chat time. */
  async function edit(original: StoredRecord, text: string, version: number): Promise<StoredRecord> {
    const author = [alice, bob, carol].find((person) => person.identityId === original.record.creator);
    if (author === undefined) throw new Error('unknown author');
    const atMs = original.record.createdAtMs - baseMs;
    return toStored(
      await chatRecord(group, author, text, atMs, {
        id: original.record.id,
        version,
        modifiedAtMs: atMs + version,
      }),
    );
  }

  /** Version `version` of `original`, deleted. */
  async function deletion(original: StoredRecord, version: number): Promise<StoredRecord> {
    const author = [alice, bob, carol].find((person) => person.identityId === original.record.creator);
    if (author === undefined) throw new Error('unknown author');
    const atMs = original.record.createdAtMs - baseMs;
    return toStored(
      await groupRecord(group, author, {
        type: GroupRecordTypes.chat,
        id: original.record.id,
        version,
        createdAtMs: atMs,
        modifiedAtMs: atMs + version,
        deleted: true,
      }),
    );
  }

  it('orders by chat time then key, whatever order the messages arrive in', async () => {
    const messages = [
      await message(alice, 'third', 30),
      await message(bob, 'first', 10),
      await message(carol, 'second', 20),
      await message(alice, 'tied a', 40),
      await message(bob, 'tied b', 40),
      await message(carol, 'tied c', 40),
      await message(bob, 'last', 50),
    ];
    const tied = messages
      .filter((stored) => stored.record.createdAtMs === baseMs + 40)
      .map((stored) => stored.key)
      .sort();
    const reference = logOf(messages).list();
    expect(reference.map((item) => item.atMs - baseMs)).to.deep.equal([10, 20, 30, 40, 40, 40, 50]);
    expect(reference.slice(3, 6).map((item) => item.key)).to.deep.equal(tied);
    expect(reference[0]?.text).to.equal('first');
    for (let seed = 1; seed <= 10; seed++) {
      const log = logOf(createRandom(seed).shuffle(messages));
      expect(
        log.list().map((item) => item.key),
        `seed ${seed}`,
      ).to.deep.equal(reference.map((item) => item.key));
    }
    expect(logOf(messages).size).to.equal(7);
    expect(logOf(messages).latestAtMs).to.equal(baseMs + 50);
  });

  it('an edit keeps the message’s place and marks it edited', async () => {
    const first = await message(alice, 'hello', 10);
    const second = await message(bob, 'hi', 20);
    const log = logOf([first, second]);
    expect(log.get(first.key)?.edited).to.equal(false);
    expect(log.apply(await edit(first, 'hello, all', 2))).to.equal(true);
    expect(log.list().map((item) => [item.key, item.text, item.edited])).to.deep.equal([
      [first.key, 'hello, all', true],
      [second.key, 'hi', false],
    ]);
    expect(log.get(first.key)?.authorId).to.equal(alice.identityId);
  });

  it('a deleted message keeps its place with no text', async () => {
    const first = await message(alice, 'hello', 10);
    const second = await message(bob, 'secret', 20);
    const third = await message(carol, 'bye', 30);
    const log = logOf([first, second, third, await deletion(second, 2)]);
    const deleted = log.get(second.key);
    expect(deleted?.deleted).to.equal(true);
    expect(deleted?.text).to.equal('');
    expect(deleted?.edited).to.equal(false);
    expect(log.list().map((item) => item.key)).to.deep.equal([first.key, second.key, third.key]);
  });

  it('keeps a reply’s target', async () => {
    const first = await message(alice, 'question', 10);
    const reply = toStored(
      await groupRecord(group, bob, {
        type: GroupRecordTypes.chat,
        data: writeData({ t: 'answer', at: baseMs + 20, r: first.key }),
        createdAtMs: 20,
      }),
    );
    expect(logOf([first, reply]).get(reply.key)?.replyTo).to.equal(first.key);
    expect(logOf([first]).get(first.key)?.replyTo).to.equal(undefined);
  });

  it('reactions toggle on and off through newer versions of one record', async () => {
    const first = await message(alice, 'hello', 10);
    const log = logOf([first]);
    log.apply(await reactionRecord(group, bob, first.key, '👍', true, 1));
    log.apply(await reactionRecord(group, carol, first.key, '👍', true, 1));
    log.apply(await reactionRecord(group, carol, first.key, '🎉', true, 1));
    expect(reactionsOf(log, first.key)).to.deep.equal({
      '👍': [bob.identityId, carol.identityId].sort(),
      '🎉': [carol.identityId],
    });
    log.apply(await reactionRecord(group, bob, first.key, '👍', false, 2));
    log.apply(await reactionRecord(group, carol, first.key, '🎉', false, 2));
    expect(reactionsOf(log, first.key)).to.deep.equal({ '👍': [carol.identityId] });
    log.apply(await reactionRecord(group, bob, first.key, '👍', true, 3));
    expect(reactionsOf(log, first.key)).to.deep.equal({ '👍': [bob.identityId, carol.identityId].sort() });
  });

  it('a withdrawn reaction record takes the reaction back', async () => {
    const first = await message(alice, 'hello', 10);
    const log = logOf([first, await reactionRecord(group, bob, first.key, '👍', true, 1)]);
    const withdrawn = toStored(
      await groupRecord(group, bob, {
        type: GroupRecordTypes.reaction,
        id: reactionId(first.key, '👍'),
        version: 2,
        modifiedAtMs: 2,
        deleted: true,
      }),
    );
    expect(log.apply(withdrawn)).to.equal(true);
    expect(reactionsOf(log, first.key)).to.deep.equal({});
  });

  it('keeps reactions that arrive before their message, and through its edits', async () => {
    const first = await message(alice, 'hello', 10);
    const log = logOf([
      await reactionRecord(group, bob, first.key, '👍', true, 1),
      await reactionRecord(group, carol, first.key, '❤️', true, 1),
    ]);
    expect(log.size).to.equal(0);
    log.apply(first);
    const expected = { '👍': [bob.identityId], '❤️': [carol.identityId] };
    expect(reactionsOf(log, first.key)).to.deep.equal(expected);
    log.apply(await edit(first, 'hello again', 2));
    expect(reactionsOf(log, first.key)).to.deep.equal(expected);
  });

  it('counts who received up to a chat time from their receipts', async () => {
    const log = logOf([
      await receiptRecord(group, bob, 25, 1),
      await receiptRecord(group, carol, 5, 1),
      await receiptRecord(group, carol, 15, 2),
    ]);
    const others = [bob.identityId, carol.identityId, alice.identityId];
    expect(log.deliveredTo(baseMs + 10, others)).to.equal(2);
    expect(log.deliveredTo(baseMs + 15, others)).to.equal(2);
    expect(log.deliveredTo(baseMs + 20, others)).to.equal(1);
    expect(log.deliveredTo(baseMs + 30, others)).to.equal(0);
    expect(log.receiptOf(carol.identityId)).to.equal(baseMs + 15);
    expect(log.receiptOf(alice.identityId)).to.equal(0);
    log.apply(await receiptRecord(group, carol, 40, 3));
    expect(log.deliveredTo(baseMs + 30, others)).to.equal(1);
  });

  it('ignores records that are not its own', async () => {
    const log = new ChatLog();
    const other = toStored(
      await groupRecord(group, alice, { type: GroupRecordTypes.role, data: writeData({ r: 'admin' }) }),
    );
    expect(log.apply(other)).to.equal(false);
    expect(log.size).to.equal(0);
    expect(ChatLog.tracks(GroupRecordTypes.chat)).to.equal(true);
    expect(ChatLog.tracks(GroupRecordTypes.member)).to.equal(false);
  });
});
