import type { Clock } from '../../core/ports.ts';

interface ScheduledTask {
  readonly atMs: number;
  /** Order of scheduling: breaks ties so tasks due at the same time run first-in first-out. */
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

function runsBefore(x: ScheduledTask, y: ScheduledTask): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
}

/** A binary min-heap of tasks by (due time, scheduling order). */
class TaskQueue {
  private readonly heap: ScheduledTask[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): ScheduledTask | undefined {
    return this.heap[0];
  }

  push(task: ScheduledTask): void {
    const heap = this.heap;
    heap.push(task);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const above = heap[parent] as ScheduledTask;
      if (!runsBefore(task, above)) break;
      heap[i] = above;
      i = parent;
    }
    heap[i] = task;
  }

  pop(): ScheduledTask | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const leftTask = heap[left] as ScheduledTask;
      const rightTask = heap[right];
      const [child, childTask] =
        rightTask !== undefined && runsBefore(rightTask, leftTask) ? [right, rightTask] : [left, leftTask];
      if (!runsBefore(childTask, last)) break;
      heap[i] = childTask;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

/**
 * Lets the host run every pending microtask (promise reactions of the task that just ran)
 * before the next task. A MessageChannel message is a macrotask that, unlike `setTimeout(0)`,
 * is never clamped to 4 ms, so thousands of steps stay fast.
 */
function settleMicrotasks(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Options of `VirtualClock.runUntilIdle`. */
export interface RunOptions {
  /** Fails instead of running more tasks than this (a timer that always re-arms never idles). */
  readonly maxTasks?: number;
}

/**
 * Virtual time for simulations: a `Clock` whose time moves only when its queued tasks run,
 * so a run of thousands of steps takes no wall-clock waiting and replays exactly.
 *
 * After each task the clock lets every promise reaction settle before it runs the next one,
 * so `await link.send(...)` or `await transport.dial(...)` continues at the virtual instant
 * the task ran. Code under simulation must take its asynchrony from this clock alone:
 * anything that resolves on real time (Web Crypto, real timers, IndexedDB) makes the order of
 * events depend on the host.
 */
export class VirtualClock implements Clock {
  private currentMs: number;
  private readonly queue = new TaskQueue();
  private nextSeq = 0;
  private liveTasks = 0;
  private running = false;

  constructor(startMs = 0) {
    this.currentMs = startMs;
  }

  nowMs(): number {
    return this.currentMs;
  }

  /** Tasks queued and not cancelled. */
  get pendingTasks(): number {
    return this.liveTasks;
  }

  /** Queues `task` to run `delayMs` from now (at least now); returns a function that cancels it. */
  schedule(delayMs: number, task: () => void): () => void {
    return this.scheduleAt(this.currentMs + Math.max(0, delayMs), task);
  }

  /** Queues `task` at virtual time `atMs` (now if that has passed); returns a cancel function. */
  scheduleAt(atMs: number, task: () => void): () => void {
    if (Number.isNaN(atMs)) throw new RangeError('A task needs a time, not NaN.');
    const entry: ScheduledTask = {
      atMs: Math.max(atMs, this.currentMs),
      seq: this.nextSeq++,
      run: task,
      cancelled: false,
    };
    this.queue.push(entry);
    this.liveTasks++;
    return () => {
      if (entry.cancelled) return;
      entry.cancelled = true;
      this.liveTasks--;
    };
  }

  /** Resolves once virtual time has moved `delayMs` on (when the clock runs that far). */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.schedule(delayMs, resolve));
  }

  /** Runs the next due task, if any, and lets its promise reactions settle. */
  step(): Promise<boolean> {
    return this.exclusively(() => this.runNext(Infinity));
  }

  /** Runs tasks until none is left; resolves with how many ran. */
  runUntilIdle(options: RunOptions = {}): Promise<number> {
    const maxTasks = options.maxTasks ?? 1_000_000;
    return this.exclusively(async () => {
      let ran = 0;
      while (await this.runNext(Infinity)) {
        ran++;
        if (ran >= maxTasks && this.liveTasks > 0) {
          throw new Error(`The simulation did not go idle within ${maxTasks} tasks.`);
        }
      }
      return ran;
    });
  }

  /** Runs every task due within `durationMs`, then moves the time to exactly now + `durationMs`. */
  advance(durationMs: number): Promise<number> {
    if (!(durationMs >= 0)) return Promise.reject(new RangeError(`Cannot advance by ${durationMs} ms.`));
    const untilMs = this.currentMs + durationMs;
    return this.exclusively(async () => {
      let ran = 0;
      while (await this.runNext(untilMs)) ran++;
      this.currentMs = untilMs;
      return ran;
    });
  }

  /** Runs `body` as the only runner: two loops interleaving would make runs depend on the host. */
  private async exclusively<T>(body: () => Promise<T>): Promise<T> {
    if (this.running) throw new Error('This virtual clock is already running.');
    this.running = true;
    try {
      return await body();
    } finally {
      this.running = false;
    }
  }

  /** Runs the earliest live task due at or before `untilMs`; false if there is none. */
  private async runNext(untilMs: number): Promise<boolean> {
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined || next.atMs > untilMs) return false;
      this.queue.pop();
      if (next.cancelled) continue;
      next.cancelled = true;
      this.liveTasks--;
      this.currentMs = next.atMs;
      next.run();
      await settleMicrotasks();
      return true;
    }
  }
}
