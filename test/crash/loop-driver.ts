/**
 * The kill loop's child process: an app on a SQLite file whose batches are kept (`keepHistory`),
 * resuming whatever the file holds, with work of every kind — plain tasks, ones that fail their
 * first attempt and retry after a backoff, splits, approvals a person gives, a cost budget, a task
 * cancelled right after it was submitted. Its executors record their side effect in a table of a
 * SQLite file of their own, keyed by the idempotency key, and every start of an attempt beside it.
 * Kill points are hook counts (see `kill-points.ts`), reading the store at start included; hooks on
 * the store's side of `keepHistory`, so "after a write" is between a commit and its history line.
 *
 * `--at <hook's name>:<n>` kills at that hook's n-th pass instead of at a count.
 *
 * Usage: node --import tsx test/crash/loop-driver.ts --db <file> (--kill <hook | 0> | --at <hook's name>:<n>)
 */
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { createOrchestrator, developmentTeam, fullStackFeature, keepHistory, type Executor, type TaskInput } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { forwardStore } from '../../src/store/index.js';
import { killedHere, killPoints, say, tick } from './kill-points.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, kill: { type: 'string' }, at: { type: 'string' } } });
const file = sqliteStore(values.db!);
const { hook, passed, store: hooked } = killPoints(Number(values.kill ?? 0), file, (what) => named(what));
const [at, nth] = values.at === undefined ? [] : [values.at.slice(0, values.at.lastIndexOf(':')), Number(values.at.slice(values.at.lastIndexOf(':') + 1))];
let passes = 0;
/** Stops the process at the `--at` hook's n-th pass. */
function named(what: string): void {
  if (what === at && ++passes === nth) killedHere(`at ${what} ${passes}`);
}

const store = forwardStore(hooked, {
  load() {
    hook('reading the store at start');
    return hooked.load();
  },
});
const session = (file.header()?.sessions ?? 0) + 1;
const effects = new Database(`${values.db!}.effects`);
effects.exec('CREATE TABLE IF NOT EXISTS effects (key TEXT PRIMARY KEY, session INTEGER); CREATE TABLE IF NOT EXISTS starts (key TEXT, session INTEGER)');
const effect = effects.prepare('INSERT OR IGNORE INTO effects VALUES (?, ?)');
const started = effects.prepare('INSERT INTO starts VALUES (?, ?)');

const PLAN: ReadonlyArray<TaskInput & { readonly id: string }> = [
  { id: 'python', type: 'python' },
  { id: 'flaky-sql', type: 'sql' },
  { id: 'feature', type: 'full_stack_feature', payload: { feature: 'login' } },
  { id: 'approve-react', type: 'react', context: { requiresApproval: true } },
  { id: 'budget-css', type: 'css', budget: { cost: 5 } },
  { id: 'cancel-python', type: 'python' },
  { id: 'flaky-css', type: 'css' },
  { id: 'approve-sql', type: 'sql', context: { requiresApproval: true } },
];

const executor: Executor = async (task, { idempotencyKey, attempt, reportCost }) => {
  started.run(idempotencyKey, session);
  hook('executor started');
  await tick();
  if (task.id.startsWith('budget')) reportCost(1);
  if (task.id.startsWith('flaky') && attempt === 1) throw new Error('the first attempt fails');
  effect.run(idempotencyKey, session); // the side effect, recorded under its key: done once, however often it runs
  hook('executor finished, result not yet recorded');
  return { type: task.type };
};

const org = createOrchestrator({
  hierarchy: developmentTeam(),
  executors: executor,
  decomposers: { byType: { full_stack_feature: fullStackFeature() } },
  execution: { retry: { attempts: 3, initialDelayMs: 20, jitter: 0 } },
  store: keepHistory(store, `${values.db!}.history.jsonl`),
  resume: true,
});
org.on('*', (event) => hook(event.type));

// A submission a crash cut short is unknown after the restart: submit what the journal does not know.
const outcomes = PLAN.map((task) => {
  if (org.journal({ taskId: task.id, limit: 1 }).length > 0) return org.outcome(task.id);
  const outcome = org.submit(task);
  hook('submitted');
  if (task.id.startsWith('cancel')) void org.cancel(task.id, 'not wanted after all').catch(() => undefined);
  return outcome;
});
for (const outcome of outcomes) outcome.catch(() => undefined);
// A person approves what waits, as soon as it is seen, after every restart too.
while (org.status().activeTasks > 0) {
  for (const approval of org.approvals.pending()) {
    hook('a person approves');
    org.approvals.approve(approval.id, { by: approval.approver });
  }
  await new Promise((resolve) => setTimeout(resolve, 2));
}
const settled = await Promise.all(outcomes);
say(`OUTCOMES ${JSON.stringify(settled.map((outcome) => [outcome.taskId, outcome.status]))}`);
say(`HELD ${JSON.stringify(org.hierarchy.nodes().flatMap((node) => Object.keys(org.agentState(node.id).held)))}`);
await org.stop();
file.close();
effects.close();
say(`HOOKS ${passed()}`);
say('DONE');
