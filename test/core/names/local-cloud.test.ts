import { expect } from 'chai';
import { createRandom } from '../../../src/lib/random.ts';
import { generateSigningKeyPair, sign } from '../../../src/core/crypto/ed25519.ts';
import { SigningNamespaces } from '../../../src/core/crypto/namespaces.ts';
import { identityIdOf } from '../../../src/core/identity/ids.ts';
import { realTimeTimers, type Timers } from '../../../src/core/mesh/timers.ts';
import { decodeCbor, encodeCbor, type WireValue } from '../../../src/core/wire/cbor.ts';
import {
  LocalCloud,
  broadcastLocalChannel,
  type LocalCloudEvents,
} from '../../../src/core/names/local-cloud.ts';
import { nameKey } from '../../../src/core/names/peer-name.ts';
import {
  signRegistration,
  signTombstone,
  type RegistrationSigner,
} from '../../../src/core/names/registration.ts';

interface Registrant extends RegistrationSigner {
  readonly identityId: string;
}

async function registrant(): Promise<Registrant> {
  const { publicKey, privateKey } = await generateSigningKeyPair();
  return { publicKey, signingKey: privateKey, identityId: await identityIdOf(publicKey) };
}

function registration(signer: RegistrationSigner, name: string, payload = 0): Promise<Uint8Array> {
  const versionMs = Math.floor(Date.now());
  return signRegistration(signer, {
    name,
    endpoints: [],
    payload: Uint8Array.of(payload),
    versionMs,
    expiresAtMs: versionMs + 600_000,
    deleted: false,
  });
}

/** Real timers whose clock stands still, so rate limits never refill during a test. */
function frozenTimers(): Timers {
  const nowMs = Date.now();
  const real = realTimeTimers();
  return { nowMs: () => nowMs, schedule: (delayMs, task) => real.schedule(delayMs, task) };
}

