/**
 * The crash test's child process: runs the dev team on a SQLite file — resuming whatever the
 * file holds — until every planned task has ended, approving the approvals as a person once
 * the rest of the work is done. Its executors are idempotent the way real ones should be: each
 * records its side effect durably, keyed by its idempotency key, and skips it when run again.
 *
 * Kill points are deterministic: every lifecycle event, executor step and approval counts as a
 * hook, and at hook number `--kill` the process says so on stdout and blocks until the test
 * kills it with SIGKILL — so the crash happens at exactly that point, however fast the machine.
 *
 * Usage: node --import tsx test/crash/driver.ts --db <file> --log <file> --seed <n> --kill <hook | 0>
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createOrchestrator, developmentTeam, fullStackFeature, type Executor } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { killPoints, say, tick } from './kill-points.js';
import { planFor } from './plan.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, log: { type: 'string' }, seed: { type: 'string' }, kill: { type: 'string' } } });
const log = values.log!;
const killAt = Number(values.kill ?? 0);
const plan = planFor(Number(values.seed));

const { hook, passed, store } = killPoints(killAt, sqliteStore(values.db!));
/** This process's session: the orchestrator below starts it (executors run again during the restore, before it is journaled). */
const session = (store.header()?.sessions ?? 0) + 1;
const done = new Set(existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((line) => line.startsWith('effect ')).map((line) => line.split(' ')[1]) : []);

const executor: Executor = async (task, { idempotencyKey, agent }) => {
  appendFileSync(log, `start ${idempotencyKey} ${session}\n`);
  hook('executor started');
  await tick();
  hook('executor working');
  await tick();
  if (!done.has(idempotencyKey)) {
    appendFileSync(log, `effect ${idempotencyKey} ${session}\n`); // the side effect, durably recorded
    done.add(idempotencyKey);
  }
  hook('executor finished, result not yet recorded');
  return { type: task.type, by: agent.id };
};

const org = createOrchestrator({
  hierarchy: developmentTeam(),
  executors: executor,
  decomposers: { byType: { full_stack_feature: fullStackFeature() } },
  store,
  resume: true,
});
say(`SESSION ${session}`);
say(`PENDING ${JSON.stringify(org.approvals.pending().map((approval) => approval.id).sort())}`);
org.on('*', (event) => hook(event.type));

// Submit what the store does not know yet: a submission is known once its burst was written.
for (const [index, task] of plan.entries()) {
  if (store.journal({ taskId: task.id, limit: 1 }).length > 0) continue;
  void org.submit({ id: task.id, type: task.type, payload: { n: index }, context: { requiresApproval: task.approval } });
  hook('submitted');
  if (index % 3 === 2) await tick();
}

// People approve once everything else is done: until then, the approvals wait.
for (const task of plan.filter((planned) => !planned.approval)) await org.outcome(task.id);
for (const task of plan.filter((planned) => planned.approval)) {
  const pending = () => org.approvals.pending().find((approval) => approval.taskId === task.id);
  while (store.outcome(task.id) === undefined && pending() === undefined) await tick();
  const approval = pending();
  if (approval === undefined) continue;
  hook('approving');
  org.approvals.approve(approval.id, { by: approval.approver, comment: 'approved after the crash test looked' });
}
for (const task of plan) await org.outcome(task.id);
await org.flush();
say(`HOOKS ${passed()}`);
say('DONE');
await org.stop();
store.close();
