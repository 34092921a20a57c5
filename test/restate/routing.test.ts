/**
 * Which case each report of an agent's turn is filed with (src/restate/routing.ts), on the agent
 * chart as the Restate host runs it — no server: the turns run in a made-up invocation.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import { emptyContext, type AgentContext, type AgentEvent, type AgentMachine, type HeldTask } from '../../machines/agent.machine.js';
import type { AgentReport } from '../../machines/ports.js';
import { decomposeWith, defineHierarchy, joinQuorum, type TaskInput } from '../../src/index.js';
import { agentTurn } from '../../src/restate/agent-turn.js';
import { organisation } from '../../src/restate/organisation.js';
import { rootIndex } from '../../src/restate/routing.js';
import { invocation, within } from '../../src/restate/scope.js';
import { validateTaskInput } from '../../src/task-input.js';

const trio = () => defineHierarchy({ id: 'lead', role: 'manager', children: ['w1', 'w2', 'w3'].map((id) => ({ id, role: 'worker' as const, capabilities: ['job', id] })) });
const perWorker = decomposeWith('per-worker', (task, { children }) => (task.type === 'batch' ? children.map((child) => ({ key: child.id, type: child.id, to: child.id })) : undefined), { join: joinQuorum(2) });

let seed = 0;
const rand = { random: () => ((seed = (seed * 9301 + 49297) % 233280), seed / 233280), uuidv4: () => `00000000-0000-4000-8000-${String(++seed).padStart(12, '0')}` };
const taskOf = (input: TaskInput, entry: string) => validateTaskInput(input, { entry, now: 1_000, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });

/** One turn at `agentId`: the context it rests with, and the reports it asked to file, each with the case it goes to. */
function turn(machine: AgentMachine, agentId: string, context: AgentContext | undefined, event: AgentEvent) {
  const here = invocation(1_000, rand);
  const next = within(here, () => agentTurn(machine, agentId, context, event));
  const reports = here.effects.flatMap((effect) => (effect.type === 'report' ? [effect.report] : []));
  const earlier = rootIndex([context], event);
  const later = rootIndex([next], event);
  return { next, filed: reports.map((report: AgentReport) => [report.type, later.rootOf(report) ?? earlier.rootOf(report)]) };
}

describe('echelon/restate: filing reports with their case', () => {
  it("files a join's cancellation of its losers with the case of the split task, though the losers have left the agent", () => {
    const org = organisation({ hierarchy: trio(), executors: async () => 'done', decomposers: { byId: { lead: perWorker } } }, 'routing test');
    const task = taskOf({ id: 'b', type: 'batch' }, 'lead');
    const split = turn(org.machine, 'lead', undefined, { type: 'task.assign', task });
    const handed = (id: string) => ({ ...task, id, rootId: 'b', parentId: 'b', type: id.slice(2), origin: { kind: 'subtask' as const, agent: 'lead', parentId: 'b', key: id.slice(2) }, chain: ['lead', id.slice(2)] });
    const done = (id: string): AgentEvent => ({ type: 'task.completed', task: handed(id), settlement: { status: 'completed', result: id, attempts: 1, executedBy: id.slice(2) } });
    expect(Object.keys(split.next.held)).toEqual(['b']);
    const first = turn(org.machine, 'lead', split.next, done('b.w1'));
    const second = turn(org.machine, 'lead', first.next, done('b.w2'));
    expect(second.filed).toContainEqual(['tasks.cancel', 'b']);
    expect(second.filed.every(([, root]) => root === 'b')).toBe(true);
  });

  it('files the resolution of an escalation whose resolution task ends in the turn that raised it (nobody can take it)', () => {
    const org = organisation({ hierarchy: trio(), executors: async () => 'done' }, 'routing test');
    const task = { ...taskOf({ id: 'q', type: 'quantum' }, 'w1'), chain: ['w1'] };
    const escalation = { id: 'esc_1', reason: 'beyond_capability' as const, from: 'w1', to: 'lead', message: 'w1 cannot do "quantum".', task, raisedAt: 1_000 };
    const raised = turn(org.machine, 'lead', undefined, { type: 'escalation.raised', escalation });
    expect(raised.next.held).toEqual({});
    expect(raised.filed).toContainEqual(['escalation.resolved', 'q']);
    expect(raised.filed.every(([, root]) => root === 'q')).toBe(true);
  });

  it("files an approval's reports with the submitted task its request names, and a request stored before it named one by its task", () => {
    const subtask = { ...taskOf({ id: 'b.w1', type: 'w1' }, 'w1'), rootId: 'b', parentId: 'b' };
    const request = { id: 'apr_1', taskId: 'b.w1', rootId: 'b', taskType: 'w1', requester: 'w1', approver: 'lead', requiredLevel: 1, quorum: 1, reason: 'risky', requestedAt: 1_000, payload: undefined };
    const { rootId: _, ...stored } = request; // as an agent's Restate state may still hold it after an upgrade
    const requester: AgentContext = { ...emptyContext('w1'), held: { 'b.w1': { task: subtask, phase: 'parked', mode: 'route' } as HeldTask }, approvals: { apr_1: 'b.w1' } };
    const requested = (approval: typeof request | typeof stored): AgentReport => ({ type: 'approval.requested', approval: approval as typeof request, asked: ['lead'] });
    // The requester holds the subtask: either way the request goes to the case of "b".
    expect(rootIndex([requester], { type: 'echelon.resume' } as AgentEvent).rootOf(requested(request))).toBe('b');
    expect(rootIndex([requester], { type: 'echelon.resume' } as AgentEvent).rootOf(requested(stored))).toBe('b');
    // The approver holds nothing of it: the request itself says where its decision and its fault go.
    const approver = rootIndex([emptyContext('lead')], { type: 'echelon.approver', request, decision: undefined, error: { code: 'policy_error', message: 'boom' } });
    expect(approver.rootOf({ type: 'agent.fault', agent: 'lead', error: { code: 'policy_error', message: 'boom' }, approvalId: 'apr_1' })).toBe('b');
    expect(rootIndex([emptyContext('lead')], { type: 'approval.requested', approval: request }).rootOf({ type: 'approval.decision', approvalId: 'apr_1' } as AgentReport)).toBe('b');
    // A stored request without its root, at the approver that holds nothing: its task's id, as before requests named their root.
    expect(rootIndex([emptyContext('lead')], { type: 'approval.requested', approval: stored as typeof request }).rootOf({ type: 'approval.decision', approvalId: 'apr_1' } as AgentReport)).toBe('b.w1');
  });
});