/** Resolves once `condition` holds, checking every 10 ms (mocha's timeout bounds the wait). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the local cloud (tabs over BroadcastChannel)', () => {
  const window = { answerWindowMs: 500 };
  let channelName: string;
  let opened: { close(): void }[];
  let alice: Registrant;
  let bob: Registrant;

  function cloud(timers: Timers = realTimeTimers()): LocalCloud {
    const made = new LocalCloud({ channel: broadcastLocalChannel(channelName), timers }, window);
    opened.push({ close: () => made.stop() });
    return made;
  }

  /** A raw BroadcastChannel on the cloud's name: a hostile or broken tab. */
  function rawTab(): BroadcastChannel {
    const channel = new BroadcastChannel(channelName);
    opened.push(channel);
    return channel;
  }

  before(async () => {
    alice = await registrant();
    bob = await registrant();
  });

  beforeEach(() => {
    channelName = `mycel-test-names-${crypto.randomUUID()}`;
    opened = [];
  });

  afterEach(() => {
    for (const item of opened) item.close();
  });

  it('resolves from one tab a name registered in another', async () => {
    const [first, second] = [cloud(), cloud()];
    const name = `${alice.identityId}.chat`;
    const key = await nameKey(name);
    first.publish(key, await registration(alice, name));
    const found = await second.resolve(key);
    expect(found.map((entry) => entry.name)).to.deep.equal([name]);
    expect(found[0]?.identityId).to.equal(alice.identityId);
  });

  it("gathers every tab's registration of an unsecured name, this tab's own included", async () => {
    const [first, second, third] = [cloud(), cloud(), cloud()];
    const key = await nameKey('0.printer');
    first.publish(key, await registration(alice, '0.printer'));
    third.publish(key, await registration(bob, '0.printer'));
    const expected = [alice.identityId, bob.identityId].sort();
    for (const asker of [first, second, third]) {
      const found = await asker.resolve(key);
      expect(found.map((entry) => entry.identityId).sort()).to.deep.equal(expected);
    }
  });

  it('announces changes; a withdrawn name no longer resolves', async () => {
    const [first, second] = [cloud(), cloud()];
    const key = await nameKey('0.printer');
    const announced: LocalCloudEvents['announced'][] = [];
    second.on('announced', (detail) => announced.push(detail));
    first.publish(key, await registration(alice, '0.printer'));
    await until(() => announced.length === 1);
    first.withdraw(key, await signTombstone(alice, '0.printer', Math.floor(Date.now()) + 1));
    await until(() => announced.length === 2);
    expect(announced.map((detail) => detail.registration.deleted)).to.deep.equal([false, true]);
    expect(await second.resolve(key)).to.deep.equal([]);
  });

  it('ignores and counts garbage from another tab, and keeps answering', async () => {
    const [first, second] = [cloud(), cloud()];
    const raw = rawTab();
    const seed = 0x6c6f6361;
    const random = createRandom(seed);
    const garbage = 20;
    for (let i = 0; i < garbage; i++) {
      raw.postMessage(Uint8Array.from({ length: 1 + random.int(200) }, () => random.int(256)));
    }
    raw.postMessage('not bytes at all');
    raw.postMessage(encodeCbor({ t: 'ask', r: Uint8Array.of(1, 2, 3), k: new Uint8Array(32) }));
    raw.postMessage(new Uint8Array(5000));
    const name = `${alice.identityId}.chat`;
    const key = await nameKey(name);
    // Bob signs Alice's secured name: well formed, but a forgery.
    const forged = await forge(bob, name);
    raw.postMessage(encodeCbor({ t: 'announce', k: key, v: forged }));
    await until(() => (first.rejections()['wrong-authority'] ?? 0) === 1);
    expect(first.rejections(), `seed ${seed}`).to.deep.equal({
      'bad-message': garbage + 2,
      'message-too-large': 1,
      'wrong-authority': 1,
    });
    first.publish(key, await registration(alice, name));
    expect((await second.resolve(key)).map((entry) => entry.identityId)).to.deep.equal([alice.identityId]);
  });

  it('drops forged and garbage registrations in answers, counting why', async () => {
    const asker = cloud();
    const raw = rawTab();
    const name = `${alice.identityId}.chat`;
    const key = await nameKey(name);
    const forged = await forge(bob, name);
    raw.addEventListener('message', (event: MessageEvent<Uint8Array>) => {
      const ask = decodeCbor(event.data) as { readonly [key: string]: WireValue };
      if (ask['t'] !== 'ask') return;
      raw.postMessage(
        encodeCbor({ t: 'answer', r: ask['r'] ?? null, k: key, v: [forged, Uint8Array.of(7)] }),
      );
    });
    expect(await asker.resolve(key)).to.deep.equal([]);
    expect(asker.rejections()).to.deep.equal({ 'wrong-authority': 1, malformed: 1 });
  });

  it('answers at most a burst of asks from a flooding tab', async () => {
    const flooded = cloud(frozenTimers());
    const key = await nameKey('0.printer');
    flooded.publish(key, await registration(alice, '0.printer'));
    const raw = rawTab();
    let answers = 0;
    raw.addEventListener('message', (event: MessageEvent<Uint8Array>) => {
      const message = decodeCbor(event.data) as { readonly [key: string]: WireValue };
      if (message['t'] === 'answer') answers++;
    });
    for (let i = 0; i < 80; i++) {
      raw.postMessage(encodeCbor({ t: 'ask', r: Uint8Array.of(0, 0, 0, 0, 0, 0, 0, i), k: key }));
    }
    await until(() => (flooded.rejections()['rate-limited'] ?? 0) === 30 && answers === 50);
    expect(flooded.rejections()).to.deep.equal({ 'rate-limited': 30 });
  });

  it('rejects a resolve whose signal aborts', async () => {
    const asker = cloud();
    const controller = new AbortController();
    const pending = asker.resolve(await nameKey('0.printer'), { signal: controller.signal });
    controller.abort();
    const error: unknown = await pending.catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(DOMException);
    expect((error as DOMException).name).to.equal('AbortError');
  });
});

/** A registration of `name` signed by `signer` over the documented layout, whoever owns the name. */
async function forge(signer: RegistrationSigner, name: string): Promise<Uint8Array> {
  const versionMs = Math.floor(Date.now());
  const map = {
    n: name,
    e: [],
    p: new Uint8Array(0),
    v: versionMs,
    x: versionMs + 600_000,
    k: signer.publicKey,
  };
  const signature = await sign(signer.signingKey, SigningNamespaces.nameRegistration, encodeCbor(map));
  return encodeCbor({ ...map, s: signature });
}
