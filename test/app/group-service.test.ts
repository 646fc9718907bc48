import { expect } from 'chai';
import { joinLinkOf } from '../../src/app/app.ts';
import { GroupList } from '../../src/app/group-list.ts';
import { GroupService } from '../../src/app/group-service.ts';
import { GroupActionError } from '../../src/core/groups/group.ts';
import { JoinLinkError } from '../../src/core/groups/group-actions.ts';
import { invitationPayload, signInvitation, type Invitation } from '../../src/core/groups/invitation.ts';
import { recordKey } from '../../src/core/graph/record-codec.ts';
import { Identities } from '../../src/core/identity/identities.ts';
import { nodeIdOf } from '../../src/core/identity/ids.ts';
import type { StoredIdentity } from '../../src/core/ports.ts';
import { toBase64Url } from '../../src/lib/bytes.ts';
import { createRandom } from '../../src/lib/random.ts';
import {
  deleteProfileDatabase,
  IdbIdentityStore,
  IdbPreferenceStore,
  IdbRecordStore,
  openProfileDatabase,
  type ProfileDatabase,
} from '../../src/storage/idb/index.ts';
import { randomName } from '../helpers/ids.ts';

// GroupService with no mesh attached: everything here happens offline, from IndexedDB, which is
// what lets a group be created, joined through a link and written to before any peer is online.

/** One browser profile: its database, an identity made as the app makes it, and a service. */
interface Profile {
  readonly name: string;
  readonly db: ProfileDatabase;
  readonly store: IdbRecordStore;
  readonly identity: StoredIdentity;
  readonly nodeId: string;
  service: GroupService;
}

const origin = new URL('https://mycel.example/app/');
const bookClub = { n: 'Book club', d: 'One book a month', c: '#aa3377' };
const hourMs = 3600_000;

function until(service: GroupService, check: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (check()) return resolve();
    const off = service.on('changed', () => {
      if (!check()) return;
      off();
      resolve();
    });
  });
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/** Replaces the character in the middle of `text` with another one of the base64url alphabet. */
function flipMiddle(text: string, at = Math.floor(text.length / 2)): string {
  const replacement = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + replacement + text.slice(at + 1);
}

const damaged = 'This join link is damaged or incomplete.';
const tampered = 'This join link was not signed by the person it names: it may have been tampered with.';

