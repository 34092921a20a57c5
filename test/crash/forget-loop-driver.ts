/**
 * The forget loop's child process: an app on a SQLite file whose batches are kept (`keepHistory`),
 * resuming whatever the file holds, that submits a round of tasks, forgets the oldest finished ones
 * (`org.forget` with a limit) while more run, and does so three times a process. Kill points are
 * hook counts (see `kill-points.ts`) on both sides of every write and every forget, so a kill lands
 * between a forget's line and the store running it, between a write after a forget and its line,
 * and everywhere else.
 *
 * With `--after-forget` it is killed instead right after the first write that follows a forget (the write
 * committed, its line not in the history yet).
 *
 * Usage: node --import tsx test/crash/forget-loop-driver.ts --db <file> (--kill <hook | 0> | --after-forget)
 */
import { parseArgs } from 'node:util';
import { createOrchestrator, developmentTeam, keepHistory } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { forwardStore } from '../../src/store/index.js';
import { killedHere, killPoints, say, tick } from './kill-points.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, kill: { type: 'string' }, 'after-forget': { type: 'boolean' } } });
const file = sqliteStore(values.db!);
let forgot = false;
const { hook, passed, store: hooked } = killPoints(Number(values.kill ?? 0), file, (what) => {
  if (!values['after-forget']) return;
  if (what === 'after a forget') forgot = true;
  else if (what === 'after a write' && forgot) killedHere('after the first write after a forget');
});
const store = forwardStore(hooked, {
  forget(query) {
    hook('before a forget');
    const forgotten = file.forget!(query);
    hook('after a forget');
    return forgotten;
  },
});
const session = (file.header()?.sessions ?? 0) + 1;
const org = createOrchestrator({
  hierarchy: developmentTeam(),
  executors: async (task) => (await tick(), { type: task.type }),
  store: keepHistory(store, `${values.db!}.history.jsonl`),
  resume: true,
});
const types = ['python', 'react', 'sql', 'css'];
for (let round = 0; round < 3; round++) {
  const done = Array.from({ length: 4 }, (_, i) => org.submit({ id: `s${session}-r${round}-${i}`, type: types[i]! }));
  hook('submitted');
  await Promise.all(done);
  // The oldest few of what finished, while the next round starts.
  const forgotten = org.forget({ settledBefore: Date.now() + 1, limit: 3 });
  const next = org.submit({ id: `s${session}-r${round}-after`, type: 'python' });
  await Promise.all([forgotten, next]);
}
await org.stop();
file.close();
say(`HOOKS ${passed()}`);
say('DONE');
