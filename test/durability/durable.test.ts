/**
 * The orchestrator's side of durability, whatever the store: outcomes are handed out only once
 * written, a change made by a helper actor alone (an approval moving up on its own timer) is
 * written too, a store that cannot take a write stops the organisation loudly, and stores or
 * options that cannot work together are refused with clear errors.
 */
import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { developmentTeam, memoryStore, type StoreBatch } from '../../src/index.js';
import { SNAPSHOT_FORMAT } from '../../src/runtime/durability/index.js';
import { crashable } from '../support/persistence.js';
import { codeOf, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (_task, { agent }) => ({ by: agent.id }) });

describe('durability in the orchestrator', () => {
  it('hands an outcome to whoever awaits it only once the store has it', async () => {
    const store = memoryStore();
    const org = start({ store });
    const outcome = await org.submit({ id: 'a', type: 'python' });
    expect(store.outcome('a')).toEqual(outcome);
    await org.drain();
    expect(store.journal({ taskId: 'a' }).at(-1)).toMatchObject({ type: 'task.settled', data: { status: 'completed' } });
  });

  it('writes what a helper actor changes on its own: an approval that moved up on its timer is where it moved after a crash', async () => {
    const clock = new SimulatedClock();
    const store = memoryStore();
    const dying = crashable(store);
    const first = start({ store: dying.store, clock });
    void first.submit({ id: 'deploy', type: 'python', approval: { timeoutMs: 1_000 } });
    clock.increment(1_000);
    await first.flush();
    expect(first.approvals.pending()).toMatchObject([{ approver: 'backend_lead' }]);
    dying.crash();
    await first.stop();
    const later = new SimulatedClock();
    later.set(1_500);
    const second = start({ store, clock: later, resume: true });
    expect(second.approvals.pending()).toMatchObject([{ approver: 'backend_lead', askedApprovers: ['api_specialist', 'backend_lead'], expiresAt: 2_000 }]);
  });

  it('stores each task in an agent’s snapshot once: a write carries the tasks new to the agent, even after a resume', async () => {
    const store = memoryStore();
    const batches: StoreBatch[] = [];
    const recording = crashable(store);
    const spy = { ...recording.store, write: (batch: StoreBatch) => (batches.push(batch), recording.store.write(batch)) };
    const first = start({ store: spy, executors: () => new Promise(() => undefined) });
    for (const id of ['a', 'b', 'c', 'd']) void first.submit({ id, type: 'python' });
    await first.flush();
    const developer = (batch: StoreBatch) => batch.snapshots.find((written) => written.id === 'backend_dev_1');
    expect(developer(batches.at(-1)!)?.addedParts.map((part) => (part.value as { id: string }).id).sort()).toEqual(['a', 'b', 'c', 'd']);
    void first.submit({ id: 'e', type: 'python' });
    await first.flush();
    expect(developer(batches.at(-1)!)?.addedParts.map((part) => (part.value as { id: string }).id)).toEqual(['e']);
    recording.crash();
    await first.stop();
    batches.length = 0;
    const second = start({ store: { ...store, write: (batch: StoreBatch) => (batches.push(batch), store.write(batch)) }, resume: true, executors: () => new Promise(() => undefined) });
    expect(second.agentState('backend_dev_1')).toMatchObject({ running: ['a'], queued: 4 });
    expect(developer(batches[0]!)).toMatchObject({ addedParts: [], removedParts: [] });
    second.cancel('b');
    await second.flush();
    expect(developer(batches.at(-1)!)).toMatchObject({ addedParts: [], removedParts: [expect.any(String)] });
    expect(store.load().parts.backend_dev_1).toSatisfy((parts: object) => Object.values(parts).every((task) => (task as { id: string }).id !== 'b'));
  });

  it('stopped from inside a burst (a listener), writes the whole burst: the resumed organisation needs nothing sent again', async () => {
    const store = memoryStore();
    const first = start({ store, executors: () => new Promise(() => undefined) });
    let stopping: Promise<void> | undefined;
    first.on('task.delegated', () => void (stopping ??= first.stop()));
    void first.submit({ id: 't', type: 'python' });
    await stopping;
    const second = start({ store, resume: true, executors: async () => 'done' });
    expect(await second.outcome('t')).toMatchObject({ status: 'completed', delegationChain: ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1'] });
    expect(second.journal({ taskId: 't' }).map((entry) => entry.type)).not.toContain('task.redelivered');
  });

  it('keeps an escalation waiting for a person when the resumed organisation has no onEscalation handler', async () => {
    const store = memoryStore();
    const first = start({ store, onEscalation: () => undefined });
    void first.submit({ id: 'q', type: 'quantum_computing' });
    await first.stop();
    const complaints = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const second = start({ store, resume: true });
    await second.flush();
    const [waiting] = second.escalations.active();
    expect(waiting).toMatchObject({ to: 'human', taskId: 'q' });
    second.escalations.resolve(waiting!.id, { fail: 'not something we do', by: 'alice' });
    expect(await second.outcome('q')).toMatchObject({ status: 'failed', error: { code: 'escalation_unresolved' } });
    expect(complaints).not.toHaveBeenCalled();
    complaints.mockRestore();
  });

  it('stops the organisation when the store fails a write, rejecting what waits with store_write_failed', async () => {
    const store = memoryStore();
    let full = false;
    const org = start({
      store: {
        ...store,
        write(batch) {
          if (full) throw new Error('disk full');
          store.write(batch);
        },
      },
      executors: () => {
        full = true;
        return 'done';
      },
    });
    await expect(org.submit({ type: 'python' })).rejects.toMatchObject({ code: 'store_write_failed', message: expect.stringMatching(/disk full/) });
    await expect(org.submit({ type: 'python' })).rejects.toMatchObject({ code: 'orchestrator_stopped' });
    await expect(org.flush()).rejects.toMatchObject({ code: 'store_write_failed' });
    // A person's decision is refused saying why the organisation stopped: what to fix before resuming.
    let refused: unknown;
    try {
      org.escalations.resolve('any', { result: 'x' });
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ code: 'orchestrator_stopped', message: expect.stringMatching(/^escalations\.resolve: this orchestrator stopped after store_write_failed: .*disk full.*, so no agent would act on the decision\./) });
  });

  it('refuses to start on a store that cannot take its first write', () => {
    const store = memoryStore();
    const full = { ...store, write: () => {
      throw new Error('disk full');
    } };
    expect(() => start({ store: full })).toThrow(expect.objectContaining({ code: 'store_write_failed', message: expect.stringMatching(/disk full/) }));
    // What to do next, not a guess at the cause (it said payloads and results must be JSON data, which the door checks now).
    expect(() => start({ store: full })).toThrow(expect.objectContaining({ message: expect.stringMatching(/Once the store takes writes again \(free space, or reopen it\), create the organisation on it with resume: true: .* org.outcome\(id\) tells/) }));
  });

  it.each([
    ['a message ending in a full stop', new Error('The store is closed.'), 'failed: The store is closed. The organisation stopped'],
    ['an Error whose message cannot be read', Object.defineProperty(new Error(), 'message', { get: () => { throw new Error('getter'); } }), 'failed: the code echelon called threw a value that cannot be read (reading it threw Error: getter). The organisation stopped'],
  ])('says what a failed write threw, once: %s', (_case, thrown, message) => {
    // Before: "failed: The store is closed.. The organisation", and the getter's own Error escaped instead of store_write_failed.
    const full = { ...memoryStore(), write: () => {
      throw thrown;
    } };
    expect(() => start({ store: full })).toThrow(expect.objectContaining({ code: 'store_write_failed', message: expect.stringContaining(message) }));
  });

  it('refuses stores it cannot resume: snapshots of another format, or agents missing', () => {
    const header = { agents: developmentTeam().nodes().map((node) => ({ id: node.id, parent: node.parentId ?? null })) };
    const written = (snapshotFormat: number, snapshots: StoreBatch['snapshots']) => {
      const store = memoryStore();
      store.write({ session: 1, header: { ...header, snapshotFormat }, snapshots, tasks: [], removedTasks: [], outcomes: [], escalations: [], approvals: [], journal: [] });
      return store;
    };
    expect(codeOf(() => start({ store: written(SNAPSHOT_FORMAT + 1, []), resume: true }))).toBe('store_version_unsupported');
    expect(codeOf(() => start({ store: written(SNAPSHOT_FORMAT, []), resume: true }))).toBe('store_corrupt');
  });

  it('refuses a store with messages stepped through the clock, and a journal without a store', async () => {
    expect(codeOf(() => start({ store: memoryStore(), messageDelayMs: 0 }))).toBe('invalid_option');
    const org = start();
    expect(codeOf(() => org.journal())).toBe('invalid_option');
    await expect(org.flush()).resolves.toBeUndefined();
  });

  it('refuses a journal query it cannot answer: a misspelt key, a negative or fractional after or limit', async () => {
    const org = start({ store: memoryStore() });
    await org.submit({ id: 'p1', type: 'python' });
    // Before: { taskid } read the whole journal, limit -1 gave nothing and after 1.5 threw a TypeError from the memory store.
    expect(() => org.journal({ taskid: 'p1' } as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('did you mean "taskId"') }));
    for (const query of [{ limit: -1 }, { after: 1.5 }, { after: -1 }, { limit: '5' }]) expect(codeOf(() => org.journal(query as never))).toBe('invalid_option');
    expect(org.journal({ taskId: 'p1', limit: Number.POSITIVE_INFINITY }).length).toBe(org.journal({ taskId: 'p1' }).length);
  });

  it('starts a new organisation when asked to resume an empty store, and journals the start', () => {
    const store = memoryStore();
    const org = start({ store, resume: true });
    expect(org.journal()).toMatchObject([{ seq: 1, session: 1, type: 'organisation.started', actor: 'orchestrator', data: { agents: 8 } }]);
    expect(store.header()).toMatchObject({ sessions: 1, snapshotFormat: SNAPSHOT_FORMAT });
    expect(Object.keys(store.load().snapshots).sort()).toEqual(developmentTeam().nodes().map((node) => node.id).sort());
  });
});
