import { expect } from 'chai';
import { defaultMembershipConfig } from '../../../../src/core/mesh/membership/config.ts';
import { addNode, crash, createOverlay, degreeStats, overlayProblems, type Overlay } from './overlay.ts';

const nodeCount = 200;
const crashShare = 0.3;
const maxRepairRounds = 10;
const { shuffleIntervalMs, activeViewSize } = defaultMembershipConfig;
/**
 * Repaired means views refilled, not just still connected: a degree-5 random graph mostly
 * survives losing 30 % of its nodes even with no repair at all.
 */
const minMeanDegreeAfterRepair = 0.85 * activeViewSize;

/** Overlay problems, plus a mean degree below `minMeanDegree`. */
function repairProblems(overlay: Overlay, minMeanDegree: number): string[] {
  const problems = overlayProblems(overlay, activeViewSize);
  const { mean } = degreeStats(overlay);
  if (mean < minMeanDegree) problems.push(`mean degree ${mean.toFixed(2)} below ${minMeanDegree}`);
  return problems;
}

/**
 * Advances in steps of `stepMs` until the overlay has no problems, at most `maxSteps` times;
 * returns the steps taken, or the last problems. Views are only ever symmetric between
 * messages in flight, so a healthy overlay is one seen healthy at some instant.
 */
async function settle(
  overlay: Overlay,
  stepMs: number,
  maxSteps: number,
): Promise<{ steps: number; problems: string[] }> {
  let problems = overlayProblems(overlay, activeViewSize);
  let steps = 0;
  while (problems.length > 0 && steps < maxSteps) {
    await overlay.network.advance(stepMs);
    steps++;
    problems = overlayProblems(overlay, activeViewSize);
  }
  return { steps, problems };
}

async function buildOverlay(seed: number): Promise<Overlay> {
  const overlay = createOverlay(seed);
  const script = overlay.random.fork('script');
  const ids: string[] = [];
  for (let i = 0; i < nodeCount; i++) {
    const id = `n${i}`;
    const node = await addNode(overlay, id);
    if (ids.length > 0) {
      const joining = node.join(script.pick(ids));
      await overlay.network.advance(500);
      expect(await joining, `seed ${seed}: ${id} joins`).to.equal(true);
    }
    ids.push(id);
  }
  return overlay;
}

async function crashAndRepair(seed: number): Promise<void> {
  const overlay = await buildOverlay(seed);
  await overlay.network.advance(3 * shuffleIntervalMs);
  const built = await settle(overlay, 100, 100);
  expect(built.problems, `seed ${seed}: after joining`).to.deep.equal([]);
  const before = degreeStats(overlay);

  const script = overlay.random.fork('crash');
  const victims = script.shuffle([...overlay.nodes.keys()]).slice(0, Math.round(nodeCount * crashShare));
  for (const id of victims) crash(overlay, id);

  const right = overlayProblems(overlay, activeViewSize);
  expect(right.length, `seed ${seed}: the crash should leave dangling neighbours`).to.be.greaterThan(0);

  const stepMs = 250;
  const limitMs = maxRepairRounds * shuffleIntervalMs;
  let elapsedMs = 0;
  let problems = right;
  while (problems.length > 0 && elapsedMs < limitMs) {
    await overlay.network.advance(stepMs);
    elapsedMs += stepMs;
    problems = repairProblems(overlay, minMeanDegreeAfterRepair);
  }
  const rounds = Math.ceil(elapsedMs / shuffleIntervalMs);
  const after = degreeStats(overlay);
  console.log(
    `membership seed ${seed}: ${nodeCount} nodes, degree mean ${before.mean.toFixed(2)} max ${before.max}; ` +
      `${victims.length} crashed: healthy after ${elapsedMs} ms virtual (${rounds} shuffle round(s)), ` +
      `degree mean ${after.mean.toFixed(2)} max ${after.max}`,
  );
  expect(problems, `seed ${seed}: ${elapsedMs} ms after the crash`).to.deep.equal([]);
  expect(rounds, `seed ${seed}: shuffle rounds to repair`).to.be.at.most(maxRepairRounds);
  // Repair reacts to closed links at once (§4.3); it does not wait for the periodic top-up.
  expect(elapsedMs, `seed ${seed}: repair time`).to.be.at.most(shuffleIntervalMs / 4);

  // And it stays healthy: a few rounds on, a healthy instant comes within one round.
  await overlay.network.advance(3 * shuffleIntervalMs);
  const later = await settle(overlay, 100, shuffleIntervalMs / 100);
  expect(later.problems, `seed ${seed}: three rounds after repair`).to.deep.equal([]);
}

describe('HyParView membership on the in-memory network', () => {
  for (const seed of [1, 20_240_611, 987_654_321]) {
    it(`keeps 200 nodes connected and symmetric, and repairs after 30 % crash (seed ${seed})`, async () => {
      await crashAndRepair(seed);
    });
  }

  it('stays connected while 1 % of frames break their link (seed 5)', async () => {
    const seed = 5;
    const overlay = createOverlay(seed);
    const script = overlay.random.fork('script');
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const node = await addNode(overlay, `n${i}`);
      if (ids.length > 0) void node.join(script.pick(ids));
      ids.push(`n${i}`);
      await overlay.network.advance(300);
    }
    await overlay.network.advance(2 * shuffleIntervalMs);
    overlay.network.setLoss(0.01);
    await overlay.network.advance(10 * shuffleIntervalMs);
    const broken = overlay.network.stats().linksBroken;
    overlay.network.setLoss(0);
    const healed = await settle(overlay, 100, shuffleIntervalMs / 100);
    console.log(
      `membership seed ${seed}: ${broken} links broken by loss; healthy ${healed.steps * 100} ms after loss stopped`,
    );
    expect(broken, `seed ${seed}: the loss should break links`).to.be.greaterThan(50);
    expect(healed.problems, `seed ${seed}`).to.deep.equal([]);
  });

  it('replays the same views from the same seed', async () => {
    const seed = 42;
    const views = async (): Promise<string[]> => {
      const overlay = createOverlay(seed);
      const ids: string[] = [];
      const script = overlay.random.fork('script');
      for (let i = 0; i < 30; i++) {
        const node = await addNode(overlay, `n${i}`);
        if (ids.length > 0) void node.join(script.pick(ids));
        ids.push(`n${i}`);
        await overlay.network.advance(300);
      }
      await overlay.network.advance(5 * shuffleIntervalMs);
      return [...overlay.nodes].map(
        ([id, node]) => `${id}: ${node.activeView().join(',')} | ${node.passiveView().join(',')}`,
      );
    };
    expect(await views(), `seed ${seed}`).to.deep.equal(await views());
  });
});
