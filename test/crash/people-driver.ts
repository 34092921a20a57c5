/**
 * The child process of the people-and-retries crash test: an app embedding the dev team on a
 * SQLite file as the README says (`sqliteStore(file)`, `resume: true` at every start), with work
 * that waits on people and on time — approvals (one that expires and moves up), escalations only a
 * person can resolve (with a result, or by assigning an agent), executors that fail their first
 * attempt and retry after a backoff, and a split feature. A person decides what waits once the rest
 * is done. Kill points (see `kill-points.ts`) include reading the store at start and stopping.
 *
 * It prints `OUTCOMES <json>` (each planned task's id, status, who did it) and `HELD <json>` (tasks
 * any agent still holds) before stopping, then `HOOKS <hooks passed>` and `DONE`.
 *
 * Usage: node --import tsx test/crash/people-driver.ts --db <file> --log <file> (--kill <hook | 0> | --at <hook's name>)
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createOrchestrator, developmentTeam, fullStackFeature, type Executor } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { forwardStore } from '../../src/store/index.js';
import { killedHere, killPoints, say, tick } from './kill-points.js';
import { PEOPLE, PLAN } from './people-plan.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, log: { type: 'string' }, kill: { type: 'string' }, at: { type: 'string' } } });
const log = values.log!;
const file = sqliteStore(values.db!);
const { hook: counted, passed, store: written } = killPoints(Number(values.kill ?? 0), file);
/** A hook that also stops the process when `--at` names it (a kill at a point, not a count). */
const hook = (what: string) => {
  counted(what);
  if (values.at === what) killedHere(`at ${what}`);
};
const store = forwardStore(written, {
  load() {
    hook('reading the store at start');
    return written.load();
  },
});
const session = (file.header()?.sessions ?? 0) + 1;
const done = new Set(existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((line) => line.startsWith('effect ')).map((line) => line.split(' ')[1]) : []);

/** Idempotent, as the README asks: the side effect is recorded under the idempotency key and skipped when seen again. */
const executor: Executor = async (task, { idempotencyKey, attempt }) => {
  appendFileSync(log, `start ${idempotencyKey} ${session}\n`);
  hook('executor started');
  await tick();
  if (task.id.includes('flaky') && attempt === 1) throw new Error('the first attempt fails');
  if (!done.has(idempotencyKey)) {
    appendFileSync(log, `effect ${idempotencyKey} ${session}\n`);
    done.add(idempotencyKey);
  }
  hook('executor finished, result not yet recorded');
  return { type: task.type, attempt };
};


hook('starting');
const org = createOrchestrator({
  hierarchy: developmentTeam(),
  executors: executor,
  decomposers: { byType: { full_stack_feature: fullStackFeature() } },
  execution: { retry: { attempts: 3, initialDelayMs: 20, jitter: 0 } },
  onEscalation: () => hook('a person is told of an escalation'),
  store,
  resume: true,
});
org.on('*', (event) => hook(event.type));

// A submission a crash cut short is unknown after the restart: submit what the journal does not know.
const outcomes = PLAN.map((task) => (org.journal({ taskId: task.id, limit: 1 }).length > 0 ? org.outcome(task.id) : org.submit(task)));
for (const outcome of outcomes) outcome.catch(() => undefined);
for (const [index, task] of PLAN.entries()) if (!PEOPLE.includes(task.id)) await outcomes[index];

// A person decides what waits, until nothing does.
while (org.status().activeTasks > 0) {
  for (const approval of org.approvals.pending()) {
    hook('a person approves');
    org.approvals.approve(approval.id, { by: approval.approver, comment: 'looked at it' });
  }
  for (const escalation of org.escalations.active()) {
    if (escalation.assignedTo !== undefined) continue;
    hook('a person resolves');
    org.escalations.resolve(escalation.id, escalation.taskId === 'assign-it' ? { assignTo: 'backend_dev_1', by: 'alice' } : { result: 'done by hand', by: 'alice' });
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const settled = await Promise.all(outcomes);
say(`OUTCOMES ${JSON.stringify(settled.map((outcome) => [outcome.taskId, outcome.status, outcome.executedBy ?? outcome.splitBy ?? null]))}`);
say(`HELD ${JSON.stringify(org.hierarchy.nodes().flatMap((node) => Object.keys(org.agentState(node.id).held)))}`);
hook('stopping');
const stopping = org.stop();
hook('stop called');
await stopping;
file.close();
say(`HOOKS ${passed()}`);
say('DONE');
