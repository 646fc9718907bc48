import { expect } from 'chai';
import { defaultMembershipConfig } from '../../../../src/core/mesh/membership/config.ts';
import { addNode, createOverlay, overlayProblems, type Overlay } from './overlay.ts';

const { shuffleIntervalMs, activeViewSize } = defaultMembershipConfig;

async function joinedOverlay(seed: number, nodeCount: number): Promise<Overlay> {
  const overlay = createOverlay(seed);
  const script = overlay.random.fork('script');
  const ids: string[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const node = await addNode(overlay, `n${i}`);
    if (ids.length > 0) {
      const joining = node.join(script.pick(ids));
      await overlay.network.advance(500);
      await joining;
    }
    ids.push(`n${i}`);
  }
  await overlay.network.advance(6 * shuffleIntervalMs);
  return overlay;
}

/** Advances until the overlay is healthy; the virtual time it took, or undefined. */
async function timeToHeal(overlay: Overlay, limitMs: number): Promise<number | undefined> {
  const startMs = overlay.network.clock.nowMs();
  while (overlay.network.clock.nowMs() - startMs < limitMs) {
    if (overlayProblems(overlay, activeViewSize).length === 0) return overlay.network.clock.nowMs() - startMs;
    await overlay.network.advance(1_000);
  }
  return undefined;
}

describe('membership after a partition heals', function () {
  this.timeout(120_000);

  // Without asking with high priority after a while, 5 of these 6 seeds never merged.
  for (const seed of [7, 11, 12, 13, 14, 15]) {
    it(`an island of nodes that only know full ones merges back once the partition heals (seed ${seed})`, async () => {
      const overlay = await joinedOverlay(seed, 32);
      expect(overlayProblems(overlay, activeViewSize), `seed ${seed}: before`).to.deep.equal([]);
      const ids = [...overlay.nodes.keys()];
      const island = ids.slice(-4);
      overlay.network.partition(island, ids.slice(0, -4));
      await overlay.network.advance(12 * shuffleIntervalMs);
      const split = overlayProblems(overlay, activeViewSize);
      expect(split.join('; '), `seed ${seed}: the partition splits the overlay`).to.match(/connected/);
      const outside = ids.slice(0, -4);
      const full = outside.filter((id) => overlay.nodes.get(id)?.activeView().length === activeViewSize);
      expect(full.length, `seed ${seed}: the rest has refilled its views`).to.be.greaterThan(
        outside.length * 0.8,
      );
      overlay.network.heal();
      const healedAfterMs = await timeToHeal(overlay, 60 * shuffleIntervalMs);
      console.log(
        `membership seed ${seed}: island of ${island.length} merged after ${healedAfterMs ?? 'never'} ms`,
      );
      expect(
        healedAfterMs,
        `seed ${seed}: ${overlayProblems(overlay, activeViewSize).join('; ')}`,
      ).to.not.equal(undefined);
    });
  }
});
