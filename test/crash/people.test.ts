/**
 * The crash test for work that waits on people and on time: an app embedding the dev team on a
 * SQLite file (`people-driver.ts`) is SIGKILLed at seeded hook counts — mid-burst, around writes,
 * while a retry's backoff is pending, while an escalation waits for a person or an approval waits
 * (or expires), while a person decides — and started again as the README says, up to three times,
 * then run to its end; one more run is killed at named points: mid-run, then while reading the
 * store at start, then while stopping. From the file, the executors' durable log and what the last
 * process saw: every task ended exactly once (the expiring approval
 * ends rejected when it expired at the top, completed when a person approved it in time), outcomes
 * of tasks finished in earlier processes are read back, every side effect happened once and no
 * executor ran after its completion was recorded, no agent holds anything at the end, and nothing
 * had to be re-sent. Kill points are hook counts (see `kill-points.ts`), so the crash happens at
 * exactly that point; pass or fail does not depend on timing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seeded } from '../support/helpers.js';
import { settledOnce } from './file-checks.js';
import { runDriver } from './generation.js';
import { PLAN } from './people-plan.js';

const SEEDS = [1, 2, 3, 4, 5];
/** Where each process of a run is killed: at a hook count, at a named hook, or never (the last). */
type Kill = { readonly count: number } | { readonly at: string };
const NAMED: Kill[] = [{ count: 30 }, { at: 'reading the store at start' }, { at: 'stop called' }, { count: 0 }];
const dir = mkdtempSync(join(tmpdir(), 'echelon-crash-people-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const totals = { kills: 0 };

describe('SIGKILL while work waits on people and on time, resumed from the SQLite file', () => {
  const runs = [
    ...SEEDS.map((seed) => {
      const random = seeded(seed * 104_729);
      // The first kill comes within the first process's ~115 hooks (so every seed crashes at least once); the later ones may not come.
      return { name: `seed ${seed}`, kills: [100, 170, 60, 0].map((most): Kill => ({ count: most === 0 ? 0 : 1 + Math.floor(random() * most) })) };
    }),
    { name: 'killed mid-run, then while reading the store at start, then while stopping', kills: NAMED },
  ];
  for (const { name, kills } of runs) {
    it(`${name}: every task ends once, outcomes from before the crashes are read back, nothing completed runs again, nothing is held`, async () => {
      const db = join(dir, `${name.replace(/\W+/g, '-')}.db`);
      const log = join(dir, `${name.replace(/\W+/g, '-')}.log`);
      let last: string[] | undefined;
      let killed = 0;
      for (const kill of kills) {
        const where = 'at' in kill ? ['--at', kill.at] : ['--kill', String(kill.count)];
        const run = await runDriver(join('test', 'crash', 'people-driver.ts'), ['--db', db, '--log', log, ...where]);
        expect(run.stderr).toBe('');
        if (run.killed) {
          totals.kills += 1;
          killed += 1;
          continue;
        }
        expect(run.lines.at(-1)).toBe('DONE');
        last = run.lines;
        break;
      }
      expect(last).toBeDefined();
      if (kills === NAMED) expect(killed).toBe(3);
      const line = (prefix: string) => JSON.parse(last!.find((entry) => entry.startsWith(prefix))!.slice(prefix.length));
      const outcomes = new Map((line('OUTCOMES ') as Array<[string, string, string | null]>).map(([id, status]) => [id, status]));
      for (const task of PLAN) expect(outcomes.get(task.id), task.id).toEqual(task.id === 'expiring' ? expect.stringMatching(/^(completed|rejected)$/) : 'completed');
      expect(line('HELD ')).toEqual([]);

      const recorded = settledOnce(db, PLAN.map((task) => task.id));
      const entries = readFileSync(log, 'utf8').trim().split('\n').map((entry) => entry.split(' ') as [string, string, string]);
      expect(entries.filter(([kind]) => kind === 'effect').map(([, key]) => key).sort()).toEqual([...recorded.keys()].sort());
      for (const [kind, key, session] of entries) if (kind === 'start' && recorded.has(key)) expect(Number(session), key).toBeLessThanOrEqual(recorded.get(key)!);
      expect(existsSync(`${db}-wal`) ? readFileSync(`${db}-wal`).length : 0).toBe(0); // the last process stopped and closed its file
    });
  }

  it('crashed every seed at least once', () => {
    expect(totals.kills).toBeGreaterThanOrEqual(SEEDS.length + 3);
  });
});
