/**
 * The time mesh services need: the current time and one-shot timers. The simulation's
 * `VirtualClock` satisfies it as is, so runs replay from their seed; on live links,
 * `realTimeTimers` runs it on `setTimeout`.
 */
export interface Timers {
  nowMs(): number;
  /** Runs `task` once after `delayMs`; returns a function that cancels it. */
  schedule(delayMs: number, task: () => void): () => void;
}

/** Runs `task` every `intervalMs` until the returned function is called. */
export function repeatEvery(timers: Timers, intervalMs: number, task: () => void): () => void {
  let cancel = timers.schedule(intervalMs, function run() {
    cancel = timers.schedule(intervalMs, run);
    task();
  });
  return () => cancel();
}

/** `Timers` on the host's wall clock and `setTimeout`, for production. */
export function realTimeTimers(): Timers {
  return {
    // Epoch milliseconds with sub-millisecond precision: a loopback round trip is far below 1 ms.
    nowMs: () => performance.timeOrigin + performance.now(),
    schedule: (delayMs, task) => {
      const handle = setTimeout(task, delayMs);
      return () => clearTimeout(handle);
    },
  };
}
