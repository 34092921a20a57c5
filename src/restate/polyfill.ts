/**
 * `Promise.withResolvers` for Node 20. The Restate SDK (1.17) calls it, and Node ships it only
 * from 22: `echelon/restate` installs this before the SDK loads (src/restate/index.ts imports this
 * module first and loads the SDK with a dynamic `import()`), so the SDK runs on the Node versions
 * echelon supports. Where the runtime has its own, nothing is replaced.
 */

import { withResolvers as promiseWithResolvers, type Resolvers } from '../thenable.js';

export type { Resolvers };

/**
 * The standard `Promise.withResolvers`, written out: a promise with its resolve and reject.
 *
 * @example
 * ```ts
 * const { promise, resolve } = withResolvers<number>();
 * resolve(42);
 * await promise; // 42
 * ```
 */
export const withResolvers: <T>() => Resolvers<T> = () => promiseWithResolvers();

/**
 * Installs `Promise.withResolvers` when the runtime lacks it; returns whether it did.
 *
 * @example
 * ```ts
 * installPromiseWithResolvers(); // false on Node 22, true on Node 20 (once)
 * ```
 */
export function installPromiseWithResolvers(target: PromiseConstructor = Promise): boolean {
  const holder = target as unknown as { withResolvers?: unknown };
  if (typeof holder.withResolvers === 'function') return false;
  Object.defineProperty(target, 'withResolvers', {
    value: function withResolversOf<T>(this: PromiseConstructor): Resolvers<T> {
      // Called on a subclass, the standard builds that subclass's promise.
      return promiseWithResolvers<T>(typeof this === 'function' ? this : Promise);
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return true;
}

installPromiseWithResolvers();
