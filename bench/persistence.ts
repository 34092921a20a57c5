/**
 * What durability costs: the dev-team routing workload (the one the design notes measure — N tasks,
 * a fixed number in flight, executors that answer at once) with no store, the in-memory store,
 * and SQLite files with `synchronous` NORMAL (the default) and FULL. Reports tasks per second,
 * writes (batches) and what they held, and the file's size.
 *
 * Executors answer at once (a burst carries many completions, so one write holds many tasks),
 * or after a turn of the event loop (`slow`: bursts are smaller, writes more frequent). Each
 * configuration runs twice; the better run counts.
 *
 * Run: npx tsx bench/persistence.ts [tasks=20000] [inFlight=100]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOrchestrator, developmentTeam, memoryStore, type Store, type StoreBatch } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';
import { forwardStore } from '../src/store/index.js';

const TASKS = Number(process.argv[2] ?? 20_000);
const IN_FLIGHT = Number(process.argv[3] ?? 100);
const TYPES = ['python', 'react', 'sql', 'css', 'api_design', 'javascript', 'database', 'optimization'];
const dir = mkdtempSync(join(tmpdir(), 'echelon-bench-'));

/** Counts what reaches the store. */
function counting(store: Store) {
  const seen = { writes: 0, snapshots: 0, rows: 0, journal: 0 };
  const write = (batch: StoreBatch) => {
    seen.writes += 1;
    seen.snapshots += batch.snapshots.length;
    seen.rows += batch.tasks.length + batch.removedTasks.length + batch.outcomes.length + batch.escalations.length + batch.approvals.length;
    seen.journal += batch.journal.length;
    store.write(batch);
  };
  return { store: { ...storeMethods(store), write }, seen };
}

function storeMethods(store: Store): Store {
  return forwardStore(store);
}

async function run(name: string, open: () => Store | undefined, slow: boolean): Promise<number> {
  const rounds = [await once(open(), slow), await once(open(), slow)];
  const best = rounds[0]!.rate >= rounds[1]!.rate ? rounds[0]! : rounds[1]!;
  console.log([`${name}${slow ? ', slow' : ''}`.padEnd(28), `${Math.round(best.rate).toString().padStart(6)} tasks/s`, best.detail].join('  '));
  return best.rate;
}

async function once(store: Store | undefined, slow: boolean): Promise<{ rate: number; detail: string }> {
  const counted = store === undefined ? undefined : counting(store);
  const executor = slow
    ? async (task: { type: string }) => {
        await new Promise((resolve) => setImmediate(resolve));
        return { done: task.type };
      }
    : async (task: { type: string }) => ({ done: task.type });
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: executor, ...(counted ? { store: counted.store } : {}) });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < TASKS) {
        const index = next++;
        const outcome = await org.submit({ type: TYPES[index % TYPES.length]!, payload: { index } });
        if (outcome.status !== 'completed') throw new Error(`task ${index} ${outcome.status}`);
      }
    }),
  );
  await org.flush();
  const seconds = (performance.now() - started) / 1_000;
  await org.stop();
  const size = store === undefined || store.name === 'memory' ? 0 : statSync(store.name).size + (statSync(`${store.name}-wal`, { throwIfNoEntry: false })?.size ?? 0);
  store?.close();
  const seen = counted?.seen;
  const detail = [
    seen === undefined ? '' : `${seen.writes} writes, ${(TASKS / seen.writes).toFixed(1)} tasks/write, ${(seen.snapshots / seen.writes).toFixed(1)} snapshots/write, ${(seen.journal / TASKS).toFixed(1)} journal lines/task`,
    size > 0 ? `${(size / 1_048_576).toFixed(1)} MB` : '',
  ].join('  ');
  return { rate: TASKS / seconds, detail };
}

console.log(`dev team, ${TASKS} tasks, ${IN_FLIGHT} in flight, node ${process.version}`);
let files = 0;
for (const slow of [false, true]) {
  const base = await run('no store', () => undefined, slow);
  const memory = await run('memory store', memoryStore, slow);
  const normal = await run('sqlite (normal)', () => sqliteStore(join(dir, `${++files}.db`)), slow);
  const full = await run('sqlite (full)', () => sqliteStore(join(dir, `${++files}.db`), { synchronous: 'full' }), slow);
  console.log(`  throughput vs no store: memory ${pct(memory / base)}, sqlite normal ${pct(normal / base)}, sqlite full ${pct(full / base)}\n`);
}
rmSync(dir, { recursive: true, force: true });

function pct(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}
