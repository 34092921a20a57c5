/**
 * Forking a SQLite store an organisation is running on: the fork is one state of the source,
 * however many batches the organisation commits while it is copied. (It read the state at one
 * write and the journal, outcomes and approvals at later ones: a fork of a busy store held tasks
 * in its journal that were in none of its state, and never came back when it resumed.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, forkStore, keepHistory, memoryStore } from '../../src/index.js';
import { forwardStore, readHistory } from '../../src/store/index.js';
import { sqliteStore } from '../../src/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-fork-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('forkStore(source) while an organisation writes to the source', () => {
  it('copies one state of it: a batch committed between its reads is in none of them', async () => {
    const file = join(dir, 'live.db');
    const running = sqliteStore(file);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: running });
    await org.submit({ id: 'first', type: 'python' });
    await org.flush();
    const source = sqliteStore(file, { readOnly: true });
    const entries = source.journal().length;
    // The organisation goes on just after the fork has read the state, before it reads the journal.
    const busy = forwardStore(source, {
      load: () => {
        const stored = source.load();
        running.write({ session: 1, snapshots: [], tasks: [], removedTasks: [], outcomes: [], escalations: [], approvals: [], journal: [{ type: 'task.submitted', at: 1, actor: 'submitter', taskId: 'meanwhile', rootId: 'meanwhile', data: { type: 'python' } }] });
        return stored;
      },
    });
    const target = sqliteStore(join(dir, 'fork.db'));
    const point = forkStore(busy, target);
    expect(target.journal().length).toBe(entries);
    expect(target.journal({ taskId: 'meanwhile' })).toEqual([]);
    expect(point.seq).toBe(entries);
    // The source has it, for the next fork.
    expect(source.journal({ taskId: 'meanwhile' })).toHaveLength(1);
    target.close();
    source.close();
    await org.stop();
    running.close();
  });

  it('at an entry, applies only the history it checked: a batch the organisation appends to the history meanwhile is not in the fork', async () => {
    const file = join(dir, 'live-history.db');
    const history = `${file}.history.jsonl`;
    const running = keepHistory(sqliteStore(file), history);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: running });
    await org.submit({ id: 'first', type: 'python' });
    await org.flush();
    const source = sqliteStore(file, { readOnly: true });
    const entries = source.journal();
    // The organisation writes while the fork checks the history against the journal, before the fork applies it.
    let wrote = false;
    const busy = forwardStore(source, {
      journal: (query) => {
        if (!wrote) (wrote = true), running.write({ session: 1, snapshots: [], tasks: [], removedTasks: [], outcomes: [], escalations: [], approvals: [], journal: [{ type: 'task.submitted', at: 1, actor: 'submitter', taskId: 'meanwhile', rootId: 'meanwhile', data: { type: 'python' } }] });
        return source.reading!(() => source.journal(query));
      },
    });
    const target = memoryStore();
    const point = forkStore(busy, target, { at: Number.MAX_SAFE_INTEGER, history });
    expect(wrote).toBe(true);
    expect(readHistory(history).at(-1)!.batch.journal[0]).toMatchObject({ taskId: 'meanwhile' });
    expect(target.journal({ taskId: 'meanwhile' })).toEqual([]);
    expect(point.seq).toBe(entries.at(-1)!.seq);
    source.close();
    await org.stop();
  });
});
