/**
 * The fault property's child process: a random organisation (from `--seed`) with random faults
 * runs its planned tasks on a SQLite file, resuming whatever the file holds, and is SIGKILLed at
 * hook number `--kill` (0: never). Once every planned task has ended it tries bad inputs — to
 * submit, to the people's desk, a second orchestrator on the same file — and checks that the file
 * did not change, then serves a follow-up task.
 *
 * Usage: node --import tsx test/crash/faults-driver.ts --db <file> --seed <n> --tasks <n> --kill <hook | 0>
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createOrchestrator, EchelonError } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { killPoints, say, tick } from './kill-points.js';
import { badInputs, faultyExecutor, pairs, randomOrganisation, refusal, retryable } from '../support/random-org.js';

const { values } = parseArgs({ options: { db: { type: 'string' }, seed: { type: 'string' }, tasks: { type: 'string' }, kill: { type: 'string' } } });
const db = values.db!;
const seed = Number(values.seed);
const killAt = Number(values.kill ?? 0);

const { hook, store } = killPoints(killAt, sqliteStore(db));

const { hierarchy, tasks } = randomOrganisation(seed, Number(values.tasks));
const options = {
  hierarchy,
  executors: faultyExecutor(seed, (fault) => hook(`attempt: ${fault}`)),
  decomposers: { byId: { exec: pairs } },
  execution: { timeoutMs: 40, retry: { attempts: 2, initialDelayMs: 5 }, retryable },
  approvals: { timeoutMs: 30 },
};
const org = createOrchestrator({ ...options, store, resume: true });
org.on('*', (event) => hook(event.type));

/** Submits a task the store does not know yet (one whose submission a crash cut short is unknown), or waits for the one it resumed. */
const serve = (id: string, type: string, approval = false, at?: string) =>
  store.journal({ taskId: id, limit: 1 }).length > 0 ? org.outcome(id) : org.submit({ id, type, context: { requiresApproval: approval } }, at === undefined ? {} : { at });

const waiting = tasks.map((task) => serve(task.id, task.type, task.approval));
await Promise.all(waiting.map((outcome) => outcome.catch(() => undefined)));
for (const outcome of waiting) await outcome;
await org.flush();

// Bad inputs at rest: each refused with an EchelonError, the file unchanged.
const fingerprint = () => [db, `${db}-wal`].map((path) => (existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : '-')).join(' ');
const before = fingerprint();
const codes: string[] = [];
for (const input of badInputs(org, undefined)) codes.push((await refusal(input, org)).code);
try {
  createOrchestrator({ ...options, store: sqliteStore(db), resume: true });
  codes.push('accepted');
} catch (error) {
  codes.push(error instanceof EchelonError ? error.code : String(error));
}
for (let round = 0; round < 5; round++) await tick();
await org.flush();
say(`REFUSED ${codes.join(' ')}`);
say(`UNCHANGED ${fingerprint() === before}`);

// The organisation keeps serving.
const capable = hierarchy.nodes().find((node) => node.capabilities.length > 0)!;
const follow = await serve(`follow-${seed}`, capable.capabilities[0]!, false, capable.id);
say(`FOLLOW ${follow.status}`);
say('DONE');
await org.stop();
store.close();
