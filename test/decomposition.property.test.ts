/**
 * Random hierarchies and random decomposers: every task tree ends with every node in exactly
 * one terminal state, and each decomposed task's outcome agrees with its children's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createOrchestrator,
  decomposeWith,
  hierarchyFromList,
  TERMINAL_STATUSES,
  type Decomposer,
  type FlatAgentSpec,
  type JoinPolicy,
  type Outcome,
  type PartialFailurePolicy,
  type Role,
  type SubtaskOutcome,
} from '../src/index.js';
import { flush, seeded } from './support/helpers.js';

const VOCABULARY = ['a', 'b', 'c', 'd'];
const ROLE_BY_LEVEL: Role[] = ['executive', 'manager', 'specialist', 'worker'];

const needed = (policy: JoinPolicy, parts: number) => (policy.kind === 'all' ? parts : policy.kind === 'any' ? 1 : policy.n);

describe('decomposition property', () => {
  it('every node of every task tree ends once, and parents agree with their children', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.integer({ min: 1, max: 12 }),
        async (size, seed, tasks) => {
          const random = seeded(seed);
          const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
          // A random tree: each agent reports to an earlier one.
          const levels: number[] = [0];
          const agents: FlatAgentSpec[] = [{ id: 'a0', role: 'executive', capabilities: [pick(VOCABULARY)] }];
          for (let i = 1; i < size; i++) {
            const parent = Math.floor(random() * i);
            levels[i] = levels[parent]! + 1;
            agents.push({
              id: `a${i}`,
              role: ROLE_BY_LEVEL[Math.min(levels[i]!, 3)]!,
              capabilities: VOCABULARY.filter(() => random() < 0.4),
              parent: `a${parent}`,
            });
          }
          const hierarchy = hierarchyFromList(agents);
          const policies = new Map<string, { join: JoinPolicy; onFailure: PartialFailurePolicy; parts: number }>();
          const splitter: Decomposer = decomposeWith('random', (task, { children }) => {
            if (task.type !== 'split' || children.length === 0) return undefined;
            const parts = 1 + Math.floor(random() * 4);
            const subtasks = Array.from({ length: parts }, () => ({
              type: random() < 0.25 ? 'split' : pick(VOCABULARY),
              ...(random() < 0.5 ? { to: pick(children).id } : {}),
            }));
            const join: JoinPolicy = pick<JoinPolicy>([{ kind: 'all' }, { kind: 'any' }, { kind: 'quorum', n: 1 + Math.floor(random() * parts) }]);
            const onFailure = pick<PartialFailurePolicy>(['fail-fast', 'partial']);
            policies.set(task.id, { join, onFailure, parts });
            return { subtasks, join, onFailure };
          });
          const org = createOrchestrator({
            hierarchy,
            random,
            decomposers: { default: splitter },
            executors: async () => {
              if (random() < 0.25) throw new Error('random failure');
              return 'ok';
            },
          });
          const endings = new Map<string, number>();
          const count = (outcome: Outcome) => endings.set(outcome.taskId, (endings.get(outcome.taskId) ?? 0) + 1);
          org.on('task.completed', (event) => count(event.outcome));
          org.on('task.failed', (event) => count(event.outcome));

          const outcomes = await Promise.all(Array.from({ length: tasks }, (_, i) => org.submit({ id: `r${i}`, type: random() < 0.6 ? 'split' : pick(VOCABULARY) })));
          await flush();

          const check = (node: { taskId: string; status: string; result?: unknown; error?: { code: string }; subtasks?: readonly SubtaskOutcome[] }) => {
            expect(TERMINAL_STATUSES).toContain(node.status);
            if (node.subtasks === undefined) return;
            node.subtasks.forEach(check);
            // The node may have been split as itself, or — escalated first — as the task its resolver worked on.
            const key = policies.has(node.taskId) ? node.taskId : [...policies.keys()].find((id) => id.startsWith(`${node.taskId}!`))!;
            const policy = policies.get(key)!;
            expect(node.subtasks).toHaveLength(policy.parts);
            const wins = node.subtasks.filter((child) => child.status === 'completed');
            const need = needed(policy.join, policy.parts);
            if (node.status === 'completed') {
              expect(wins.length >= need || (policy.onFailure === 'partial' && wins.length >= 1)).toBe(true);
              for (const key of Object.keys(node.result as object)) expect(wins.map((child) => child.key)).toContain(key);
            } else if (node.error?.code === 'subtask_failed') {
              expect(wins.length).toBeLessThan(need);
            }
          };
          for (const outcome of outcomes) {
            expect(endings.get(outcome.taskId)).toBe(1);
            check(outcome);
            if (outcome.failures !== undefined) {
              expect(outcome.failures.map((failure) => failure.key).sort()).toEqual(
                (outcome.subtasks ?? []).filter((child) => child.status !== 'completed').map((child) => child.key).sort(),
              );
            }
          }
          expect(org.status()).toMatchObject({ activeTasks: 0, activeEscalations: 0, pendingApprovals: 0 });
          for (const node of hierarchy.nodes()) {
            expect(org.agentState(node.id)).toMatchObject({ state: 'receiving', queued: 0, running: [], decomposed: [], escalated: [] });
          }
          await org.stop();
        },
      ),
      { seed: 424242, numRuns: 60 },
    );
  });
});
