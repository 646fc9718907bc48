import { MycelError } from '../../lib/errors.ts';
import type { Random } from '../../lib/random.ts';
import type { Timers } from '../mesh/timers.ts';
import type { DhtMessage, DhtResponse, FoundMessage, PongMessage, StoredMessage } from './dht-messages.ts';

/** A DHT request got no answer in time. */
export class DhtRequestTimeoutError extends MycelError {
  override name = 'DhtRequestTimeoutError';
}

/** A DHT request was given up: the lookup was cancelled or the DHT stopped. */
export class DhtRequestCancelledError extends MycelError {
  override name = 'DhtRequestCancelledError';
}

/** The request messages, without the request id that `PendingRequests` draws for them. */
export type DhtRequestBody =
  | { readonly t: 'find'; readonly k: Uint8Array; readonly v: boolean }
  | { readonly t: 'store'; readonly k: Uint8Array; readonly v: Uint8Array }
  | { readonly t: 'ping' };

/** The answer each request type expects. */
export interface DhtAnswerOf {
  find: FoundMessage;
  store: StoredMessage;
  ping: PongMessage;
}

const answerType = { find: 'found', store: 'stored', ping: 'pong' } as const;

interface Pending {
  readonly expects: DhtResponse['t'];
  readonly settle: (outcome: { ok: true; answer: DhtResponse } | { ok: false; error: Error }) => void;
}

/** What `PendingRequests.answer` made of a response. */
export type AnswerMatch = 'matched' | 'late' | 'unasked';

/** Timed-out or cancelled requests remembered, so their late answers are not taken for forgeries. */
const rememberedTimeouts = 256;

/**
 * Requests this node has in flight, matched to their answers by (node asked, request id).
 * Ids come from the node's `Random`: they are not secrets (the link already authenticates
 * the sender), only names that keep answers apart. A request fails when its carrier cannot
 * deliver it, when no answer comes within `timeoutMs`, or when it is cancelled.
 */
export class PendingRequests {
  private readonly timers: Timers;
  private readonly random: Random;
  private readonly timeoutMs: number;
  private readonly pending = new Map<string, Pending>();
  private readonly timedOut = new Set<string>();

  /** No request in flight yet; each will wait `timeoutMs` for its answer. */
  constructor(timers: Timers, random: Random, timeoutMs: number) {
    this.timers = timers;
    this.random = random;
    this.timeoutMs = timeoutMs;
  }

  /** Requests awaiting an answer. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends `request` to `nodeId` through `transmit` and resolves with its answer; rejects with
   * the carrier's error, `DhtRequestTimeoutError` or `DhtRequestCancelledError`.
   */
  request<T extends DhtRequestBody['t']>(
    nodeId: string,
    request: Extract<DhtRequestBody, { t: T }>,
    transmit: (nodeId: string, message: DhtMessage) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<DhtAnswerOf[T]> {
    let id = this.random.uint32();
    while (this.pending.has(matchKey(nodeId, id))) id = this.random.uint32();
    const key = matchKey(nodeId, id);
    return new Promise<DhtAnswerOf[T]>((resolve, reject) => {
      const onAbort = (): void => {
        this.rememberTimeout(key);
        finish({ ok: false, error: new DhtRequestCancelledError('Cancelled.') });
      };
      const cancelTimer = this.timers.schedule(this.timeoutMs, () => {
        this.rememberTimeout(key);
        finish({ ok: false, error: new DhtRequestTimeoutError(`${nodeId} did not answer in time.`) });
      });
      const finish: Pending['settle'] = (outcome) => {
        if (this.pending.get(key)?.settle !== finish) return;
        this.pending.delete(key);
        cancelTimer();
        signal?.removeEventListener('abort', onAbort);
        // The answer's type was checked against `expects`, which is the type T asks for.
        if (outcome.ok) resolve(outcome.answer as DhtAnswerOf[T]);
        else reject(outcome.error);
      };
      this.pending.set(key, { expects: answerType[request.t], settle: finish });
      if (signal?.aborted === true) return onAbort();
      signal?.addEventListener('abort', onAbort);
      transmit(nodeId, { ...request, r: id }).catch((error: unknown) =>
        finish({ ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    });
  }

  /** Hands `answer` from `from` to the request it answers, if this node asked. */
  answer(from: string, answer: DhtResponse): AnswerMatch {
    const key = matchKey(from, answer.r);
    const pending = this.pending.get(key);
    if (pending === undefined || pending.expects !== answer.t) {
      return this.timedOut.delete(key) ? 'late' : 'unasked';
    }
    pending.settle({ ok: true, answer });
    return 'matched';
  }

  /** Fails every request in flight. */
  cancelAll(): void {
    for (const pending of [...this.pending.values()]) {
      pending.settle({ ok: false, error: new DhtRequestCancelledError('The DHT stopped.') });
    }
  }

  private rememberTimeout(key: string): void {
    this.timedOut.add(key);
    if (this.timedOut.size <= rememberedTimeouts) return;
    const oldest = this.timedOut.values().next();
    if (oldest.done !== true) this.timedOut.delete(oldest.value);
  }
}

function matchKey(nodeId: string, id: number): string {
  return `${nodeId}/${id}`;
}
