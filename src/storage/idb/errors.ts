import { MycelError } from '../../lib/errors.ts';

/** The browser refused to store more: the disk or the origin's storage quota is full. */
export class StorageFullError extends MycelError {
  override name = 'StorageFullError';

  constructor(options: { cause?: unknown } = {}) {
    super('This browser has no room left to save Mycel data.', {
      hint: 'Free some disk space, or clear data of sites you no longer need, then try again.',
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
  }
}

/** Whether `error` is the browser's quota error (a DOMException, or its own class in newer browsers). */
function isQuotaExceeded(error: unknown): boolean {
  return error instanceof Error && error.name === 'QuotaExceededError';
}

/**
 * Runs a storage operation, turning the browser's `QuotaExceededError` (thrown by a request
 * or reported as the transaction's error) into `StorageFullError`.
 */
export async function mapStorageErrors<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isQuotaExceeded(error)) throw new StorageFullError({ cause: error });
    throw error;
  }
}
