/**
 * A store's history (`keepHistory`) across a SIGKILL: the child process (`history-driver.ts`) is
 * killed right after the store committed a write and before the history has it — the window
 * `keepHistory` leaves it one write behind its store — or with that write's line cut short, as a
 * kill in the middle of its append leaves it; then it resumes on the same files and runs to its end.
 * The history must still be the store's: a fork at each of its writes is taken, and one at its last
 * holds what the store holds. The kill points are write counts in the child, so nothing depends on timing.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam } from '../../src/index.js';
import { keepHistory, readHistory } from '../../src/store/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { expectForksOf } from '../support/history-forks.js';
import { runDriver } from './generation.js';

const DRIVER = join('test', 'crash', 'history-driver.ts');

const dir = mkdtempSync(join(tmpdir(), 'echelon-crash-history-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('keepHistory: SIGKILL between a write and its line in the history, resumed on the same files', () => {
  const cases = [
    { kill: 1, torn: false, name: 'the first write (the history still empty)' },
    { kill: 4, torn: false, name: 'a later write' },
    { kill: 4, torn: true, name: 'a later write, its line cut short' },
  ];
  for (const { kill, torn, name } of cases) {
    it(`killed after ${name}: a fork at each of its writes is taken, and one at the last holds what the store holds`, async () => {
      const db = join(dir, `kill-${kill}-${torn}.db`);
      const history = `${db}.history.jsonl`;
      const crashed = await runDriver(DRIVER, ['--db', db, '--history', history, '--kill', String(kill)]);
      expect(crashed.killed).toBe(true);
      if (torn) appendFileSync(history, '{"session":1,"snapshots":[{"id":"cto","snap');
      const resumed = await runDriver(DRIVER, ['--db', db, '--history', history, '--kill', '0']);
      expect(resumed.stderr).toBe('');
      expect(resumed.lines.at(-1)).toBe('DONE');

      expectTheStores(db, history);
    });
  }

  for (const forget of ['before', 'after']) {
    it(`killed ${forget} the store ran a forget: a fork at the last write holds what the store holds`, async () => {
      const db = join(dir, `forget-${forget}.db`);
      const history = `${db}.history.jsonl`;
      const crashed = await runDriver(DRIVER, ['--db', db, '--history', history, '--kill', '0', '--forget', forget]);
      expect(crashed.lines.at(-1)).toBe(`KILL ${forget} the forget`);
      // The tasks it forgot are unknown to the next process, which runs them again.
      const resumed = await runDriver(DRIVER, ['--db', db, '--history', history, '--kill', '0']);
      expect(resumed.stderr).toBe('');
      expect(resumed.lines.at(-1)).toBe('DONE');
      expectTheStores(db, history);
    });
  }

  it('a second process opening the files while the first is between a write and its line is refused and leaves the history as it was', async () => {
    const db = join(dir, 'alongside.db');
    const history = `${db}.history.jsonl`;
    const child = spawn(process.execPath, ['--import', 'tsx', DRIVER, '--db', db, '--history', history, '--kill', '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ended = new Promise((resolve) => child.on('close', resolve));
    try {
      // The first process stops right after its fourth write and before its line: the store is one write ahead of the history.
      for await (const line of createInterface({ input: child.stdout! })) if (line.startsWith('KILL ')) break;
      const before = readHistory(history).length;
      expect(() => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: keepHistory(sqliteStore(db), history), resume: true })).toThrow(
        expect.objectContaining({ code: 'store_locked' }),
      );
      expect(readHistory(history)).toHaveLength(before);
    } finally {
      child.kill('SIGKILL');
      await ended;
    }
    const resumed = await runDriver(DRIVER, ['--db', db, '--history', history, '--kill', '0']);
    expect(resumed.lines.at(-1)).toBe('DONE');
    expectTheStores(db, history);
  });
});

/** A fork at each write the history holds is taken, and one at its last holds what the store holds. */
function expectTheStores(db: string, history: string): void {
  const source = sqliteStore(db, { readOnly: true });
  try {
    expectForksOf(source, history, ['python', 'approve-react', 'sql', 'css']);
  } finally {
    source.close();
  }
}
