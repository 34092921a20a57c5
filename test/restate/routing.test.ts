/**
 * Which case each report of an agent's turn is filed with (src/restate/routing.ts), on the agent
 * chart as the Restate host runs it — no server: the turns run in a made-up invocation.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import type { AgentContext, AgentEvent } from '../../machines/agent.machine.js';
import type { AgentReport } from '../../machines/ports.js';
import { decomposeWith, defineHierarchy, joinQuorum } from '../../src/index.js';
import { agentTurn } from '../../src/restate/agent-turn.js';
import { organisation } from '../../src/restate/organisation.js';
import { rootIndex } from '../../src/restate/routing.js';
import { invocation, within } from '../../src/restate/scope.js';
import { validateTaskInput } from '../../src/runtime/submit.js';

const trio = () => defineHierarchy({ id: 'lead', role: 'manager', children: ['w1', 'w2', 'w3'].map((id) => ({ id, role: 'worker' as const, capabilities: ['job', id] })) });
const perWorker = decomposeWith('per-worker', (task, { children }) => (task.type === 'batch' ? children.map((child) => ({ key: child.id, type: child.id, to: child.id })) : undefined), { join: joinQuorum(2) });

describe('echelon/restate: filing reports with their case', () => {
  it("files a join's cancellation of its losers with the case of the split task, though the losers have left the agent", () => {
    const org = organisation({ hierarchy: trio(), executors: async () => 'done', decomposers: { byId: { lead: perWorker } } }, 'routing test');
    let seed = 0;
    const rand = { random: () => ((seed = (seed * 9301 + 49297) % 233280), seed / 233280), uuidv4: () => `00000000-0000-4000-8000-${String(++seed).padStart(12, '0')}` };
    /** One turn at the lead: the context it rests with, and the reports it asked to file, each with the case it goes to. */
    const turn = (context: AgentContext | undefined, event: AgentEvent) => {
      const here = invocation(1_000, rand);
      const next = within(here, () => agentTurn(org.machine, 'lead', context, event));
      const reports = here.effects.flatMap((effect) => (effect.type === 'report' ? [effect.report] : []));
      const earlier = rootIndex([context], event);
      const later = rootIndex([next], event);
      return { next, filed: reports.map((report: AgentReport) => [report.type, later.rootOf(report) ?? earlier.rootOf(report)]) };
    };
    const task = validateTaskInput({ id: 'b', type: 'batch' }, { entry: 'lead', now: 1_000, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });
    const split = turn(undefined, { type: 'task.assign', task });
    const handed = (id: string) => ({ ...task, id, rootId: 'b', parentId: 'b', type: id.slice(2), origin: { kind: 'subtask' as const, agent: 'lead', parentId: 'b', key: id.slice(2) }, chain: ['lead', id.slice(2)] });
    const done = (id: string): AgentEvent => ({ type: 'task.completed', task: handed(id), settlement: { status: 'completed', result: id, attempts: 1, executedBy: id.slice(2) } });
    expect(Object.keys(split.next.held)).toEqual(['b']);
    const first = turn(split.next, done('b.w1'));
    const second = turn(first.next, done('b.w2'));
    expect(second.filed).toContainEqual(['tasks.cancel', 'b']);
    expect(second.filed.every(([, root]) => root === 'b')).toBe(true);
  });
});
