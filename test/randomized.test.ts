/**
 * Many tasks with random flags, entry points, executor failures, approver decisions and
 * human answers: every task ends in exactly one terminal state, and nothing is left dangling.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, developmentTeam, TERMINAL_STATUSES, type Outcome, type TaskInput } from '../src/index.js';
import { flush, seeded } from './support/helpers.js';

const TYPES = ['python', 'css', 'react', 'database', 'api_design', 'strategy', 'coding', 'ui', 'sql', 'quantum'];
const AGENTS = developmentTeam().nodes().map((node) => node.id);

const taskArbitrary = fc.record({
  type: fc.constantFrom(...TYPES),
  at: fc.option(fc.constantFrom(...AGENTS), { nil: undefined }),
  isEmergency: fc.boolean(),
  requiresPolicyDecision: fc.boolean(),
  requiresCrossTeam: fc.boolean(),
  requiresApproval: fc.boolean(),
  resource: fc.option(fc.constantFrom('db', 'cache'), { nil: undefined }),
});

describe('randomized organisations of work', () => {
  it('every task ends exactly once and no escalation, approval or queue is left dangling', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(taskArbitrary, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 2 ** 30 }), async (specs, seed) => {
        const random = seeded(seed);
        const clock = new SimulatedClock();
        const org = createOrchestrator({
          hierarchy: developmentTeam(),
          clock,
          random,
          concurrency: { default: 1, byRole: { worker: 2 } },
          execution: { timeoutMs: 5_000, retry: { attempts: 2, initialDelayMs: 100 } },
          approvals: {
            timeoutMs: 1_000,
            approvers: { byRole: { manager: () => (random() < 0.5 ? { approve: true } : random() < 0.5 ? { approve: false, reason: 'no' } : undefined) } },
          },
          onEscalation: () => (random() < 0.5 ? { result: 'human answer' } : { fail: 'human says no' }),
          executors: async (_task, { signal }) => {
            const roll = random();
            if (roll < 0.25) throw new Error('random failure');
            if (roll < 0.3) return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
            return 'ok';
          },
        });
        const endings = new Map<string, number>();
        org.on('task.completed', (event) => endings.set(event.outcome.taskId, (endings.get(event.outcome.taskId) ?? 0) + 1));
        org.on('task.failed', (event) => endings.set(event.outcome.taskId, (endings.get(event.outcome.taskId) ?? 0) + 1));
        const outcomes: Outcome[] = [];
        const submitted = specs.map((spec, index) => {
          const input: TaskInput = {
            id: `t${index}`,
            type: spec.type,
            context: {
              isEmergency: spec.isEmergency,
              requiresPolicyDecision: spec.requiresPolicyDecision,
              requiresCrossTeam: spec.requiresCrossTeam,
              teams: ['backend_lead', 'frontend_lead'],
              requiresApproval: spec.requiresApproval,
            },
            ...(spec.resource === undefined ? {} : { resources: [spec.resource] }),
          };
          return org.submit(input, spec.at === undefined ? {} : { at: spec.at }).then((outcome) => outcomes.push(outcome));
        });
        for (let round = 0; round < 500 && outcomes.length < specs.length; round++) {
          await flush(3);
          clock.increment(1_000);
        }
        await Promise.all(submitted);

        expect(outcomes).toHaveLength(specs.length);
        for (const outcome of outcomes) {
          expect(TERMINAL_STATUSES).toContain(outcome.status);
          expect(endings.get(outcome.taskId)).toBe(1);
          for (const escalation of outcome.escalations) expect(escalation.status).not.toBe('active');
          for (const approval of outcome.approvals) expect(approval.status).not.toBe('pending');
        }
        expect(org.status()).toMatchObject({ activeTasks: 0, activeEscalations: 0, pendingApprovals: 0 });
        for (const agent of AGENTS) {
          const state = org.agentState(agent);
          expect(state).toMatchObject({ state: 'receiving', queued: 0, running: [], awaitingApproval: [], escalated: [] });
          expect(Object.values(state.load).every((load) => load === 0)).toBe(true);
          expect(Object.keys(org.actor.system.get(agent)!.getSnapshot().children).every((id) => id.startsWith('agent:'))).toBe(true);
        }
        await org.stop();
      }),
      { seed: 20261121, numRuns: 40 },
    );
  });
});
