/**
 * A history left behind its store is caught up when an organisation next claims the store: a
 * write the store committed without its line reaching the history (here the write throws right
 * after the commit, as a process killed there leaves it: the organisation stops on it), its line
 * cut short, lines longer than the chunks the history's end is read in. Afterwards a fork at each
 * write of the history is taken and one at its last holds what the store holds; a clean restart
 * appends nothing. `test/crash/history.test.ts` does the same with SIGKILL on SQLite.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { developmentTeam, keepHistory, memoryStore, type JournalQuery, type Store } from '../../src/index.js';
import { forwardStore, readHistory, storeHolder } from '../../src/store/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { orchestrators } from '../support/helpers.js';
import { expectForksOf } from '../support/history-forks.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-history-catch-up-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (ext: string) => join(dir, `org-${++files}.${ext}`);

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => ({ done: task.id }) });
/** Past the 64 KiB the history's end is read in, so that its lines span chunks. */
const big = { text: 'x'.repeat(150_000) };

const stores = [
  { name: 'memory', create: (): Store => memoryStore(), reopen: (store: Store) => store },
  { name: 'sqlite', create: (): Store => sqliteStore(file('db')), reopen: (store: Store) => (store.close(), sqliteStore(store.name)) },
];

const expectTheStores = (store: Store, history: string) => expectForksOf(store, history, ['a', 'b', 'c', 'd']);

it('keepHistory makes its file when it wraps an empty store, and refuses one it cannot make', () => {
  const history = file('jsonl');
  keepHistory(memoryStore(), history);
  expect(readFileSync(history, 'utf8')).toBe('');
  expect(() => keepHistory(memoryStore(), join(dir, 'no-such-directory', 'run.jsonl'))).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('cannot write its history file') }));
});

