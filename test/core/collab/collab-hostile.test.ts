import { expect } from 'chai';
import { createRandom, type Random } from '../../../src/lib/random.ts';
import type { WireValue } from '../../../src/core/wire/cbor.ts';
import { contactsKey } from '../../../src/core/collab/contact-store.ts';
import { invitationLifetimeMs } from '../../../src/core/collab/direct-invitations.ts';
import { isSenderFault } from '../../../src/core/collab/collab-messages.ts';
import { CollabNet, type TestNode } from './collab-net.ts';

const types = ['watch', 'unwatch', 'presence', 'refused', 'invite', 'answer', 'nearby-bye', 'card'];
const keys = ['t', 's', 'x', 'a', 'i', 'g', 'l', 'c'];
const texts = [
  '',
  'online',
  'busy',
  'x'.repeat(256),
  'line\nbreak',
  '\u202eevil',
  '😀',
  'accepted',
  'declined',
];

function randomText(random: Random): string {
  if (random.chance(0.5)) return random.pick(texts);
  return String.fromCharCode(...Array.from({ length: random.int(40) }, () => random.int(0x3000)));
}

function randomBytes(random: Random): Uint8Array {
  const length = random.pick([0, 1, 15, 16, 17, 32, 64, 300, 1025]);
  return Uint8Array.from({ length }, () => random.int(256));
}

/** Any wire value, nested at most a few levels. */
function randomValue(random: Random, depth: number): WireValue {
  switch (random.int(depth > 2 ? 5 : 7)) {
    case 0:
      return random.chance(0.5) ? null : random.chance(0.5);
    case 1:
      return random.pick([
        0,
        -1,
        1,
        1_700_000_000_000,
        2 ** 47 + 1,
        Number.MAX_SAFE_INTEGER,
        random.int(1e9),
      ]);
    case 2:
      return randomText(random);
    case 3:
    case 4:
      return randomBytes(random);
    case 5:
      return Array.from({ length: random.int(4) }, () => randomValue(random, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: random.int(4) }, () => [randomText(random), randomValue(random, depth + 1)]),
      );
  }
}

/** A body that looks like a collab message more often than not, so checks past the schema run too. */
function randomBody(random: Random, nowMs: number): WireValue {
  if (random.chance(0.15)) return randomValue(random, 0);
  const body: Record<string, WireValue> = { t: random.chance(0.9) ? random.pick(types) : randomText(random) };
  for (const key of keys.slice(1)) {
    if (!random.chance(0.6)) continue;
    body[key] = random.chance(0.3)
      ? randomValue(random, 1)
      : ({
          s: random.pick(['online', 'busy', 'gone']),
          x: randomText(random),
          a: random.pick([nowMs, nowMs + invitationLifetimeMs - 1, -5]),
          i: randomBytes(random),
          g: randomText(random),
          l: random.pick(['https://x/#join=A', 'has space', '']),
          c: randomBytes(random),
        }[key] ?? null);
  }
  if (random.chance(0.05)) body[randomText(random)] = 1;
  return body;
}

