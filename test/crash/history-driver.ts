/**
 * The child process of the history crash test: the dev team on a SQLite file whose batches are
 * kept with `keepHistory`, resuming whatever the file holds, until its tasks have ended (a person
 * approves the one that waits). At write number `--kill` it stops right after the store committed
 * the batch and before the history has it — says so on stdout and blocks until the test kills it.
 * With `--forget before` or `--forget after` it then forgets what finished and stops that way
 * just before the store runs the forget, or right after it committed it.
 *
 * Usage: node --import tsx test/crash/history-driver.ts --db <file> --history <file> --kill <write | 0> [--forget before|after]
 */
import { parseArgs } from 'node:util';
import { createOrchestrator, developmentTeam, keepHistory } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { forwardStore } from '../../src/store/index.js';
import { killedHere, say } from './kill-points.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, history: { type: 'string' }, kill: { type: 'string' }, forget: { type: 'string' } } });
const file = sqliteStore(values.db!);
let writes = 0;
const committed = forwardStore(file, {
  write(batch) {
    file.write(batch);
    if (++writes === Number(values.kill)) killedHere(`after write ${writes}`);
  },
  forget(query) {
    if (values.forget === 'before') killedHere('before the forget');
    const forgotten = file.forget!(query);
    if (values.forget === 'after') killedHere('after the forget');
    return forgotten;
  },
});
const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async (task) => ({ done: task.id }), store: keepHistory(committed, values.history!), resume: true });
const PLAN = [
  { id: 'python', type: 'python' },
  { id: 'approve-react', type: 'react', context: { requiresApproval: true } },
  { id: 'sql', type: 'sql' },
  { id: 'css', type: 'css' },
];
// One after another, so that the run is several writes; what the journal knows was submitted before the crash.
const outcomes = [];
for (const task of PLAN) {
  const outcome = org.journal({ taskId: task.id, limit: 1 }).length > 0 ? org.outcome(task.id) : org.submit(task);
  outcomes.push(outcome);
  if (task.context === undefined) await outcome;
}
while (org.status().activeTasks > 0) {
  for (const approval of org.approvals.pending()) org.approvals.approve(approval.id, { by: approval.approver });
  await new Promise((resolve) => setTimeout(resolve, 5));
}
await Promise.all(outcomes);
if (values.forget !== undefined) await org.forget({ settledBefore: Date.now() + 1 });
await org.stop();
file.close();
say(`WRITES ${writes}`);
say('DONE');