describe('GroupService offline, over real IndexedDB', () => {
  const profiles: Profile[] = [];

  async function openProfile(displayName: string): Promise<Profile> {
    const name = randomName('test-groups-');
    const db = await openProfileDatabase(name);
    const identity = await new Identities({ store: new IdbIdentityStore(db) }).create(displayName);
    const nodeId = await nodeIdOf(identity.publicKey, identity.nodeSalt);
    const store = new IdbRecordStore(db);
    const profile: Profile = { name, db, store, identity, nodeId, service: serviceOver(db, store) };
    profiles.push(profile);
    await profile.service.useIdentity(identity, nodeId);
    return profile;
  }

  function serviceOver(db: ProfileDatabase, store: IdbRecordStore): GroupService {
    return new GroupService({ store, preferences: new IdbPreferenceStore(db) });
  }

  /** What a reload of the page does: a new service on the same database, same identity. */
  async function reload(profile: Profile): Promise<GroupService> {
    profile.service.stop();
    profile.service = serviceOver(profile.db, new IdbRecordStore(profile.db));
    await profile.service.useIdentity(profile.identity, profile.nodeId);
    return profile.service;
  }

  /** The profile's list of groups as stored, read without the service's cache. */
  function storedList(profile: Profile): GroupList {
    return new GroupList(new IdbPreferenceStore(profile.db), profile.identity.id);
  }

  async function inviteLink(owner: Profile, groupId: string): Promise<string> {
    const payload = await owner.service.invite(groupId, {
      role: 'member',
      expiresInMs: hourMs,
      maxUses: 0,
      note: 'Welcome',
    });
    return joinLinkOf(origin, payload);
  }

  /** An invitation to `groupId` signed by `owner`, with fields as `change` says. */
  async function signedLink(owner: Profile, groupId: string, change: Partial<Invitation>): Promise<string> {
    const group = owner.service.group(groupId);
    if (group === undefined) throw new Error('no such group');
    const nowMs = Date.now();
    const signed = await signInvitation(
      {
        id: toBase64Url(crypto.getRandomValues(new Uint8Array(16))),
        groupId,
        groupName: bookClub.n,
        groupKey: group.key,
        role: 'member',
        inviterKey: owner.identity.publicKey,
        inviterName: owner.identity.displayName,
        createdAtMs: nowMs,
        expiresAtMs: nowMs + hourMs,
        maxUses: 0,
        note: '',
        nodes: [owner.nodeId],
        ...change,
      },
      owner.identity.signingKey,
    );
    return joinLinkOf(origin, invitationPayload(signed));
  }

  /** Asserts that `link` is refused by both preview and join, with `message`, and nothing joined. */
  async function expectRefused(
    joiner: Profile,
    link: string,
    message: string | readonly string[],
    context = link,
  ): Promise<void> {
    for (const attempt of [joiner.service.preview(link), joiner.service.join(link)]) {
      const error = await rejection(attempt);
      expect(error, context).to.be.instanceOf(JoinLinkError);
      const { message: said, hint } = error as JoinLinkError;
      expect(typeof message === 'string' ? [message] : message, context).to.include(said);
      expect(hint, context).to.be.a('string').and.not.equal('');
    }
    expect(joiner.service.summaries, context).to.deep.equal([]);
    expect(await storedList(joiner).all(), context).to.deep.equal([]);
  }

  afterEach(async () => {
    for (const profile of profiles.splice(0)) {
      profile.service.stop();
      profile.db.close();
      await deleteProfileDatabase(profile.name);
    }
  });

  it('creates a group offline, owned by the identity, that nobody else takes part in', async () => {
    const ada = await openProfile('Ada');
    const changed = new Promise<void>((resolve) =>
      ada.service.on('changed', () => resolve(), { once: true }),
    );
    const id = await ada.service.create(bookClub);
    await changed;
    expect(id).to.match(/^g[a-z2-7]{32}$/);
    expect(ada.service.summaries).to.have.length(1);
    expect(ada.service.summaries[0]).to.deep.include({
      id,
      name: 'Book club',
      description: 'One book a month',
      colour: '#aa3377',
      role: 'owner',
      memberCount: 1,
      unread: 0,
      linked: false,
      left: false,
      removed: false,
    });
    const entry = await storedList(ada).get(id);
    expect(entry).to.deep.include({ id, name: 'Book club', nodes: [], readUpToMs: 0, left: false });
    expect(entry?.key.owner).to.deep.equal(new Uint8Array(ada.identity.publicKey));
  });

  it('sends a message offline and finds it again after a reload', async () => {
    const ada = await openProfile('Ada');
    const id = await ada.service.create(bookClub);
    const sent = await ada.service.group(id)?.send('  hi  ');
    expect(sent?.text).to.equal('hi');
    expect(sent?.authorId).to.equal(ada.identity.id);

    const reloaded = await reload(ada);
    const group = reloaded.group(id);
    expect(group, 'the group is reopened from the list').to.not.equal(undefined);
    expect(group?.chat.list().map((message) => message.text)).to.deep.equal(['hi']);
    expect(group?.info()).to.deep.equal(bookClub);
    expect(reloaded.summaries.map((summary) => summary.id)).to.deep.equal([id]);
    expect(reloaded.summaries[0]?.lastMessage).to.deep.include({ authorName: 'Ada', text: 'hi' });
    expect(reloaded.summaries[0]?.unread, 'one’s own messages are never unread').to.equal(0);
  });

  it('refuses malformed links with a JoinLinkError and joins nothing', async () => {
    const bob = await openProfile('Bob');
    const links = ['#join=AAAA', 'hello, world!', '', '   ', 'https://mycel.example/#join=', '#join=@@@@'];
    const seed = 0x6a6f696e;
    const random = createRandom(seed);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < 8; i++) {
      const length = 1 + random.int(400);
      const text = Array.from({ length }, () => alphabet[random.int(alphabet.length)]).join('');
      links.push(random.chance(0.5) ? text : `${origin.href}#join=${text}`);
    }
    for (const link of links) await expectRefused(bob, link, damaged, `seed ${seed}, link ${link}`);
  });

  it('refuses a tampered link and one whose group id does not match its key', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    const id = await ada.service.create(bookClub);
    const link = await inviteLink(ada, id);
    const payload = link.slice(link.indexOf('#join=') + '#join='.length);
    expect((await bob.service.preview(link)).groupId, 'the untampered link is good').to.equal(id);

    await expectRefused(bob, joinLinkOf(origin, flipMiddle(payload)), [damaged, tampered]);
    // Ten characters from the end lie in the signature, whose bytes anything may hold.
    await expectRefused(bob, joinLinkOf(origin, flipMiddle(payload, payload.length - 10)), tampered);
    const otherId = await ada.service.create({ ...bookClub, n: 'Other' });
    await expectRefused(bob, await signedLink(ada, id, { groupId: otherId }), tampered);
    expect(await bob.store.loadAll(id)).to.deep.equal([]);
    expect(ada.service.summaries).to.have.length(2);
  });

  it('refuses an expired invitation, naming the group and who to ask', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    const id = await ada.service.create(bookClub);
    const nowMs = Date.now();
    const signedExpired = await signedLink(ada, id, {
      createdAtMs: nowMs - 2 * hourMs,
      expiresAtMs: nowMs - hourMs,
    });
    await expectRefused(bob, signedExpired, 'This invitation to Book club has expired.');
    const error = await rejection(bob.service.preview(signedExpired));
    expect((error as JoinLinkError).hint).to.equal('Ask Ada for a new join link.');
    expect(await bob.store.loadAll(id)).to.deep.equal([]);
    expect(ada.service.summaries).to.have.length(1);
  });

  it('joins through a valid link offline, under the group name the link gives', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    const id = await ada.service.create(bookClub);
    const link = await inviteLink(ada, id);

    const preview = await bob.service.preview(link);
    expect(preview).to.deep.include({
      groupId: id,
      groupName: 'Book club',
      inviterName: 'Ada',
      inviterId: ada.identity.id,
      role: 'member',
      note: 'Welcome',
      alreadyMember: false,
    });
    expect(preview).to.not.have.property('broker');

    expect(await bob.service.join(link)).to.equal(id);
    await until(bob.service, () => bob.service.summaries[0]?.name === 'Book club');
    expect(bob.service.summaries).to.have.length(1);
    expect(bob.service.summaries[0]).to.deep.include({ id, role: 'member', linked: false, left: false });
    expect((await bob.service.preview(link)).alreadyMember).to.equal(true);
    expect(await bob.service.join(link), 'joining twice is joining once').to.equal(id);
    expect(bob.service.summaries).to.have.length(1);
    expect(await storedList(bob).get(id)).to.deep.include({
      name: 'Book club',
      nodes: [ada.nodeId],
      left: false,
    });
    const own = await bob.store.get(id, recordKey({ creator: bob.identity.id, id: bob.identity.id }));
    expect(own?.record.deleted).to.equal(false);

    const reloaded = await reload(bob);
    await until(reloaded, () => reloaded.summaries[0]?.name === 'Book club');
    expect(reloaded.summaries.map((summary) => summary.id)).to.deep.equal([id]);
    expect(reloaded.summaries[0]?.role).to.equal('member');
  });

  it('counts messages by others as unread until markRead, which stores the chat’s latest time', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    const id = await ada.service.create(bookClub);
    await ada.service.group(id)?.send('hi');
    await bob.service.join(await inviteLink(ada, id));
    await bob.service.group(id)?.send('hello from Bob');
    // Offline, Bob's records reach Ada only by copying them into her store, as a sync would.
    await ada.store.commit(id, { put: await bob.store.loadAll(id), remove: [] });

    const service = await reload(ada);
    await until(service, () => service.summaries[0]?.unread === 1);
    expect(service.summaries[0]?.lastMessage).to.deep.include({ authorName: 'Bob', text: 'hello from Bob' });
    const latestAtMs = service.group(id)?.chat.latestAtMs ?? 0;
    expect(latestAtMs).to.be.greaterThan(0);

    await service.markRead(id);
    expect((await storedList(ada).get(id))?.readUpToMs).to.equal(latestAtMs);
    await until(service, () => service.summaries[0]?.unread === 0);
    await reload(ada);
    await until(ada.service, () => ada.service.summaries.length === 1);
    await until(ada.service, () => ada.service.summaries[0]?.unread === 0);
  });

  it('marks the owner’s own latest message as read', async () => {
    const ada = await openProfile('Ada');
    const id = await ada.service.create(bookClub);
    const group = ada.service.group(id);
    await group?.send('one');
    await group?.send('two');
    await ada.service.markRead(id);
    const latestAtMs = group?.chat.latestAtMs ?? 0;
    expect(latestAtMs).to.equal(group?.chat.list()[1]?.atMs);
    expect((await storedList(ada).get(id))?.readUpToMs).to.equal(latestAtMs);
  });

  it('leaves a group: the summary says so, the member record is withdrawn, the copy stays', async () => {
    const ada = await openProfile('Ada');
    const bob = await openProfile('Bob');
    const id = await ada.service.create(bookClub);
    await bob.service.join(await inviteLink(ada, id));
    await bob.service.group(id)?.send('bye');

    await bob.service.leave(id);
    await until(bob.service, () => bob.service.summaries[0]?.left === true);
    expect(bob.service.summaries[0]?.role).to.equal(undefined);
    const own = await bob.store.get(id, recordKey({ creator: bob.identity.id, id: bob.identity.id }));
    expect(own?.record.deleted, 'the own member record is a tombstone').to.equal(true);
    expect((await storedList(bob).get(id))?.left).to.equal(true);
    expect(
      bob.service
        .group(id)
        ?.chat.list()
        .map((message) => message.text),
    ).to.deep.equal(['bye']);
    const refusal = await rejection(bob.service.group(id)?.send('still here?') ?? Promise.resolve());
    expect(refusal).to.be.instanceOf(GroupActionError);

    const reloaded = await reload(bob);
    await until(reloaded, () => reloaded.summaries[0]?.left === true);
  });

  it('deletes the local copy: summary, list entry and records', async () => {
    const ada = await openProfile('Ada');
    const keep = await ada.service.create({ ...bookClub, n: 'Keep' });
    const id = await ada.service.create(bookClub);
    await ada.service.group(id)?.send('hi');
    expect(await ada.store.loadAll(id)).to.not.deep.equal([]);

    await ada.service.deleteLocal(id);
    expect(ada.service.summaries.map((summary) => summary.id)).to.deep.equal([keep]);
    expect(ada.service.group(id)).to.equal(undefined);
    expect(await storedList(ada).get(id)).to.equal(undefined);
    expect(await ada.store.loadAll(id)).to.deep.equal([]);
    expect(await ada.store.loadAll(keep)).to.not.deep.equal([]);

    const reloaded = await reload(ada);
    expect(reloaded.summaries.map((summary) => summary.id)).to.deep.equal([keep]);
  });

  it('refuses to act without an identity, with a message that says what to do', async () => {
    const { db, store } = await openProfile('Unused');
    const service = serviceOver(db, store);
    const error = await rejection(service.create(bookClub));
    expect(error).to.be.instanceOf(GroupActionError);
    expect((error as GroupActionError).message).to.equal('Create an identity first.');
    expect(service.summaries).to.deep.equal([]);
    service.stop();
  });
});

describe('joinLinkOf', () => {
  it('puts the payload in the fragment of the origin, dropping any query and fragment', () => {
    expect(joinLinkOf(new URL('https://mycel.example/app/?x=1#/groups/g1'), 'PAYLOAD')).to.equal(
      'https://mycel.example/app/#join=PAYLOAD',
    );
    expect(joinLinkOf(new URL('http://127.0.0.1:8000'), 'abc_-')).to.equal(
      'http://127.0.0.1:8000/#join=abc_-',
    );
    expect(joinLinkOf(new URL('https://mycel.example/#join=OLD'), 'NEW')).to.equal(
      'https://mycel.example/#join=NEW',
    );
  });
});
