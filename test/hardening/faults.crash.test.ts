/**
 * Issue 12's done-when, across crashes: a child process runs a random organisation with random
 * faults on a SQLite file and is SIGKILLed at a random point (up to twice); the next process
 * resumes from the file. From the file: every planned task settled exactly once and nothing is
 * left active; the last process found bad inputs refused (a second orchestrator on the file
 * included) with the file unchanged, and served a follow-up task. Kill points are hook counts in
 * the child, so pass or fail does not depend on timing; the seed is fixed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runDriver } from '../crash/generation.js';
import { randomOrganisation } from '../support/random-org.js';

const TASKS = 8;
const dir = mkdtempSync(join(tmpdir(), 'echelon-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('random organisations with random faults, killed and resumed', () => {
  it('every task settles exactly once, refused inputs change no file, and the organisation serves a follow-up task', async () => {
    let kills = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 120 }), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 })), async (seed, first, second) => {
        const db = join(dir, `seed-${seed}-${first}-${second}.db`);
        let last: string[] = [];
        for (const kill of [first, second, 0]) {
          const run = await runDriver('test/crash/faults-driver.ts', ['--db', db, '--seed', String(seed), '--tasks', String(TASKS), '--kill', String(kill)]);
          expect(run.stderr).toBe('');
          last = run.lines;
          if (!run.killed) break;
          kills += 1;
        }
        expect(last.at(-1)).toBe('DONE');
        expect(last).toContain('UNCHANGED true');
        expect(last).toContain('FOLLOW completed');
        const refused = last.find((line) => line.startsWith('REFUSED '))!.split(' ').slice(1);
        expect(refused).not.toContain('accepted');
        expect(refused.at(-1)).toBe('store_locked');

        const database = new Database(db, { readonly: true, fileMustExist: true });
        try {
          const settled = database.prepare<[], string>("SELECT task_id FROM journal WHERE type = 'task.settled'").pluck().all();
          const planned = [...randomOrganisation(seed, TASKS).tasks.map((task) => task.id), `follow-${seed}`];
          expect(settled.sort()).toEqual(planned.sort());
          expect(database.prepare<[], number>("SELECT count(*) FROM tasks WHERE status = 'active'").pluck().get()).toBe(0);
        } finally {
          database.close();
        }
      }),
      { seed: 20261201, numRuns: 3 },
    );
    expect(kills).toBeGreaterThan(0);
  }, 60_000);
});
