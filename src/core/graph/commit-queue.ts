import type { RecordBatch, RecordStore } from '../ports.ts';

interface Waiting {
  readonly batch: RecordBatch;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: writes asked for while a transaction runs wait and go together in the next
 * one, so a burst of records costs one IndexedDB transaction per flush, not one per record
 * (DESIGN.md, Storage). Each caller learns whether its own writes were committed.
 */
export class CommitQueue {
  private readonly store: RecordStore;
  private readonly graphId: string;
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(store: RecordStore, graphId: string) {
    this.store = store;
    this.graphId = graphId;
  }

  /** Resolves once `batch` is committed; rejects with the store's error if the flush failed. */
  commit(batch: RecordBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Whatever else arrives in this turn joins the first transaction.
        queueMicrotask(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      const batch: RecordBatch = {
        put: group.flatMap(({ batch: { put } }) => put),
        remove: group.flatMap(({ batch: { remove } }) => remove),
      };
      try {
        await this.store.commit(this.graphId, batch);
        for (const { resolve } of group) resolve();
      } catch (error) {
        for (const { reject } of group) reject(error);
      }
    }
    this.flushing = false;
  }
}
