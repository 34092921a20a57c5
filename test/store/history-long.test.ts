/**
 * A long run's history (`keepHistory`) is read a batch at a time: after a crash, the next claim of
 * the store catches up a 120 MB history in a 64 MB heap, and `forkStore` at an early entry runs in
 * one too. Read whole, the claim took 270 MB of heap (and ran out of a 64 MB one: the organisation
 * could not start on its store), and a history over 512 MB could not be read at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { keepHistory, memoryStore, type StoreBatch } from '../../src/index.js';
import { forkStore, readHistory, storeHolder } from '../../src/store/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { contents } from '../support/history-forks.js';

const DRIVER = join('test', 'store', 'history-long-driver.ts');
const dir = mkdtempSync(join(tmpdir(), 'echelon-history-long-'));
const db = join(dir, 'long.db');
const history = join(dir, 'long.history.jsonl');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WRITES = 2_000;
/** A write of the agent's snapshot (60 KB, and every 500th 1.5 MB: a line longer than the chunks the history is read in) with one journal line. */
const write = (i: number, pad: string): StoreBatch => ({
  session: 1,
  ...(i === 0 ? { header: { agents: [{ id: 'cto', parent: null }], snapshotFormat: 1 } } : {}),
  snapshots: [{ id: 'cto', snapshot: { pad: i % 500 === 7 ? pad.repeat(25) : pad, i } as never, addedParts: [], removedParts: [] }],
  tasks: [],
  removedTasks: [],
  outcomes: [],
  escalations: [],
  approvals: [],
  journal: [{ type: 'organisation.noted', at: i, actor: 'cto' } as never],
});

beforeAll(() => {
  const raw = sqliteStore(db);
  const kept = keepHistory(raw, history);
  const holder = storeHolder();
  kept.lock(holder);
  const pad = 'x'.repeat(60_000);
  for (let i = 0; i < WRITES; i++) kept.write(write(i, pad));
  // The last write reaches the store and not the history, as a kill between the two leaves it.
  raw.write(write(WRITES, 'lost'));
  kept.unlock(holder);
  raw.close();
}, 60_000);

const inSmallHeap = (what: 'claim' | 'fork') => {
  const run = spawnSync(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', DRIVER, what, db, history], { encoding: 'utf8' });
  return { status: run.status, signal: run.signal, stderr: run.stderr.slice(-2_000), printed: run.stdout.trim() };
};

it('forkStore at an early entry of a 120 MB history runs in a 64 MB heap', () => {
  expect(statSync(history).size).toBeGreaterThan(120_000_000);
  expect(inSmallHeap('fork')).toEqual({ status: 0, signal: null, stderr: '', printed: JSON.stringify({ seq: 5, at: 4, activeTasks: [], pendingApprovals: [], activeEscalations: [] }) });
}, 60_000);

it('a claim after a crash catches the 120 MB history up in a 64 MB heap, and a fork at its end holds what the store holds', () => {
  expect(inSmallHeap('claim')).toEqual({ status: 0, signal: null, stderr: '', printed: JSON.stringify({ claimed: true }) });
  const batches = readHistory(history);
  expect(batches).toHaveLength(WRITES + 1);
  expect(batches.at(-1)!.lastSeq).toBe(WRITES + 1);
  const store = sqliteStore(db, { readOnly: true });
  try {
    const fork = memoryStore();
    forkStore(store, fork, { at: WRITES + 1, history });
    expect(contents(fork, [])).toEqual(contents(store, []));
    expect(fork.load().snapshots.cto).toEqual({ pad: 'lost', i: WRITES });
  } finally {
    store.close();
  }
}, 60_000);
