/**
 * The presence figure of the names page scenario: two of the 16 nodes, each the other's
 * contact, one watching the other through its secured name; each change is timed from the
 * contact's `setPresence` to the watcher's `presence` event.
 */
import { Collab } from '../../src/core/collab/collab.ts';
import { collabProtocol } from '../../src/core/collab/collab-messages.ts';
import { contactPeerName } from '../../src/core/collab/contact-card.ts';
import { realTimeTimers } from '../../src/core/mesh/timers.ts';
import { createRandom } from '../../src/lib/random.ts';
import type { NamesMeshOptions } from './names-reports.ts';
import type { NamesNode } from './names.ts';
import { withTimeout } from './timeout.ts';

function collabOn(entry: NamesNode, seed: number): { collab: Collab; off: () => void } {
  const preferences = new Map<string, unknown>();
  const { identityId, self } = entry.node.identity;
  const collab = new Collab({
    identity: {
      identityId,
      publicKey: self.publicKey,
      signingKey: self.signingKey,
      displayName: `Bench ${seed}`,
    },
    colour: '#336699',
    preferences: {
      get: (key) => Promise.resolve(preferences.get(key)),
      set: (key, value) => Promise.resolve(void preferences.set(key, value)),
    },
    carrier: { send: (nodeId, body) => entry.meshDht.pool.send(nodeId, collabProtocol, body) },
    resolveContact: async (id) =>
      (await entry.names.resolve(contactPeerName(id), { fresh: true })).records.flatMap(
        (record) => record.endpoints,
      ),
    names: entry.names,
    timers: realTimeTimers(),
    random: createRandom(seed),
    nodeId: () => entry.node.nodeId,
  });
  const off = entry.node.mesh.handle(collabProtocol, (from, body) =>
    collab.receive({ nodeId: from.nodeId, publicKey: from.publicKey }, body),
  );
  return { collab, off };
}

/** Resolves when `collab` hears `identityId`'s presence with `text`. */
function heard(collab: Collab, identityId: string, text: string): Promise<number> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (collab.presence.presenceOf(identityId)?.text !== text) return;
      off();
      resolve(performance.now());
    };
    const off = collab.presence.on('presence', check);
    check();
  });
}

export async function presenceTimes(
  entries: readonly NamesNode[],
  options: NamesMeshOptions,
): Promise<number[]> {
  const [contactEntry, watcherEntry] = [entries[1], entries[2]];
  if (contactEntry === undefined || watcherEntry === undefined) throw new Error('two nodes needed');
  const contact = collabOn(contactEntry, options.seed + 1);
  const watcher = collabOn(watcherEntry, options.seed + 2);
  try {
    await Promise.all([contact.collab.start(), watcher.collab.start()]);
    await watcherEntry.names.register('contact', { secured: true });
    await contactEntry.names.register('contact', { secured: true });
    await contact.collab.contacts.add(watcher.collab.myCard());
    await watcher.collab.contacts.add(contact.collab.myCard());
    const contactId = contactEntry.node.identity.identityId;
    await contact.collab.presence.setPresence('online', 'ready');
    await withTimeout(heard(watcher.collab, contactId, 'ready'), options.timeoutMs, 'the first presence');
    const times: number[] = [];
    for (let change = 0; change < options.presenceChanges; change += 1) {
      const text = `change ${change}`;
      const arrived = heard(watcher.collab, contactId, text);
      const startedAt = performance.now();
      await contact.collab.presence.setPresence(change % 2 === 0 ? 'busy' : 'online', text);
      times.push((await withTimeout(arrived, options.timeoutMs, 'a presence change')) - startedAt);
    }
    return times;
  } finally {
    contact.off();
    watcher.off();
    await contact.collab.stop();
    await watcher.collab.stop();
  }
}
