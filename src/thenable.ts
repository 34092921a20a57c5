/**
 * Whether a decision answered later: any thenable (a native promise, one from another library or
 * realm), as `await` takes it. One test for every place an answer may be pending.
 */
export const isThenable = (value: unknown): value is PromiseLike<unknown> => typeof (value as { then?: unknown } | null | undefined)?.then === 'function';

/**
 * Calls a user's listener with `value`. What goes wrong goes to `onError`, never up the caller's
 * stack (an agent's turn) and never unhandled: a throw, and a promise it returns that rejects (an
 * `async` listener that throws, which would otherwise end a Node process).
 */
export function callListener<T>(listener: (value: T) => unknown, value: T, onError: (error: unknown) => void): void {
  try {
    const returned = listener(value);
    if (isThenable(returned)) returned.then(undefined, onError);
  } catch (error) {
    onError(error);
  }
}

/**
 * Marks a waiter's promise handled and hands it back: stopping rejects whoever waits, and a wait
 * nobody awaits (a submit, an outcome or a drain fired and forgotten) must not end the process with
 * an unhandled rejection. Whoever does await it still gets the rejection.
 */
export function unhandledIsFine<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** What `Promise.withResolvers()` returns. */
export interface Resolvers<T> {
  readonly promise: Promise<T>;
  readonly resolve: (value: T | PromiseLike<T>) => void;
  readonly reject: (reason?: unknown) => void;
}

/**
 * The standard `Promise.withResolvers` (Node 22), written out for Node 20: a promise (of
 * `PromiseClass`, a subclass when the standard is called on one) with its resolve and reject.
 *
 * @example
 * ```ts
 * const { promise, resolve } = withResolvers<number>();
 * resolve(42);
 * await promise; // 42
 * ```
 */
export function withResolvers<T>(PromiseClass: PromiseConstructor = Promise): Resolvers<T> {
  let resolve!: Resolvers<T>['resolve'];
  let reject!: Resolvers<T>['reject'];
  const promise = new PromiseClass<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}
