/**
 * The same store killed again and again: the kill loop's child (`loop-driver.ts`) is SIGKILLed at a
 * seeded hook count in each process — while it reads the store at start, mid-burst, around writes
 * (between a commit and its history line too), while executors run, while approvals wait or are
 * given — and started again on the same files, until one runs to its end. Then, from the file, the
 * executors' own table and what the last process saw: every task ended exactly once as it should,
 * every side effect happened once and no executor started after its completion was recorded,
 * nothing is held or in flight, nothing had to be re-sent, and the kept history is still the
 * store's (a fork at each of its writes is taken, the last holds what the store holds). Kill
 * points are hook counts (see `kill-points.ts`), so pass or fail does not depend on timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../src/sqlite.js';
import { seeded } from '../support/helpers.js';
import { expectForksOf } from '../support/history-forks.js';
import { settledOnce } from './file-checks.js';
import { runDriver } from './generation.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-kill-loop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The driver's plan, and how each of its tasks ends. */
const ENDS: Record<string, string> = {
  python: 'completed',
  'flaky-sql': 'completed',
  feature: 'completed',
  'approve-react': 'completed',
  'budget-css': 'completed',
  'cancel-python': 'cancelled',
  'flaky-css': 'completed',
  'approve-sql': 'completed',
};

describe('SIGKILL after SIGKILL on one SQLite file, each process resumed from what the last left', () => {
  it('up to twenty kills in a row: every task ends once, nothing completed runs again, nothing is held, the history is the store\'s', async () => {
    const db = join(dir, 'loop.db');
    const random = seeded(24);
    // Every other process (the first a new store, not read at start) dies at a named point — while it reads the store at start, between a write's commit and
    // its history line, just before a write, as a person approves, between a side effect and its recording — and the
    // others at a count (a full run passes ~117 hooks, a resume some more), so each dies after a part of the work.
    const named = ['reading the store at start:1', 'a person approves:1', 'after a write:2', 'executor finished, result not yet recorded:1', 'before a write:3', 'after a write:1'];
    const kills = [...Array.from({ length: 20 }, (_, index) => (index % 2 === 1 ? ['--at', named[((index - 1) / 2) % named.length]!] : ['--kill', String(1 + Math.floor(random() * 30))])), ['--kill', '0']];
    let killed = 0;
    let betweenAWriteAndItsLine = 0;
    let last: string[] | undefined;
    for (const kill of kills) {
      const run = await runDriver(join('test', 'crash', 'loop-driver.ts'), ['--db', db, ...kill]);
      expect(run.stderr).toBe('');
      // One that ran to its end is started again all the same: a finished organisation is read and written at start too.
      if (!run.killed) {
        expect(run.lines.at(-1)).toBe('DONE');
        last = run.lines;
        continue;
      }
      killed += 1;
      if (run.lines.some((entry) => /^KILL .*after a write/.test(entry))) betweenAWriteAndItsLine += 1;
    }
    expect(kills.at(-1)).toEqual(['--kill', '0']);
    expect(last?.at(-1)).toBe('DONE');
    expect(killed).toBeGreaterThanOrEqual(10);
    expect(betweenAWriteAndItsLine).toBeGreaterThanOrEqual(3);
    const line = (prefix: string) => JSON.parse(last!.find((entry) => entry.startsWith(prefix))!.slice(prefix.length));
    expect(Object.fromEntries(line('OUTCOMES ') as Array<[string, string]>)).toEqual(ENDS);
    expect(line('HELD ')).toEqual([]);

    const recorded = settledOnce(db, Object.keys(ENDS));
    const effects = new Database(`${db}.effects`, { readonly: true, fileMustExist: true });
    const done = effects.prepare<[], string>('SELECT key FROM effects ORDER BY key').pluck().all();
    const starts = effects.prepare<[], { key: string; session: number }>('SELECT key, session FROM starts').all();
    effects.close();
    expect(done).toEqual([...recorded.keys()].sort());
    for (const { key, session } of starts) if (recorded.has(key)) expect(session, key).toBeLessThanOrEqual(recorded.get(key)!);

    const store = sqliteStore(db, { readOnly: true });
    try {
      expectForksOf(store, `${db}.history.jsonl`, Object.keys(ENDS));
    } finally {
      store.close();
    }
  });
});
