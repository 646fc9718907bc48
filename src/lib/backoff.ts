/**
 * Exponential backoff: the first wait is `initialMs`, each later one doubles up to `maxMs`,
 * and `reset` after a success starts again from `initialMs`.
 */
export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private nextMs: number;

  constructor(initialMs: number, maxMs: number) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.nextMs = initialMs;
  }

  /** The wait before the next try; the one after it is twice as long, up to the cap. */
  next(): number {
    const waitMs = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.maxMs);
    return waitMs;
  }

  reset(): void {
    this.nextMs = this.initialMs;
  }
}
