/**
 * Large data, with a store. A value with more text than a record can hold as one JSON string
 * would make a store's write throw — and a failed write stops the whole organisation — so it is
 * refused where it enters, as any other value that is not storable JSON data. And a task parked
 * for approval is written once, not again with every message its agent handles.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam, memoryStore, type Store, type StoreBatch } from '../../src/index.js';
import { jsonProblem, MAX_JSON_CHARACTERS } from '../../src/json.js';
import { flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });

/** Text enough for one value, and a value that holds it twice (a string reached twice is stored twice). */
const half = 'x'.repeat(MAX_JSON_CHARACTERS / 2 + 1);
const twice = { first: half, second: half };
/** What `twice` holds: its strings and its keys, as `JSON.stringify` writes them. */
const held = (2 * half.length + 'first'.length + 'second'.length).toLocaleString('en-US');

/** A memory store that keeps the size of every batch's agent snapshots, by agent. */
function measuredStore(): { store: Store; batches: Array<Record<string, number>> } {
  const inner = memoryStore();
  const batches: Array<Record<string, number>> = [];
  const store: Store = {
    ...inner,
    write(batch: StoreBatch) {
      batches.push(Object.fromEntries(batch.snapshots.map(({ id, snapshot, addedParts }) => [id, JSON.stringify(snapshot).length + JSON.stringify(addedParts).length])));
      inner.write(batch);
    },
  };
  return { store, batches };
}

describe('a value with more text than a stored record can hold', () => {
  it('is named by jsonProblem with what it holds and the bound, flat or nested, counting a string reached twice twice', () => {
    expect(jsonProblem(twice, 'payload')).toBe(`payload holds ${held} characters of text, more than the 67,108,864 a stored value may hold; keep large data elsewhere (a file, a blob store) and pass a reference`);
    expect(jsonProblem({ deep: [twice] }, 'result')).toMatch(/^result holds 67,108,881 characters of text/);
    expect(jsonProblem({ first: half }, 'payload')).toBeUndefined();
  });

  it('is refused at submit with invalid_task, and the organisation (on a store) goes on', async () => {
    const org = start({ store: memoryStore() });
    await expect(org.submit({ type: 'python', payload: twice })).rejects.toMatchObject({ code: 'invalid_task', message: expect.stringContaining(`payload holds ${held} characters`) });
    expect(await org.submit({ type: 'python', payload: { first: half } })).toMatchObject({ status: 'completed' });
  });

  it("fails an executor's attempt with invalid_result, and the organisation (on a store) goes on", async () => {
    const org = start({ store: memoryStore(), executors: async (task) => (task.type === 'python' ? twice : 'ok'), execution: { retry: { attempts: 1 } } });
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'failed', error: { code: 'invalid_result', message: expect.stringContaining(`result holds ${held} characters`) } });
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
  });
});

describe('a task parked for approval, on a store', () => {
  it('is written once: later messages to its agent do not write its payload again', async () => {
    const { store, batches } = measuredStore();
    const org = start({ store });
    const payload = { document: 'y'.repeat(1_000_000) };
    void org.submit({ id: 'parked', type: 'css', payload, context: { requiresApproval: true } });
    await org.flush();
    const parkedAt = batches.length;
    for (let index = 0; index < 3; index++) await org.submit({ type: 'css' });
    const later = batches.slice(parkedAt);
    expect(later.length).toBeGreaterThan(0);
    expect(Math.max(...later.map((sizes) => sizes.frontend_dev_1 ?? 0))).toBeLessThan(10_000);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'react_specialist' });
    expect(await org.outcome('parked')).toMatchObject({ status: 'completed' });
  });

  it('comes back whole after a restart, approval request and payload included', async () => {
    const store = memoryStore();
    const first = start({ store });
    const payload = { document: 'z'.repeat(10_000) };
    void first.submit({ id: 'parked', type: 'css', payload, context: { requiresApproval: true } }).catch(() => undefined);
    await first.flush();
    for (let index = 0; index < 2; index++) await first.submit({ type: 'css' });
    await first.stop();
    const second = start({ store, resume: true, executors: async (task) => task.payload });
    await flush();
    const [pending] = second.approvals.pending();
    expect(pending).toMatchObject({ taskId: 'parked', payload });
    expect(second.agentState('frontend_dev_1').awaitingApproval).toEqual(['parked']);
    second.approvals.approve(pending!.id, { by: 'react_specialist' });
    expect(await second.outcome('parked')).toMatchObject({ status: 'completed', result: payload });
  });
});
