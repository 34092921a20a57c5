/**
 * What the history tests check of a store and its history (`keepHistory`): a fork at each write
 * the history holds is taken, and one at its last holds what the store holds.
 */
import { expect } from 'vitest';
import { forkStore, memoryStore, readHistory, type Store } from '../../src/store/index.js';

/** What a store holds, as a resume and a reader see it, with the outcomes of `ids`. */
export function contents(store: Store, ids: readonly string[]) {
  const { parts, ...organisation } = store.load();
  // The memory store keeps an agent's part list once it had one, empty or not; SQLite keeps rows.
  const held = Object.entries(parts).filter(([, byKey]) => Object.keys(byKey).length > 0);
  return { organisation, parts: Object.fromEntries(held), journal: store.journal(), outcomes: ids.map((id) => store.outcome(id)) };
}

/** Forks `store` at each write of `history`, and compares the fork at its last with the store (the outcomes of `ids` too). */
export function expectForksOf(store: Store, history: string, ids: readonly string[]): void {
  const batches = readHistory(history);
  for (const { lastSeq } of batches) expect(() => forkStore(store, memoryStore(), { at: lastSeq, history })).not.toThrow();
  const fork = memoryStore();
  forkStore(store, fork, { at: batches.at(-1)!.lastSeq, history });
  expect(contents(fork, ids)).toEqual(contents(store, ids));
}
