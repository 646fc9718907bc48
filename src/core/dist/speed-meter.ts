import type { Timers } from '../mesh/timers.ts';

/** Bytes per second over the last few seconds, as a file card shows it. */
export class SpeedMeter {
  private readonly timers: Timers;
  private readonly windowMs: number;
  private readonly samples: { atMs: number; bytes: number }[] = [];

  constructor(timers: Timers, windowMs = 3_000) {
    this.timers = timers;
    this.windowMs = windowMs;
  }

  add(bytes: number): void {
    this.samples.push({ atMs: this.timers.nowMs(), bytes });
    this.trim();
  }

  bytesPerSecond(): number {
    this.trim();
    const first = this.samples[0];
    if (first === undefined) return 0;
    const spanMs = Math.max(this.timers.nowMs() - first.atMs, 250);
    const total = this.samples.reduce((sum, sample) => sum + sample.bytes, 0);
    return (total * 1000) / spanMs;
  }

  private trim(): void {
    const oldest = this.timers.nowMs() - this.windowMs;
    while ((this.samples[0]?.atMs ?? Infinity) < oldest) this.samples.shift();
  }
}
