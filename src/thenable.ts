/**
 * Whether a decision answered later: any thenable (a native promise, one from another library or
 * realm), as `await` takes it. One test for every place an answer may be pending.
 */
export const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
