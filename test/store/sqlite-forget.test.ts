/**
 * Forgetting in the SQLite file itself: the rows go (counted with better-sqlite3, not through
 * the store), a forget that fails half-way leaves every row where it was, a file of schema 1
 * migrates to 2 (and is read as it is when opened to read only), `echelon replay` steps through
 * what is left, and a fork — of the latest state, or at an earlier point of a kept history — starts
 * where the source's journal says.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { main } from '../../src/cli/index.js';
import { developmentTeam, forkStore, keepHistory, memoryStore, type Store } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { orchestrators, rejectionOf } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-sqlite-forget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = () => join(dir, `org-${++files}.db`);

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => ({ done: task.id }) });

/** Rows per table, read beside the store through a connection of its own. */
function rows(path: string): Record<string, number> {
  const db = new Database(path, { readonly: true });
  try {
    return Object.fromEntries(['tasks', 'escalations', 'approvals', 'journal'].map((table) => [table, db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number]));
  } finally {
    db.close();
  }
}

/** Forty tasks settled at t = 0, 10, … 390, each with an approval decided by the api_specialist. */
async function settled(store: Store, count = 40) {
  const clock = new SimulatedClock();
  const org = start({ store, clock });
  for (let index = 0; index < count; index++) {
    const outcome = org.submit({ id: `t${index}`, type: 'python', approval: { reason: 'needs a look' } });
    await org.flush();
    const [pending] = org.approvals.pending();
    org.approvals.approve(pending!.id, { by: pending!.approver });
    await outcome;
    clock.increment(10);
  }
  return { org, clock };
}

