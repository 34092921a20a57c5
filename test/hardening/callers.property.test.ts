/**
 * Many callers at once, on the core API: random sequences of submits (the same ids again, with the
 * same or other content), cancels, people approving and rejecting (the same request twice in one
 * turn, after it expired or moved up, quorum requests), escalations resolved, outcomes asked of
 * unknown and cancelled ids, time passing — and then stop, calls during it and after it. Every
 * refusal is an EchelonError with a code (never a TypeError), every accepted submission ends
 * exactly once, no agent holds work at the end, and the organisation serves a follow-up task.
 * Time is simulated; the seed is fixed (CALLERS_SEED and CALLERS_RUNS explore others, by hand).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, developmentTeam, EchelonError, TERMINAL_STATUSES, type Orchestrator, type Outcome, type TaskInput } from '../../src/index.js';
import { flush, seeded } from '../support/helpers.js';

const IDS = ['a', 'b', 'c', 'd'];
const TYPES = ['python', 'react', 'sql', 'quantum_physics'];
const PEOPLE = ['cto', 'backend_lead', 'frontend_lead', 'api_specialist', 'db_specialist', 'react_specialist', 'backend_dev_1', 'nobody'];

type Call =
  | { kind: 'submit'; id: number; type: number; approval: 0 | 1 | 2; flaky: boolean }
  | { kind: 'cancel' | 'outcome'; id: number }
  | { kind: 'approve' | 'reject' | 'twice'; pick: number; by: number }
  | { kind: 'resolve'; pick: number }
  | { kind: 'time'; ms: number };

const call: fc.Arbitrary<Call> = fc.oneof(
  fc.record({ kind: fc.constant('submit' as const), id: fc.nat(IDS.length), type: fc.nat(TYPES.length - 1), approval: fc.constantFrom(0 as const, 1 as const, 2 as const), flaky: fc.boolean() }),
  fc.record({ kind: fc.constantFrom('cancel' as const, 'outcome' as const), id: fc.nat(IDS.length) }),
  fc.record({ kind: fc.constantFrom('approve' as const, 'reject' as const, 'twice' as const), pick: fc.nat(3), by: fc.nat(PEOPLE.length - 1) }),
  fc.record({ kind: fc.constant('resolve' as const), pick: fc.nat(3) }),
  fc.record({ kind: fc.constant('time' as const), ms: fc.constantFrom(0, 50, 400, 1_000) }),
);

/** The code of what `run` threw or rejected with; a refusal must be an EchelonError. */
async function attempt(run: () => unknown, codes: Map<string, number>): Promise<void> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(EchelonError);
    const { code } = error as EchelonError;
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
}

function organisation(clock: SimulatedClock, seed: number): Orchestrator {
  const random = seeded(seed);
  return createOrchestrator({
    hierarchy: developmentTeam(),
    clock,
    random,
    executors: async (task, { attempt: number }) => {
      if (task.payload === 'flaky' && number === 1) throw new Error('first attempt fails');
      return { type: task.type };
    },
    execution: { timeoutMs: 5_000, retry: { attempts: 2, initialDelayMs: 100 } },
    approvals: { timeoutMs: 600 },
    onEscalation: () => undefined,
  });
}

/** People and time settle whatever still waits, so that every accepted task can end. */
async function settleAll(org: Orchestrator, clock: SimulatedClock): Promise<void> {
  for (let round = 0; round < 50 && org.status().activeTasks > 0; round++) {
    for (const approval of org.approvals.pending()) {
      // A quorum needs others with the authority: ancestors of the requester at its level or above who have not decided.
      const by = [approval.approver, ...org.hierarchy.ancestors(approval.requester).filter((node) => node.level <= approval.requiredLevel).map((node) => node.id)].find(
        (id) => !approval.decisions.some((decision) => decision.by === id),
      );
      if (by !== undefined) org.approvals.approve(approval.id, { by });
    }
    for (const escalation of org.escalations.active()) if (escalation.to === 'human' && escalation.assignedTo === undefined) org.escalations.resolve(escalation.id, { result: 'by hand', by: 'alice' });
    await flush(6);
    clock.increment(1_000);
    await flush(6);
  }
}

