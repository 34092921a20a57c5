/**
 * SIGKILL after SIGKILL on one SQLite file whose history is kept, with `org.forget` in every
 * process: the child (`forget-loop-driver.ts`) is killed at a seeded hook count — between a
 * forget's line and the store running it, between a write after a forget and its line, anywhere —
 * and started again on the same files, until one runs to its end. The history must still be the
 * store's: a fork at each of its writes is taken, and one at its last holds what the store holds
 * (a write lost after a forget was once never caught up, and the fork refused the whole history).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { readHistory } from '../../src/store/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { seeded } from '../support/helpers.js';
import { expectForksOf } from '../support/history-forks.js';
import { runDriver } from './generation.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-forget-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('kills around forgets, each process resumed on the same files: the history stays the store\'s', async () => {
  const db = join(dir, 'loop.db');
  const random = seeded(39);
  // A process passes some 35 hooks, so nearly every count lands; every fourth process is killed right after the first write after a forget.
  const kills = [...Array.from({ length: 14 }, (_, index) => (index % 4 === 1 ? ['--after-forget'] : ['--kill', String(1 + Math.floor(random() * 30))])), ['--kill', '0']];
  const where: string[] = [];
  for (const kill of kills) {
    const run = await runDriver(join('test', 'crash', 'forget-loop-driver.ts'), ['--db', db, ...kill]);
    expect(run.stderr).toBe('');
    if (run.killed) where.push(run.lines.find((line) => line.startsWith('KILL '))!);
    else expect(run.lines.at(-1)).toBe('DONE');
  }
  const afterForget = where.filter((line) => line === 'KILL after the first write after a forget');
  expect(afterForget).toHaveLength(4);
  expect(where.length - afterForget.length).toBeGreaterThanOrEqual(6);
  const history = `${db}.history.jsonl`;
  expect(readHistory(history).flatMap((kept) => kept.forgets ?? []).length).toBeGreaterThanOrEqual(5);
  const store = sqliteStore(db, { readOnly: true });
  try {
    expectForksOf(store, history, []);
  } finally {
    store.close();
  }
}, 120_000);
