/**
 * Issue 12's done-when, in process: random organisations with random faults — executors that
 * throw (retryably or not), hang, or return results that are not JSON data — and bad inputs to
 * submit and to the people's desk between the work. Every submitted task ends exactly once, every
 * bad input is refused with an EchelonError and changes no record (the store's, the events, the
 * books), and the organisation then serves a follow-up task. Time is simulated; the seed is fixed.
 * With process crashes on a SQLite file: `faults.crash.test.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, memoryStore, TERMINAL_STATUSES, type Orchestrator, type OrchestratorEvent, type Outcome, type Store } from '../../src/index.js';
import { flush, seeded } from '../support/helpers.js';
import { badInputs, faultyExecutor, pairs, randomOrganisation, refusal, retryable } from '../support/random-org.js';

/** Everything a refused input must leave as it was. */
function books(org: Orchestrator, store: Store, events: readonly OrchestratorEvent[]) {
  return { stored: JSON.stringify(store.load()), journal: store.journal().length, events: events.length, status: org.status() };
}

describe('random organisations, random faults, bad inputs', () => {
  it('every task ends exactly once, refused inputs change nothing, and a follow-up task is served', async () => {
    const faults = new Map<string, number>();
    const refused = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 30 }), fc.integer({ min: 1, max: 14 }), async (seed, taskCount) => {
        const { hierarchy, tasks } = randomOrganisation(seed, taskCount);
        const random = seeded(seed);
        const clock = new SimulatedClock();
        const store = memoryStore();
        const org = createOrchestrator({
          hierarchy,
          clock,
          random,
          store,
          executors: faultyExecutor(seed, (fault) => faults.set(fault, (faults.get(fault) ?? 0) + 1)),
          decomposers: { byId: { exec: pairs } },
          execution: { timeoutMs: 1_000, retry: { attempts: 2, initialDelayMs: 10 }, retryable },
          approvals: { timeoutMs: 2_000, approvers: { byRole: { manager: () => (random() < 0.3 ? (random() < 0.7 ? { approve: true } : { approve: false, reason: 'no' }) : undefined) } } },
        });
        const events: OrchestratorEvent[] = [];
        const endings = new Map<string, number>();
        org.on('*', (event) => {
          events.push(event);
          if (event.type === 'task.completed' || event.type === 'task.failed') endings.set(event.outcome.taskId, (endings.get(event.outcome.taskId) ?? 0) + 1);
        });
        const outcomes: Outcome[] = [];
        const pending = tasks.map((task) =>
          org.submit({ id: task.id, type: task.type, context: { requiresApproval: task.approval } }).then((outcome) => void outcomes.push(outcome)),
        );

        for (let round = 0; round < 200 && outcomes.length < tasks.length; round++) {
          await flush(8);
          await org.flush();
          // Now and then, while work is in flight, someone tries something that must be refused.
          if (round % 3 === 0) {
            const active = tasks.find((task) => !outcomes.some((outcome) => outcome.taskId === task.id))?.id;
            const inputs = badInputs(org, active);
            const before = books(org, store, events);
            for (const input of inputs) {
              const { code } = await refusal(input, org);
              refused.set(code, (refused.get(code) ?? 0) + 1);
            }
            await flush(8);
            await org.flush();
            expect(books(org, store, events)).toEqual(before);
          }
          clock.increment(500);
        }
        await Promise.all(pending);

        expect(outcomes.map((outcome) => outcome.taskId).sort()).toEqual(tasks.map((task) => task.id).sort());
        for (const outcome of outcomes) {
          expect(TERMINAL_STATUSES).toContain(outcome.status);
          expect(endings.get(outcome.taskId)).toBe(1);
          expect(store.outcome(outcome.taskId)?.status).toBe(outcome.status);
        }
        expect(org.status()).toMatchObject({ activeTasks: 0, activeEscalations: 0, pendingApprovals: 0 });
        // The organisation keeps serving.
        const capable = hierarchy.nodes().find((node) => node.capabilities.length > 0);
        if (capable !== undefined) {
          const follow = org.submit({ id: `follow-${seed}`, type: capable.capabilities[0]! }, { at: capable.id });
          await flush(8);
          expect(await follow).toMatchObject({ status: 'completed' });
        }
        await org.stop();
      }),
      { seed: 20261201, numRuns: 60 },
    );
    // The faults were exercised, and so were the refusals.
    for (const fault of ['ok', 'throw', 'permanent', 'hang', 'bigint']) expect(faults.get(fault) ?? 0).toBeGreaterThan(0);
    for (const code of ['invalid_task', 'invalid_option', 'duplicate_task', 'unknown_agent', 'unknown_approval', 'self_approval', 'unknown_escalation', 'unknown_task']) {
      expect(refused.get(code) ?? 0).toBeGreaterThan(0);
    }
  });
});