describe('many callers at once', () => {
  it('every refusal is an EchelonError, every accepted task ends exactly once, nothing is left held, and stop ends it all', async () => {
    const codes = new Map<string, number>();
    const statuses = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.array(call, { minLength: 5, maxLength: 40 }), async (seed, calls) => {
        const clock = new SimulatedClock();
        const org = organisation(clock, seed);
        const endings = new Map<string, number>();
        org.on('task.completed', (event) => void endings.set(event.outcome.taskId, (endings.get(event.outcome.taskId) ?? 0) + 1));
        org.on('task.failed', (event) => void endings.set(event.outcome.taskId, (endings.get(event.outcome.taskId) ?? 0) + 1));
        const accepted: Array<Promise<Outcome>> = [];
        for (const step of calls) {
          const pending = org.approvals.pending();
          const chosen = pending[('pick' in step ? step.pick : 0) % Math.max(1, pending.length)];
          const id = 'id' in step ? IDS[step.id] : undefined; // IDS[IDS.length] is undefined: an id of the organisation's choosing, or none
          switch (step.kind) {
            case 'submit': {
              const approval = step.approval === 2 ? { approval: { quorum: 2 } } : step.approval === 1 ? { context: { requiresApproval: true } } : {};
              const task: TaskInput = { ...(id === undefined ? {} : { id }), type: TYPES[step.type]!, payload: step.flaky ? 'flaky' : null, ...approval };
              const outcome = org.submit(task);
              // A refusal at the door rejects at once; an accepted task resolves with its outcome, whatever it is.
              const refused = await Promise.race([outcome.then(() => undefined, (error: unknown) => ({ error })), flush(2).then(() => undefined)]);
              if (refused === undefined) accepted.push(outcome);
              else await attempt(() => Promise.reject(refused.error), codes);
              break;
            }
            case 'cancel':
              await attempt(() => (id === undefined ? org.cancel('') : org.cancel(id)), codes);
              break;
            case 'outcome':
              // Never awaited to its end: an active task's outcome waits for it.
              await attempt(() => Promise.race([id === undefined ? org.outcome('never-submitted') : org.outcome(id), flush(2)]), codes);
              break;
            case 'approve':
            case 'reject':
            case 'twice':
              if (chosen === undefined) {
                await attempt(() => org.approvals.approve('apv_none', { by: 'cto' }), codes);
                break;
              }
              if (step.kind === 'reject') await attempt(() => org.approvals.reject(chosen.id, { by: PEOPLE[step.by]!, reason: 'no' }), codes);
              else await attempt(() => org.approvals.approve(chosen.id, { by: step.kind === 'twice' ? chosen.approver : PEOPLE[step.by]! }), codes);
              // Two people in the same turn: the second decides a request the first may have closed.
              if (step.kind === 'twice') await attempt(() => org.approvals.reject(chosen.id, { by: chosen.approver, reason: 'second thoughts' }), codes);
              break;
            case 'resolve': {
              const escalation = org.escalations.active()[step.pick % Math.max(1, org.escalations.active().length)];
              await attempt(() => org.escalations.resolve(escalation?.id ?? 'esc_none', step.pick % 2 === 0 ? { result: 'by hand', by: 'bob' } : { fail: 'nobody can', by: 'bob' }), codes);
              break;
            }
            case 'time':
              clock.increment(step.ms);
              break;
          }
          await flush(3);
        }
        await settleAll(org, clock);
        const outcomes = await Promise.all(accepted);
                for (const outcome of outcomes) {
          expect(TERMINAL_STATUSES).toContain(outcome.status);
          statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
          expect(endings.get(outcome.taskId) ?? 0).toBeGreaterThanOrEqual(1);
        }
        // Exactly once per accepted submission: an id may come back once its task has ended.
        expect([...endings.values()].reduce((sum, count) => sum + count, 0)).toBe(accepted.length);
        expect(org.status()).toMatchObject({ activeTasks: 0, activeEscalations: 0, pendingApprovals: 0, inFlight: 0 });
        for (const node of org.hierarchy.nodes()) expect(org.agentState(node.id).held).toEqual({});
        expect((await org.submit({ type: 'react' })).status).toBe('completed');

        // Stop: twice, with calls during it and after it, each refused with a code or answered.
        const stopping = org.stop();
        await attempt(() => org.submit({ type: 'python' }), codes);
        await attempt(() => org.approvals.approve('apv_none', { by: 'cto' }), codes);
        await Promise.all([stopping, org.stop()]);
        for (const later of [() => org.submit({ type: 'python' }), () => org.outcome('never-submitted'), () => org.cancel('a'), () => org.drain(), () => org.agentState('cto'), () => org.flush(), () => org.stop()]) {
          await attempt(later, codes);
        }
      }),
      { seed: Number(process.env.CALLERS_SEED ?? 20261202), numRuns: Number(process.env.CALLERS_RUNS ?? 100) },
    );
    for (const code of ['duplicate_task', 'unknown_task', 'invalid_option', 'unknown_approval', 'approval_unauthorized', 'orchestrator_stopped']) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
    for (const status of TERMINAL_STATUSES) expect(statuses.get(status) ?? 0, status).toBeGreaterThan(0);
  });
});
