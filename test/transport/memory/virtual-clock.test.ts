import { expect } from 'chai';
import { VirtualClock } from '../../../src/transport/memory/virtual-clock.ts';

describe('virtual clock', () => {
  it('runs tasks in time order, first-scheduled first on ties, and moves time to each', async () => {
    const clock = new VirtualClock(100);
    const ran: string[] = [];
    const note = (name: string) => () => ran.push(`${name}@${clock.nowMs()}`);
    clock.schedule(30, note('c'));
    clock.schedule(10, note('a'));
    clock.schedule(30, note('d'));
    clock.schedule(10, note('b'));
    clock.schedule(-5, note('now'));
    expect(await clock.runUntilIdle()).to.equal(5);
    expect(ran).to.deep.equal(['now@100', 'a@110', 'b@110', 'c@130', 'd@130']);
  });

  it('skips cancelled tasks', async () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    const cancel = clock.schedule(5, () => ran.push(5));
    clock.schedule(6, () => ran.push(6));
    cancel();
    cancel();
    expect(clock.pendingTasks).to.equal(1);
    await clock.runUntilIdle();
    expect(ran).to.deep.equal([6]);
  });

  it('advance runs only what is due and lands exactly on the target time', async () => {
    const clock = new VirtualClock();
    const ran: number[] = [];
    for (const delay of [10, 20, 30]) clock.schedule(delay, () => ran.push(delay));
    expect(await clock.advance(20)).to.equal(2);
    expect(clock.nowMs()).to.equal(20);
    expect(ran).to.deep.equal([10, 20]);
    await clock.advance(5);
    expect(clock.nowMs()).to.equal(25);
    expect(clock.pendingTasks).to.equal(1);
  });

  it('lets promise reactions of a task finish before the next task, at that task’s time', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const reacting = async (): Promise<void> => {
      await clock.sleep(10);
      await Promise.resolve();
      await Promise.resolve();
      seen.push(`reaction@${clock.nowMs()}`);
    };
    void reacting();
    clock.schedule(10, () => seen.push(`second task@${clock.nowMs()}`));
    await clock.runUntilIdle();
    expect(seen).to.deep.equal(['reaction@10', 'second task@10']);
  });

  it('refuses to run twice at once and reports a simulation that never idles', async () => {
    const clock = new VirtualClock();
    const rearm = (): void => {
      clock.schedule(1, rearm);
    };
    rearm();
    const first = clock.runUntilIdle({ maxTasks: 50 });
    let error: unknown;
    try {
      await clock.step();
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(Error);
    error = undefined;
    try {
      await first;
    } catch (caught) {
      error = caught;
    }
    expect(String(error)).to.contain('did not go idle within 50 tasks');
  });
});
