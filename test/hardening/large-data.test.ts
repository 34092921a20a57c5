/**
 * Large data, with a store. A value with more text than a record can hold as one JSON string
 * would make a store's write throw — and a failed write stops the whole organisation — so it is
 * refused where it enters, as any other value that is not storable JSON data. And a task parked
 * for approval is written once, not again with every message its agent handles.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, developmentTeam, EchelonError, memoryStore, type ApproverDecision, type Store, type StoreBatch } from '../../src/index.js';
import { MAX_MESSAGE_CHARACTERS } from '../../src/errors.js';
import { MAX_TEXT_CHARACTERS } from '../../src/shape/index.js';
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

describe('what a thrown failure brings, on a store', () => {
  const failing = (thrown: () => unknown) => start({ store: memoryStore(), executors: async (task) => (task.type === 'python' ? thrown() : 'ok'), execution: { retry: { attempts: 1 } } });

  it('details JSON cannot hold (a BigInt, a cycle) are left out with a note; the organisation goes on', async () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    for (const details of [{ n: 10n }, { response: loop }]) {
      const org = failing(() => {
        throw new EchelonError('executor_error', 'the upstream call failed', { details });
      });
      const outcome = await org.submit({ type: 'python' });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: 'the upstream call failed', details: { unstorable: expect.stringMatching(/^the details could not be stored as JSON \(TypeError: .+\), so they were left out$/) } } });
      expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
    }
  });

  it('a message longer than 64 Ki characters is cut, saying how much; the organisation goes on', async () => {
    for (const thrown of [new Error('m'.repeat(100_000)), 's'.repeat(100_000)]) {
      const org = failing(() => {
        throw thrown;
      });
      const { error } = await org.submit({ type: 'python' });
      expect(error!.message).toHaveLength(MAX_MESSAGE_CHARACTERS + '… (34,464 more characters cut)'.length);
      expect(error!.message.endsWith('… (34,464 more characters cut)')).toBe(true);
      expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
    }
  });
});

describe('text a caller hands in to be recorded', () => {
  const long = 't'.repeat(MAX_TEXT_CHARACTERS + 1);
  const tooLong = /must be at most 65,536 characters, got 65,537: it is recorded/;

  it('a person\'s comment, reason or name, and a cancellation\'s reason, are refused over 64 Ki characters', async () => {
    const org = start({ store: memoryStore(), onEscalation: () => undefined });
    const parked = org.submit({ id: 'parked', type: 'css', context: { requiresApproval: true } });
    void org.submit({ id: 'nobody', type: 'quantum_physics' }).catch(() => undefined);
    await flush();
    const [approval] = org.approvals.pending();
    const [escalation] = org.escalations.active();
    const refusal = { code: 'invalid_option', message: expect.stringMatching(tooLong) };
    expect(() => org.approvals.approve(approval!.id, { by: 'react_specialist', comment: long })).toThrow(expect.objectContaining(refusal));
    expect(() => org.approvals.reject(approval!.id, { by: 'react_specialist', reason: long })).toThrow(expect.objectContaining(refusal));
    expect(() => org.approvals.reject(approval!.id, { by: long })).toThrow(expect.objectContaining(refusal));
    expect(() => org.escalations.resolve(escalation!.id, { fail: long })).toThrow(expect.objectContaining(refusal));
    await expect(org.cancel('parked', long)).rejects.toMatchObject(refusal);
    org.approvals.reject(approval!.id, { by: 'react_specialist', reason: 'r'.repeat(MAX_TEXT_CHARACTERS) });
    expect(await parked).toMatchObject({ status: 'rejected' });
  });

  it("a task's id, type, approval reason, resources or required skills are refused over 64 Ki characters with invalid_task", async () => {
    const org = start();
    for (const task of [{ id: long, type: 'css' }, { type: long }, { type: 'css', approval: { reason: long } }, { type: 'css', resources: ['db', long] }, { type: 'css', requiredSkills: [long] }]) {
      await expect(org.submit(task)).rejects.toMatchObject({ code: 'invalid_task', message: expect.stringMatching(tooLong) });
    }
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
  });

  it("an approval's approver or role over 64 Ki characters is refused as too long, not repeated in the refusal", async () => {
    const org = start({ store: memoryStore(), executors: async (task, context) => (task.type === 'python' && !context.approved ? context.requestApproval({ approver: long }) : 'done') });
    // Before, the task was rejected (approval_unauthorized) with the whole approver in its message, and a role's refusal repeated it too.
    for (const approval of [{ approver: long }, { role: long }]) {
      const refusal = await org.submit({ type: 'css', approval: approval as never }).catch((error: unknown) => error as EchelonError);
      expect(refusal).toMatchObject({ code: 'invalid_task', message: expect.stringMatching(/^approval\.(approver|role) must be at most 65,536 characters/) });
      expect((refusal as EchelonError).message.length).toBeLessThan(200);
    }
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'failed', error: { code: 'invalid_option', message: expect.stringMatching(/^context\.requestApproval: approval\.approver must be at most 65,536 characters/) } });
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
  });
});

describe("text a policy or a decomposer hands back to be recorded", () => {
  const long = 'q'.repeat(MAX_TEXT_CHARACTERS + 1);

  it("a strategy's choice that is no child is shown cut in the failure, saying how long it was", async () => {
    const org = start({ store: memoryStore(), strategy: { byId: { cto: { name: 'wild', select: (task, candidates) => (task.type === 'python' ? long : candidates.find((c) => c.capable)?.id) } } } });
    const { error } = await org.submit({ type: 'python' });
    // Before, the whole choice was in the message (70 MB of it, for a choice of 70 MB).
    expect(error).toMatchObject({ code: 'invalid_delegate', message: expect.stringContaining(`chose "${'q'.repeat(999)}… (65,539 characters in all), which is not one of its children`) });
    expect(error!.message.length).toBeLessThan(1_200);
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
  });

  it("an approver's comment or reason over 64 Ki characters decides nothing (policy_error); the request waits for a person", async () => {
    for (const answer of [{ approve: true, comment: long }, { approve: false, reason: long }] satisfies ApproverDecision[]) {
      const faults: string[] = [];
      const org = start({ store: memoryStore(), approvals: { approvers: { default: () => answer } } });
      org.on('agent.fault', (event) => faults.push(event.error.message));
      const parked = org.submit({ type: 'css', context: { requiresApproval: true } });
      await flush();
      expect(faults).toEqual([expect.stringMatching(/^The approver of react_specialist decided approval \S+, but its (comment|reason) must be at most 65,536 characters, got 65,537: .* The request waits for a person\.$/)]);
      org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'react_specialist' });
      expect(await parked).toMatchObject({ status: 'completed' });
    }
  });

  it("a subtask's type or key over 64 Ki characters fails the split with decomposer_error", async () => {
    for (const spec of [{ type: long }, { key: long, type: 'css' }]) {
      const org = start({ store: memoryStore(), decomposers: { byType: { feature: decomposeWith('feature', () => [spec]) } } });
      expect(await org.submit({ type: 'feature' })).toMatchObject({ status: 'failed', error: { code: 'decomposer_error', message: expect.stringMatching(/subtask 0's (type|key) must be at most 65,536 characters/) } });
      expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
    }
  });
});

describe("a split whose parts' results together are more than a record holds", () => {
  /** Text a part's result may hold, and a split into five parts that each return it (one string, reached five times). */
  const part = 'x'.repeat(MAX_JSON_CHARACTERS - 1_000);
  const fivefold = (merge?: (results: Record<string, unknown>) => unknown) =>
    decomposeWith('feature', (task) => (task.type === 'feature' ? Array.from({ length: 5 }, (_, index) => ({ key: `part${index}`, type: 'python' })) : undefined), merge === undefined ? {} : { merge });

  it('fails with decomposer_error when merged by default, its tree kept without results; the organisation (on a store) goes on', async () => {
    const org = start({ store: memoryStore(), decomposers: { byId: { cto: fivefold() } }, executors: async (task) => (task.type === 'python' ? part : 'ok') });
    // Before, the outcome's write threw (Invalid string length) and stopped everything: store_write_failed.
    const outcome = await org.submit({ type: 'feature' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'decomposer_error', message: expect.stringMatching(/failed: the parts' results together holds 335,5\d\d,\d\d\d characters of text, more than the 67,108,864/) } });
    expect(outcome.subtasks).toHaveLength(5);
    expect(outcome.subtasks!.every((subtask) => subtask.status === 'completed' && subtask.result === undefined)).toBe(true);
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
  });

  it('completes when a merge sums them up, its tree kept without results', async () => {
    const org = start({ store: memoryStore(), decomposers: { byId: { cto: fivefold((results) => Object.keys(results).length) } }, executors: async (task) => (task.type === 'python' ? part : 'ok') });
    const outcome = await org.submit({ type: 'feature' });
    expect(outcome).toMatchObject({ status: 'completed', result: 5 });
    expect(outcome.subtasks!.map((subtask) => subtask.result)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});
