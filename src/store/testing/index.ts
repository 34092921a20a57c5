/**
 * @module
 * The store conformance suite (`echelon/store/testing`): the cases every `Store` must pass, for
 * whoever writes one. It registers them with the `describe` and `it` it is given and asserts with
 * `node:assert`, so it runs under vitest, jest, mocha or `node:test`, and echelon itself needs
 * no test runner. echelon's memory and SQLite stores run it unchanged.
 *
 * @example
 * ```ts
 * import { describe, it } from 'vitest';
 * import { storeConformance } from 'echelon/store/testing';
 *
 * storeConformance('my', { create: () => myStore() }, { describe, it });
 * ```
 */
export { storeConformance, type StoreFactory, type TestRunner } from './conformance.js';
