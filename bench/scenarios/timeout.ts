/** A page-side bench step that took longer than it was given. */
export class BenchTimeoutError extends Error {
  override name = 'BenchTimeoutError';
}

/** `promise`, or a `BenchTimeoutError` naming `what` once `timeoutMs` have passed. */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new BenchTimeoutError(`${what} took over ${timeoutMs} ms`));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}