describe.each(stores)('keepHistory catches its history up ($name store)', ({ create, reopen }) => {
  for (const cut of [false, true]) {
    it(`after a write committed without its line${cut ? ', the line cut short' : ''}: forks at every write are taken, the last holds what the store holds`, async () => {
      const history = file('jsonl');
      let store = create();
      let writes = 0;
      const dying = forwardStore(store, {
        write(batch) {
          store.write(batch);
          if (++writes === 3) throw new Error('the process ended here');
        },
      });
      const first = start({ store: keepHistory(dying, history), resume: true });
      await first.submit({ id: 'a', type: 'python', payload: big });
      await expect(first.submit({ id: 'b', type: 'sql', payload: big })).rejects.toMatchObject({ code: 'store_write_failed' });
      await first.stop();
      if (cut) appendFileSync(history, JSON.stringify({ session: 1, snapshots: [], tasks: [], journal: [], pad: big }).slice(0, 100_000));

      store = reopen(store);
      const second = start({ store: keepHistory(store, history), resume: true });
      await second.outcome('b');
      await second.submit({ id: 'c', type: 'css', payload: big });
      await second.stop();
      expectTheStores(store, history);

      // A clean stop leaves nothing to catch up: claiming the store appends nothing.
      store = reopen(store);
      const before = readFileSync(history, 'utf8');
      const kept = keepHistory(store, history);
      const holder = storeHolder();
      kept.lock(holder);
      expect(readFileSync(history, 'utf8')).toBe(before);
      kept.unlock(holder);
      const third = start({ store: kept, resume: true });
      await third.submit({ id: 'd', type: 'react' });
      await third.stop();
      expectTheStores(store, history);
      store.close();
    });
  }

  it('after a forget, a write committed without its line: the forget stays and the write is caught up after it', async () => {
    const history = file('jsonl');
    let store = create();
    let dead = false;
    const dying = forwardStore(store, {
      write(batch) {
        store.write(batch);
        if (dead) throw new Error('the process ended here');
      },
    });
    const first = start({ store: keepHistory(dying, history), resume: true });
    await first.submit({ id: 'a', type: 'python' });
    await first.submit({ id: 'b', type: 'sql' });
    expect((await first.forget({ settledBefore: Number.MAX_SAFE_INTEGER })).tasks).toBe(2);
    dead = true;
    await expect(first.submit({ id: 'c', type: 'css' })).rejects.toMatchObject({ code: 'store_write_failed' });
    await first.stop();
    expect(readFileSync(history, 'utf8').trim().split('\n').at(-1)).toContain('"forget"');

    store = reopen(store);
    const second = start({ store: keepHistory(store, history), resume: true });
    await second.outcome('c');
    await second.submit({ id: 'd', type: 'react' });
    await second.stop();
    expect(readHistory(history).flatMap((kept) => kept.forgets ?? [])).toHaveLength(1);
    expectForksOf(store, history, ['a', 'b', 'c', 'd']);
    store.close();
  });

  it('a lost write whose last line reads like the history\'s last (a simulated clock, a resume with nothing to do) is caught up too', async () => {
    const history = file('jsonl');
    let store = create();
    const session = (over: Store = store) => start({ store: keepHistory(over, history), resume: true, clock: new SimulatedClock() });
    const first = session();
    await first.submit({ id: 'a', type: 'python' });
    await first.stop();
    await session().stop();
    // Killed right after the resume's write: its line, 'organisation.resumed' at 0 by the orchestrator, as the last session's.
    let dead = true;
    const dying = forwardStore(store, {
      write(batch) {
        store.write(batch);
        if (dead) throw new Error('the process ended here');
      },
    });
    expect(() => session(dying)).toThrow(expect.objectContaining({ code: 'store_write_failed' }));
    dead = false;
    expect(store.journal().at(-1)).toMatchObject({ type: 'organisation.resumed', session: 3 });
    expect(readHistory(history).flatMap((kept) => kept.batch.journal).at(-1)).toMatchObject({ type: 'organisation.resumed', at: 0, actor: 'orchestrator' });

    store = reopen(store);
    const fourth = session();
    await fourth.submit({ id: 'd', type: 'react' });
    await fourth.stop();
    expectForksOf(store, history, ['a', 'd']);
    store.close();
  });

  for (const clock of ['real', 'simulated']) {
    it(`after clean stops (${clock} clock), a claim reads the store's last journal entry only, not the history's journal against it`, async () => {
      const history = file('jsonl');
      let store = create();
      for (const id of ['a', 'b']) {
        const org = start({ store: keepHistory(store, history), resume: true, ...(clock === 'simulated' ? { clock: new SimulatedClock() } : {}) });
        await org.submit({ id, type: 'python' });
        await org.stop();
      }
      store = reopen(store);
      const reads: JournalQuery[] = [];
      const holder = storeHolder();
      const kept = keepHistory({ ...store, journal: (query) => (reads.push(query ?? {}), store.journal(query)) }, history);
      kept.lock(holder);
      kept.unlock(holder);
      expect(reads.length).toBeGreaterThan(0);
      expect(reads.filter((query) => query.limit !== 1)).toEqual([]);
      store.close();
    });
  }

  it("a claim reads a last line of megabytes from the end once, not again at every chunk", () => {
    const history = file('jsonl');
    const store = create();
    const kept = keepHistory(store, history);
    const holder = storeHolder();
    kept.lock(holder);
    kept.write({ session: 1, header: { agents: [{ id: 'cto', parent: null }], snapshotFormat: 1 }, snapshots: [{ id: 'cto', snapshot: { pad: 'x'.repeat(3_000_000) } as never, addedParts: [], removedParts: [] }], tasks: [], removedTasks: [], outcomes: [], escalations: [], approvals: [], journal: [{ type: 'organisation.started', at: 1, actor: 'orchestrator' }] });
    kept.unlock(holder);
    const size = readFileSync(history).length;
    // What the claim joins of the file's bytes: joined at every 64 KiB chunk, the 3 MB line was copied some 70 MB over.
    const joined = vi.spyOn(Buffer, 'concat');
    try {
      const again = keepHistory(reopen(store), history);
      again.lock(holder);
      again.unlock(holder);
      const copied = joined.mock.results.reduce((total, result) => total + (result.value as Buffer).length, 0);
      expect(copied).toBeGreaterThanOrEqual(size - 1);
      expect(copied).toBeLessThan(2 * size);
      again.close();
    } finally {
      joined.mockRestore();
    }
  });

  it('a forget the store refuses leaves no line in the history, and the organisation goes on', async () => {
    const history = file('jsonl');
    const store = create();
    const refusing = forwardStore(store, {
      forget: () => {
        throw new Error('disk I/O error');
      },
    });
    const org = start({ store: keepHistory(refusing, history), resume: true });
    await org.submit({ id: 'a', type: 'python' });
    const before = readFileSync(history, 'utf8');
    await expect(org.forget({ settledBefore: Number.MAX_SAFE_INTEGER })).rejects.toMatchObject({ code: 'store_write_failed' });
    expect(readFileSync(history, 'utf8')).toBe(before);
    await org.submit({ id: 'b', type: 'sql' });
    await org.stop();
    expect(readHistory(history).every((kept) => kept.forgets === undefined)).toBe(true);
    store.close();
  });
});
