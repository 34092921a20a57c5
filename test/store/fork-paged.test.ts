/**
 * forkStore on a long run: the journal and the finished work are read and written a page at a
 * time, and the fork holds what a fork read whole held — every entry in its session, every
 * outcome, escalation and approval, the open state.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam, forkStore, memoryStore, type JournalQuery, type Store } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });

/** The store, with every journal read it is asked for noted. */
function watched(store: Store): { store: Store; reads: JournalQuery[] } {
  const reads: JournalQuery[] = [];
  return { store: { ...store, journal: (query) => (reads.push(query ?? {}), store.journal(query)) }, reads };
}

/** Submits `count` tasks, every tenth waiting for a person's approval, decided by api_specialist unless `leaveOpen`. */
async function run(store: Store, session: number, count: number, leaveOpen = 0) {
  const org = start({ store, ...(session > 1 ? { resume: true } : {}) });
  const done = Array.from({ length: count }, (_, i) =>
    org.submit({ id: `s${session}-${i}`, type: i % 2 === 0 ? 'python' : 'react', ...(i % 10 === 0 ? { context: { requiresApproval: true } } : {}) }),
  );
  await flush();
  await org.flush();
  const pending = org.approvals.pending();
  for (const approval of pending.slice(leaveOpen)) org.approvals.approve(approval.id, { by: approval.requester === 'backend_dev_1' ? 'api_specialist' : 'react_specialist' });
  await Promise.all(done.filter((_, i) => i % 10 !== 0 || pending.slice(0, leaveOpen).every((open) => !open.taskId.startsWith(`s${session}-${i}`))));
  await org.flush();
  await org.stop();
}

describe('forkStore on a long run', () => {
  it('copies a journal of several pages and sessions, page by page, into a store that holds what the source holds', async () => {
    const source = memoryStore();
    await run(source, 1, 250);
    await run(source, 2, 250);
    await run(source, 3, 60, 2);
    const entries = source.journal();
    expect(entries.length).toBeGreaterThan(4_000);
    expect(new Set(entries.map((entry) => entry.session))).toEqual(new Set([1, 2, 3]));

    const { store, reads } = watched(source);
    const target = memoryStore();
    const point = forkStore(store, target);
    expect(reads.length).toBeGreaterThan(4);
    for (const read of reads) expect(read.limit).toBe(2_000);

    expect(point).toMatchObject({ seq: entries.at(-1)!.seq, pendingApprovals: expect.any(Array) });
    expect(point.pendingApprovals).toHaveLength(2);
    expect(target.journal()).toEqual(entries);
    expect(target.header()).toEqual(source.header());
    expect(target.load()).toEqual(source.load());
    const submitted = entries.filter((entry) => entry.type === 'task.submitted').map((entry) => entry.taskId!);
    expect(submitted.length).toBe(560);
    for (const id of submitted) expect(target.outcome(id), id).toEqual(source.outcome(id));
    const approvals = entries.filter((entry) => entry.type === 'approval.requested').map((entry) => entry.data!.approvalId as string);
    expect(approvals.length).toBe(56);
    for (const id of approvals) expect(target.approval(id), id).toEqual(source.approval(id));
  }, 60_000);
});