describe('forgetting in the SQLite file', () => {
  it('removes the rows of the tasks forgotten, and only theirs', async () => {
    const path = file();
    const { org } = await settled(sqliteStore(path));
    const before = rows(path);
    expect(before).toMatchObject({ tasks: 40, approvals: 40 });
    const forgotten = await org.forget({ settledBefore: 300 });
    expect(forgotten).toMatchObject({ tasks: 30, approvals: 30 });
    expect(rows(path)).toEqual({ tasks: 10, escalations: 0, approvals: 10, journal: before.journal! - forgotten.journalEntries });
    await org.forget({ settledBefore: 1_000 });
    expect(rows(path)).toEqual({ tasks: 0, escalations: 0, approvals: 0, journal: 1 });
  });

  it('forgets all or nothing: a delete refused half-way leaves every row, the organisation goes on, and the next forget takes them', async () => {
    const path = file();
    const { org } = await settled(sqliteStore(path), 5);
    const before = rows(path);
    const beside = new Database(path);
    // The journal's lines go last, after each task's outcome and approvals: those deleted before are rolled back.
    beside.exec("CREATE TRIGGER refuse_forget BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");
    const refused = await rejectionOf(org.forget({ settledBefore: 1_000 }));
    expect(refused).toMatchObject({ code: 'store_write_failed', message: expect.stringMatching(/disk says no.*nothing was forgotten/) });
    expect(rows(path)).toEqual(before);
    expect((await org.outcome('t0')).status).toBe('completed');
    expect((await org.submit({ id: 'after', type: 'api_design' })).status).toBe('completed');
    beside.exec('DROP TRIGGER refuse_forget');
    beside.close();
    expect((await org.forget({ settledBefore: 1_000 })).tasks).toBe(6);
  });

  it('migrates a file of schema 1 (no index of settled tasks) to 2, reading it as it is when opened to read only, and forgets in it', async () => {
    const path = file();
    const { org } = await settled(sqliteStore(path), 3);
    await org.stop();
    const old = new Database(path);
    old.exec('DROP INDEX tasks_settled');
    old.pragma('user_version = 1');
    old.close();
    const reader = sqliteStore(path, { readOnly: true });
    expect(reader.outcome('t1')).toMatchObject({ status: 'completed', settledAt: 10 });
    expect(() => reader.forget!({ settledBefore: 1 })).toThrow(expect.objectContaining({ code: 'store_read_only' }));
    reader.close();
    const store = sqliteStore(path);
    const migrated = new Database(path, { readonly: true });
    expect(migrated.pragma('user_version', { simple: true })).toBe(2);
    expect(migrated.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'tasks_settled'").pluck().get()).toBe('tasks_settled');
    migrated.close();
    expect(store.forget!({ settledBefore: 15 })).toMatchObject({ tasks: 2 });
    expect(store.outcome('t2')).toMatchObject({ settledAt: 20 });
    store.close();
  });

  it('replays what is left with echelon replay, and a forgotten task as one it does not know', async () => {
    const path = file();
    const { org } = await settled(sqliteStore(path), 4);
    await org.forget({ settledBefore: 15 });
    await org.stop();
    const lines: string[] = [];
    const replay = (args: string[]) => main(['replay', path, ...args], { out: (line) => lines.push(...line.split('\n')), input: new PassThrough() as unknown as NodeJS.ReadStream });
    expect(await replay(['--steps', '10000'])).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('t3');
    expect(text).not.toMatch(/\bt0\b/);
    await expect(replay(['--task', 't0', '--steps', '10'])).rejects.toMatchObject({ code: 'unknown_task' });
    expect(await replay(['--task', 't3', '--steps', '10000'])).toBe(0);
  });

  it('forks at an earlier entry of a kept history after a forget (the history holds the lines the store forgot)', async () => {
    const history = join(dir, `history-${++files}.jsonl`);
    const source = keepHistory(memoryStore(), history);
    const { org } = await settled(source, 3);
    const early = org.journal({ taskId: 't1' }).at(-1)!.seq;
    await org.forget({ settledBefore: 15 });
    await org.stop();
    expect(existsSync(history)).toBe(true);
    // Before, the fork compared the history's entries with the store's one for one, and refused the gap.
    const point = forkStore(source, memoryStore(), { at: early, history });
    expect(point.seq).toBeLessThanOrEqual(early);
    expect(point.seq).toBeGreaterThan(0);
  });

  it("forks at an earlier entry of a kept history after a forget took the store's last lines, and still refuses a history with an organisation's line the store lacks", async () => {
    for (const base of [memoryStore(), sqliteStore(file())]) {
      const history = join(dir, `history-${++files}.jsonl`);
      const source = keepHistory(base, history);
      const { org } = await settled(source, 3);
      const early = org.journal({ taskId: 't1' }).at(-1)!.seq;
      // Every task goes, the last lines with them: the store's journal ends at organisation.started.
      await org.forget({ settledBefore: 1_000 });
      await org.stop();
      expect(source.journal().map((entry) => entry.type)).toEqual(['organisation.started']);
      // Before, the history's last number past the store's last line read as another store's history.
      const target = memoryStore();
      expect(forkStore(source, target, { at: early, history }).seq).toBe(early);
      expect(target.outcome('t1')).toMatchObject({ status: 'completed' });
      // A line of no task is never forgotten: a history holding one the store lacks is another store's.
      const other = keepHistory(memoryStore(), join(dir, `history-${++files}.jsonl`));
      const second = start({ store: other, clock: new SimulatedClock() });
      await second.stop();
      const resumed = start({ store: other, clock: new SimulatedClock(), resume: true });
      await resumed.stop();
      expect(() => forkStore(source, memoryStore(), { at: 2, history: join(dir, `history-${files}.jsonl`) })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining(`is not the history of ${source.name}`) }));
    }
  });

  it("forks the latest state after a forget, naming the source's last entry as where the fork starts", async () => {
    const source = memoryStore();
    const { org } = await settled(source, 3);
    await org.forget({ settledBefore: 15 });
    await org.stop();
    const last = source.journal().at(-1)!;
    const target = memoryStore();
    const point = forkStore(source, target);
    // Before, it named the fork's own last entry, numbered from 1 again without the gap: a number the source's replay shows for another line.
    expect(point).toMatchObject({ seq: last.seq, at: last.at });
    expect(target.journal().map((entry) => [entry.type, entry.taskId])).toEqual(source.journal().map((entry) => [entry.type, entry.taskId]));
    expect(target.outcome('t2')).toEqual(source.outcome('t2'));
    expect(target.outcome('t0')).toBeUndefined();
  });
});
