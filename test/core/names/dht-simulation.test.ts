import { expect } from 'chai';
import { simulateNames, type NamesSimulationResult } from '../../helpers/names-simulation.ts';

/** What went wrong in a run, with the seed to replay it. */
function context(result: NamesSimulationResult): string {
  return `seed ${result.seed}: ${result.problems.slice(0, 5).join('; ') || 'no problem listed'}`;
}

function report(label: string, result: NamesSimulationResult, wallMs: number): void {
  console.log(
    `${label}, seed ${result.seed}: hops median ${result.medianHops}, p95 ${result.p95Hops} over ` +
      `${result.hops.length} gets; ${result.found} values found, ${result.missed} missed; ` +
      `${result.liveNodes} live nodes, ${result.meanContacts.toFixed(1)} contacts each; ` +
      `frames ${JSON.stringify(result.framesByPhase)}; ${Math.round(wallMs)} ms wall`,
  );
}

describe('names DHT simulation', () => {
  it('finds every value among 60 nodes, and nothing of the expired ones', async function () {
    this.timeout(60_000);
    const started = performance.now();
    const result = await simulateNames({ seed: 11, nodes: 60, lookups: 60, keys: 24 });
    report('60 nodes', result, performance.now() - started);
    expect(result.missed, context(result)).to.equal(0);
    expect(result.found, context(result)).to.be.greaterThan(0);
    expect(result.expiredValues, context(result)).to.be.greaterThan(0);
    expect(result.expiredGone, context(result)).to.equal(true);
    expect(Math.min(...result.putAcks), context(result)).to.equal(5);
  });

  it('500 nodes through churn: every live value is found in few hops, expired ones are gone', async function () {
    this.timeout(240_000);
    const started = performance.now();
    const result = await simulateNames({ seed: 20_260_707, nodes: 500, churn: true, lookups: 200 });
    report('500 nodes with churn', result, performance.now() - started);
    // 20 % of the nodes crashed and 10 % joined: the overlay lived through churn.
    expect(result.liveNodes, context(result)).to.equal(450);
    expect(Math.min(...result.putAcks), context(result)).to.equal(5);
    expect(result.missed, context(result)).to.equal(0);
    expect(result.found, context(result)).to.be.greaterThan(150);
    expect(result.expiredValues, context(result)).to.be.greaterThan(0);
    expect(result.expiredGone, context(result)).to.equal(true);
    // Hop counts are protocol properties (the depth at which a value was found), not timings.
    expect(result.medianHops, context(result)).to.be.at.most(3);
    expect(result.p95Hops, context(result)).to.be.at.most(5);
  });
});
