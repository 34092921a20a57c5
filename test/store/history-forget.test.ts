/**
 * A kept history records `org.forget`: a fork at the last entry before the forget or later starts
 * without the tasks it took, one at an earlier entry still has them; the history says the forget on
 * a line of its own (`readHistory` hands it with the batch it followed), and a target that cannot
 * forget is refused before anything is written. Sources and targets on both stores.
 */
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { developmentTeam, forkStore, keepHistory, memoryStore, type Store } from '../../src/index.js';
import { forwardStore, readHistory } from '../../src/store/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { orchestrators } from '../support/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-history-forget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (ext: string) => join(dir, `org-${++files}.${ext}`);

const stores = [
  { name: 'memory', create: (): Store => memoryStore() },
  { name: 'sqlite', create: (): Store => sqliteStore(file('db')) },
];

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => ({ done: task.id }) });

/** t0, t1, t2 settled at t = 0, 10, 20; a forget of what settled before 15 (t0, t1); then `after`. */
async function forgotten(source: Store) {
  const history = file('jsonl');
  const store = keepHistory(source, history);
  const clock = new SimulatedClock();
  const org = start({ store, clock });
  for (const id of ['t0', 't1', 't2']) {
    await org.submit({ id, type: 'python' });
    clock.increment(10);
  }
  await org.flush();
  const before = org.journal().at(-1)!.seq;
  expect(await org.forget({ settledBefore: 15 })).toMatchObject({ tasks: 2 });
  await org.submit({ id: 'after', type: 'python' });
  await org.flush();
  const end = org.journal().at(-1)!;
  await org.stop();
  return { store, history, before, end };
}

describe.each(stores)('a kept history of a $name store after org.forget', (factory) => {
  it.each(stores)('forks into a $name store at or after the forget without the tasks it took, and before it with them', async (into) => {
    const { store, history, before, end } = await forgotten(factory.create());
    const late = into.create();
    // Before, the batches alone brought t0 and t1 back, outcome and journal lines.
    expect(forkStore(store, late, { at: end.seq, history })).toMatchObject({ seq: end.seq, at: end.at });
    expect(late.outcome('t0')).toBeUndefined();
    expect(late.outcome('t1')).toBeUndefined();
    expect(late.journal({ taskId: 't0' })).toEqual([]);
    expect(late.outcome('t2')).toMatchObject({ status: 'completed' });
    expect(late.outcome('after')).toMatchObject({ status: 'completed' });
    expect(late.journal().map((entry) => entry.seq)).toEqual(store.journal().map((entry) => entry.seq));

    const atForget = into.create();
    expect(forkStore(store, atForget, { at: before, history }).seq).toBe(before);
    expect(atForget.outcome('t1')).toBeUndefined();

    const earlier = into.create();
    const point = forkStore(store, earlier, { at: before - 1, history });
    expect(point.seq).toBeLessThan(before);
    expect(earlier.outcome('t0')).toMatchObject({ status: 'completed' });
    expect(earlier.journal({ taskId: 't0' }).length).toBeGreaterThan(0);
  });

  it('says the forget on a line of its own, which readHistory hands with the batch it followed; a target that cannot forget is refused, changing nothing', async () => {
    const { store, history, before, end } = await forgotten(factory.create());
    const lines = readFileSync(history, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.filter((line) => 'forget' in line)).toEqual([{ forget: { settledBefore: 15, limit: 10_000 } }]);
    const kept = readHistory(history);
    expect(kept.filter((batch) => batch.forgets !== undefined)).toEqual([expect.objectContaining({ lastSeq: before, forgets: [{ settledBefore: 15, limit: 10_000 }] })]);

    const target = memoryStore();
    const cannot = forwardStore(target, { forget: undefined });
    expect(() => forkStore(store, cannot, { at: end.seq, history })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('cannot forget') }));
    expect(target.header()).toBeUndefined();
    // Before the forget it needs none.
    expect(forkStore(store, cannot, { at: before - 1, history }).seq).toBeLessThan(before);
  });
});

describe('a store history with a forget', () => {
  it('refuses a forget line before any batch, as a history that is not one (store_corrupt)', () => {
    const history = file('jsonl');
    appendFileSync(history, `${JSON.stringify({ forget: { settledBefore: 1 } })}\n`);
    expect(() => readHistory(history)).toThrow(expect.objectContaining({ code: 'store_corrupt' }));
  });
});

describe('keepHistory(store, file)', () => {
  it('appends to the file as named when it was kept, after the process changes its working directory; a file that is no path is refused', async () => {
    const here = mkdtempSync(join(dir, 'relative-'));
    mkdirSync(join(here, 'elsewhere'));
    const before = process.cwd();
    process.chdir(here);
    try {
      const store = keepHistory(memoryStore(), 'run.jsonl');
      process.chdir(join(here, 'elsewhere'));
      const org = start({ store });
      await org.submit({ type: 'python' });
      await org.stop();
      expect(readHistory(join(here, 'run.jsonl')).length).toBeGreaterThan(0);
      expect(existsSync(join(here, 'elsewhere', 'run.jsonl'))).toBe(false);
    } finally {
      process.chdir(before);
    }
    expect(() => keepHistory(memoryStore(), 5 as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: 'keepHistory(store, file) needs the path of its history file (a non-empty string), got 5.' }));
  });

  it('refuses to write once its file was removed, replaced or made again (store_write_failed), before the store takes the batch: a history begun again mid-way made forks without the writes before', async () => {
    const changes = {
      removed: (history: string) => rmSync(history),
      'replaced by another file': (history: string) => {
        writeFileSync(`${history}.other`, '');
        renameSync(`${history}.other`, history);
      },
      // Removed and made again at once, the new file often gets the inode back: its size tells.
      '': (history: string) => {
        rmSync(history);
        appendFileSync(history, '');
      },
    };
    for (const [how, change] of Object.entries(changes)) {
      const history = file('jsonl');
      const store = memoryStore();
      const org = start({ store: keepHistory(store, history) });
      await org.submit({ id: 'first', type: 'python' });
      const seq = store.journal().length;
      change(history);
      const refused = await org.submit({ id: 'second', type: 'python' }).then(() => undefined, (error: unknown) => error);
      expect(refused).toMatchObject({ code: 'store_write_failed', message: expect.stringContaining(`The store history ${history} was ${how}`) });
      expect(store.journal().length).toBe(seq);
      expect(existsSync(history) ? readFileSync(history, 'utf8') : '').toBe('');
      await org.stop().catch(() => undefined);
    }
  });
});
