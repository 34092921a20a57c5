/**
 * The crash test, for real: a child process runs the dev team on a SQLite file and is killed
 * with SIGKILL at a point chosen by a seed (mid-burst, while executors run, between a side
 * effect and its recording, while approvals wait); a new process resumes from the file, and
 * may be killed again; a last one finishes. Over many seeds, from the file and the executors'
 * own durable log: every task ended exactly once, every side effect happened exactly once, no
 * executor ran again after its completion was recorded, and approvals pending at each crash
 * were pending after it and were approved.
 *
 * Kill points are hook counts inside the child (it blocks at the chosen one until killed), so
 * pass or fail does not depend on timing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { seeded } from '../support/helpers.js';
import { generation } from './generation.js';
import { planFor } from './plan.js';

const SEEDS = Array.from({ length: 12 }, (_, index) => index + 1);
const dir = mkdtempSync(join(tmpdir(), 'echelon-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Reads the file as the crash left it, without a writer (which would fold the write-ahead log in). */
function readOnly<T>(db: string, read: (database: Database.Database) => T): T {
  const database = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return read(database);
  } finally {
    database.close();
  }
}

const pendingApprovals = (db: string) =>
  readOnly(db, (database) =>
    database
      .prepare<[], string>("SELECT id FROM approvals WHERE status = 'pending' AND root_id IN (SELECT id FROM tasks WHERE status = 'active' AND id = root_id) ORDER BY id")
      .pluck()
      .all(),
  );

const totals = { kills: 0, killsWhileApprovalsWaited: 0, executorsRunAgain: 0, effectsBeforeTheirRecord: 0 };

describe('SIGKILL at seeded points, resumed from the SQLite file', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every task ends exactly once, nothing completed runs again, approvals survive`, async () => {
      const db = join(dir, `seed-${seed}.db`);
      const log = join(dir, `seed-${seed}.log`);
      const random = seeded(seed * 7_919);
      const kills = [1 + Math.floor(random() * 120), 1 + Math.floor(random() * 80), 0];
      let finished = false;
      let pendingAtCrash: string[] | undefined;
      for (const kill of kills) {
        // Each process starts the next session (one killed before its first write leaves the count as it was).
        const sessions = existsSync(db) ? readOnly(db, (database) => Number(database.prepare<[], string>("SELECT value FROM meta WHERE key = 'sessions'").pluck().get() ?? 0)) : 0;
        const run = await generation(db, log, seed, kill);
        expect(run.stderr).toBe('');
        const session = run.lines.find((line) => line.startsWith('SESSION '));
        if (session !== undefined) expect(Number(session.slice('SESSION '.length))).toBe(sessions + 1);
        const pending = run.lines.find((line) => line.startsWith('PENDING '));
        // What the file held as pending when the last process died is exactly what this one found pending.
        if (pendingAtCrash !== undefined && pending !== undefined) expect(JSON.parse(pending.slice('PENDING '.length))).toEqual(pendingAtCrash);
        if (!run.killed) {
          expect(run.lines.at(-1)).toBe('DONE');
          finished = true;
          break;
        }
        totals.kills += 1;
        pendingAtCrash = pendingApprovals(db);
        if (pendingAtCrash.length > 0) totals.killsWhileApprovalsWaited += 1;
      }
      expect(finished).toBe(true);

      const plan = planFor(seed);
      const { settled, ended, leftovers, outcomes, redelivered } = readOnly(db, (database) => ({
        settled: database.prepare<[], { task_id: string; data: string }>("SELECT task_id, data FROM journal WHERE type = 'task.settled'").all(),
        ended: database.prepare<[], { session: number; data: string }>("SELECT session, data FROM journal WHERE type = 'task.ended'").all(),
        leftovers: database.prepare<[], number>("SELECT count(*) FROM tasks WHERE status = 'active'").pluck().get(),
        outcomes: new Map(database.prepare<[], { id: string; record: string }>("SELECT id, record FROM tasks WHERE status <> 'active'").all().map((row) => [row.id, JSON.parse(row.record)])),
        redelivered: database.prepare<[], number>("SELECT count(*) FROM journal WHERE type = 'task.redelivered'").pluck().get(),
      }));

      // Every submitted task ended exactly once, completed; nothing is left in flight; nothing had to be re-sent.
      expect(settled.map((row) => row.task_id).sort()).toEqual(plan.map((task) => task.id).sort());
      for (const row of settled) expect(JSON.parse(row.data)).toMatchObject({ status: 'completed' });
      expect(leftovers).toBe(0);
      expect(redelivered).toBe(0);
      for (const task of plan) {
        expect(outcomes.get(task.id)).toMatchObject({ status: 'completed' });
        if (task.approval) expect(outcomes.get(task.id).approvals).toMatchObject([{ status: 'approved', decisions: [{ decision: 'approved' }] }]);
      }

      // Every side effect happened exactly once; no executor started after its completion was recorded.
      const lines = readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ') as [string, string, string]);
      const effects = lines.filter(([kind]) => kind === 'effect').map(([, key]) => key);
      const recorded = new Map<string, number>();
      for (const row of ended) {
        const data = JSON.parse(row.data) as { status: string; idempotencyKey?: string };
        if (data.status === 'completed' && data.idempotencyKey !== undefined) {
          expect(recorded.has(data.idempotencyKey)).toBe(false);
          recorded.set(data.idempotencyKey, row.session);
        }
      }
      expect(effects.sort()).toEqual([...recorded.keys()].sort());
      const starts = lines.filter(([kind]) => kind === 'start');
      for (const [, key, session] of starts) expect(Number(session)).toBeLessThanOrEqual(recorded.get(key)!);
      totals.executorsRunAgain += starts.length - recorded.size;
      totals.effectsBeforeTheirRecord += lines.filter(([kind, key, session]) => kind === 'effect' && Number(session) < recorded.get(key)!).length;
    });
  }

  it('exercised what it claims: kills while approvals waited, executors run again, effects made before a crash and recorded after', () => {
    expect(totals.kills).toBeGreaterThanOrEqual(SEEDS.length);
    expect(totals.killsWhileApprovalsWaited).toBeGreaterThan(0);
    expect(totals.executorsRunAgain).toBeGreaterThan(0);
    expect(totals.effectsBeforeTheirRecord).toBeGreaterThan(0);
  });
});
