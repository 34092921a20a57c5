/**
 * `echelon replay` on a long journal: read a page at a time, written no faster than its reader
 * takes it, and nothing kept per step — memory for a page and a step, not for the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferedLines } from '../src/cli/output.js';
import { immediately, stoppable } from '../src/cli/keys.js';
import { replayCommand, storedSteps } from '../src/cli/replay.js';
import { createOrchestrator, developmentTeam, type JournalQuery, type Store } from '../src/index.js';
import { replaySteps } from '../src/replay/index.js';
import { sqliteStore } from '../src/sqlite.js';
import { collectGarbage } from './support/collect.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-replay-long-'));
const db = join(dir, 'long.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done`, store: sqliteStore(db) });
  // About 7 entries a task: more than two pages of the replay's 2,000.
  for (let batch = 0; batch < 8; batch++) await Promise.all(Array.from({ length: 100 }, (_, i) => org.submit({ id: `t${batch}-${i}`, type: i % 2 === 0 ? 'python' : 'react' })));
  await org.stop();
}, 60_000);

/** The store, with every journal read it is asked for noted. */
function watched(store: Store): { store: Store; reads: JournalQuery[] } {
  const reads: JournalQuery[] = [];
  return { store: { ...store, journal: (query) => (reads.push(query ?? {}), store.journal(query)) }, reads };
}

describe('echelon replay on a long journal', () => {
  it('reads the journal a page of 2,000 entries at a time, and gives the steps reading it whole would', () => {
    const file = sqliteStore(db, { readOnly: true });
    try {
      const all = file.journal();
      expect(all.length).toBeGreaterThan(4_000);
      const { store, reads } = watched(file);
      const steps = storedSteps(store);
      expect(reads.length).toBeGreaterThan(2);
      for (const read of reads) expect(read.limit).toBe(2_000);
      expect(steps).toEqual(replaySteps(all, file.header()!.agents));
      // One task's entries, paged the same way.
      const one = watched(file);
      expect(storedSteps(one.store, 't3-7').map((step) => step.entry.seq)).toEqual(file.journal({ taskId: 't3-7' }).map((entry) => entry.seq));
      for (const read of one.reads) expect(read).toMatchObject({ taskId: 't3-7', limit: 2_000 });
    } finally {
      file.close();
    }
  });

  it('prints no further step while its output holds more than it takes, and goes on once it drained', async () => {
    const lines: string[] = [];
    let release!: () => void;
    let asked = 0;
    const drained = () => (++asked === 1 ? new Promise<void>((resolve) => (release = resolve)) : undefined);
    const replay = replayCommand({ file: db, steps: 3, tree: false, out: (line) => lines.push(line), input: new PassThrough() as unknown as NodeJS.ReadStream, drained });
    for (let turn = 0; turn < 50; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(lines.filter((line) => line.startsWith('── step'))).toHaveLength(1);
    release();
    expect(await replay).toBe(0);
    expect(lines.filter((line) => line.startsWith('── step'))).toHaveLength(3);
  });

  it("the CLI's output says when it must be waited on: after a write its stream could not take at once, until the stream drains", async () => {
    let take!: () => void;
    const slow = new Writable({ highWaterMark: 16, write: (_chunk, _encoding, done) => void (take = done) });
    const output = bufferedLines(slow);
    expect(output.drained()).toBeUndefined();
    output.out('x'.repeat(100));
    output.flush();
    const waiting = output.drained();
    expect(waiting).toBeInstanceOf(Promise);
    let drained = false;
    void waiting!.then(() => (drained = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    take();
    await waiting;
    expect(output.drained()).toBeUndefined();
  });

  it('keeps nothing of a step once it was taken (a race with the signal kept a reaction per step)', async () => {
    const gc = collectGarbage();
    const trigger = stoppable(immediately, new AbortController().signal);
    const taken = async () => {
      const step = trigger.next();
      await step;
      return new WeakRef(step);
    };
    const steps = [await taken(), await taken(), await taken()];
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(steps.map((step) => step.deref())).toEqual([undefined, undefined, undefined]);
  });
});
