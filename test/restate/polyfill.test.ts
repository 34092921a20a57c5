import { describe, expect, it } from 'vitest';
import { installPromiseWithResolvers, withResolvers } from '../../src/restate/polyfill.js';

describe('Promise.withResolvers polyfill', () => {
  it('resolves and rejects the promise it hands out', async () => {
    const yes = withResolvers<number>();
    yes.resolve(42);
    await expect(yes.promise).resolves.toBe(42);
    const no = withResolvers<number>();
    no.reject(new Error('nope'));
    await expect(no.promise).rejects.toThrow('nope');
  });

  it('installs itself on a constructor that lacks it, and leaves one that has it alone', async () => {
    class Bare extends Promise<unknown> {}
    Object.defineProperty(Bare, 'withResolvers', { value: undefined, configurable: true, writable: true });
    expect(installPromiseWithResolvers(Bare as unknown as PromiseConstructor)).toBe(true);
    const made = (Bare as unknown as { withResolvers<T>(): { promise: Promise<T>; resolve(value: T): void } }).withResolvers<string>();
    expect(made.promise).toBeInstanceOf(Bare);
    made.resolve('done');
    await expect(made.promise).resolves.toBe('done');
    expect(installPromiseWithResolvers(Bare as unknown as PromiseConstructor)).toBe(false);
  });

  it('is present on the global Promise once echelon/restate is loaded', async () => {
    await import('../../src/restate/polyfill.js');
    expect(typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers).toBe('function');
  });
});
