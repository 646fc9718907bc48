/**
 * Base of every Mycel error. `message` is written for the person using the app;
 * `hint`, when set, says what they can do next. Subclasses set `name` as a literal,
 * since bundlers rename classes.
 */
export class MycelError extends Error {
  override name = 'MycelError';
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.hint = options.hint;
  }
}

/** The message of any thrown value, for showing to a person. */
export function messageOf(error: unknown): string {
  if (error instanceof MycelError && error.hint !== undefined) return `${error.message} ${error.hint}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