describe('collab receive path under hostile input', () => {
  let net: CollabNet;
  let ann: TestNode;
  let bob: TestNode;
  let eve: TestNode;

  beforeEach(async () => {
    net = new CollabNet();
    ann = await net.addNode('Ann');
    bob = await net.addNode('Bob');
    eve = await net.addNode('Eve');
    await net.befriend(ann, bob);
    await ann.collab.presence.setPresence('busy', 'working');
    await net.settle();
  });

  /** What a node shows and stores, to compare before and after an attack. */
  function snapshotOf(node: TestNode, watched: TestNode): string {
    return JSON.stringify(
      {
        stored: node.preferences.values.get(contactsKey(node.identity.identityId)),
        contacts: node.collab.contacts
          .list()
          .map((contact) => [contact.identityId, contact.nickname, contact.blocked]),
        presence: node.collab.presence.presenceOf(watched.identity.identityId),
        own: node.collab.presence.current(),
        incoming: node.collab.invitations.incoming().length,
        outgoing: node.collab.invitations.outgoing().length,
        nearby: node.collab.nearby.people().length,
        cards: node.collab.nearby.receivedCards().length,
      },
      (_key, value: unknown) => (value instanceof Uint8Array ? Array.from(value) : value),
    );
  }

  for (const seed of [20_251_124, 7, Date.now() % 1_000_000]) {
    it(`refuses and counts seeded random garbage from a stranger (seed ${seed})`, async () => {
      const random = createRandom(seed);
      const before = snapshotOf(bob, ann);
      const counted = (): number => Object.values(bob.collab.rejections()).reduce((sum, n) => sum + n, 0);
      const countedBefore = counted();
      const rounds = 300;
      try {
        for (let round = 0; round < rounds; round++) {
          const body = randomBody(random, net.clock.nowMs());
          const reason = await bob.collab.receive(eve.peer, body);
          expect(
            reason,
            JSON.stringify(body, (_k, v: unknown) => (v instanceof Uint8Array ? `bytes(${v.length})` : v)),
          ).to.be.a('string');
        }
        await net.settle();
        expect(counted() - countedBefore).to.equal(rounds);
        expect(snapshotOf(bob, ann)).to.equal(before);
      } catch (error) {
        console.log(`collab hostile test failed with seed ${seed}`);
        throw error;
      }
    });
  }

  it('refuses oversize fields and bodies, unknown types and stray keys, by reason', async () => {
    const nowMs = net.clock.nowMs();
    const card = eve.collab.myCard().bytes;
    const cases: [WireValue, string][] = [
      [{ t: 'presence', s: 'busy', x: 'x'.repeat(256), a: nowMs }, 'bad-message:too-long'],
      [{ t: 'presence', s: 'asleep', x: '', a: nowMs }, 'bad-message:no-match'],
      [{ t: 'presence', s: 'busy', x: 'two\nlines', a: nowMs }, 'bad-message:no-match'],
      [
        { t: 'invite', i: new Uint8Array(16), g: 'G'.repeat(65), l: 'https://x/', x: nowMs, c: card },
        'bad-message:too-long',
      ],
      [
        { t: 'invite', i: new Uint8Array(16), g: 'G', l: 'L'.repeat(4097), x: nowMs, c: card },
        'bad-message:too-long',
      ],
      [
        { t: 'invite', i: new Uint8Array(16), g: 'G', l: 'L'.repeat(4000), x: nowMs + 1000, c: card },
        'too-large',
      ],
      [{ t: 'card', c: new Uint8Array(1025) }, 'bad-message:too-long'],
      [{ t: 'answer', i: new Uint8Array(15), a: 'accepted' }, 'bad-message:wrong-length'],
      [{ t: 'watch', extra: 1 }, 'bad-message:unknown-key'],
      [{ t: 'shout' }, 'unknown-type'],
      [{ type: 'watch' }, 'unknown-type'],
      [[1, 2, 3], 'bad-message:wrong-type'],
      [new Uint8Array(8), 'bad-message:wrong-type'],
      ['watch', 'bad-message:wrong-type'],
      [null, 'bad-message:wrong-type'],
    ];
    const before = snapshotOf(bob, ann);
    for (const [body, expected] of cases)
      expect(await bob.collab.receive(eve.peer, body), expected).to.equal(expected);
    expect(bob.collab.rejections()['unknown-type']).to.equal(2);
    expect(snapshotOf(bob, ann)).to.equal(before);
  });

  it('refuses messages before start, from itself, and from a key of the wrong length', async () => {
    expect(await bob.collab.receive(bob.peer, { t: 'watch' })).to.equal('from-self');
    expect(
      await bob.collab.receive({ nodeId: eve.nodeId, publicKey: new Uint8Array(31) }, { t: 'watch' }),
    ).to.equal('bad-sender');
    await eve.collab.stop();
    expect(await eve.collab.receive(ann.peer, { t: 'watch' })).to.equal('not-started');
    expect(eve.collab.rejections()['not-started']).to.equal(1);
  });

  it('blames the link only for refusals a faulty sender causes, never for ones honest peers cause', () => {
    const faults = [
      'bad-message:wrong-type',
      'unknown-type',
      'too-large',
      'bad-card',
      'bad-sender',
      'card-mismatch',
    ];
    const honest = [
      'not-a-contact',
      'rate-limited',
      'expired',
      'stale',
      'duplicate',
      'wrong-sender',
      'not-pending',
      'from-self',
      'too-many-invitations',
      'too-many-watchers',
      'not-started',
    ];
    for (const reason of faults) expect(isSenderFault(reason), reason).to.equal(true);
    for (const reason of honest) expect(isSenderFault(reason), reason).to.equal(false);
  });
});
