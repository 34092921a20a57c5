/**
 * Reports riding up with a result (src/restate/carried.ts), on the agent chart as the Restate host
 * runs it — no server: the turns run in a made-up invocation, and what the host would do with each
 * turn's reports is read off `carrierOf`.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import type { AgentContext, AgentEvent, AgentMachine } from '../../machines/agent.machine.js';
import type { AgentReport, Effect } from '../../machines/ports.js';
import { defineHierarchy, type TaskInput } from '../../src/index.js';
import { agentTurn } from '../../src/restate/agent-turn.js';
import { carrierOf, unpack, withReports, type Carrying } from '../../src/restate/carried.js';
import { organisation } from '../../src/restate/organisation.js';
import { invocation, within } from '../../src/restate/scope.js';
import { validateTaskInput } from '../../src/task-input.js';

const chain = () => defineHierarchy({ id: 'cto', role: 'executive', children: [{ id: 'lead', role: 'manager', children: [{ id: 'dev', role: 'worker', capabilities: ['code'] }] }] });
let seed = 0;
const rand = { random: () => 0.5, uuidv4: () => `00000000-0000-4000-8000-${String(++seed).padStart(12, '0')}` };
const taskOf = (input: TaskInput) => validateTaskInput(input, { entry: 'cto', now: 1_000, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });

/** One turn at `agentId`: the context it rests with, its effects, and its reports (all about one submitted task here). */
function turn(machine: AgentMachine, agentId: string, context: AgentContext | undefined, event: AgentEvent) {
  const here = invocation(1_000, rand);
  const next = within(here, () => agentTurn(machine, agentId, context, event));
  const reports = here.effects.flatMap((effect) => (effect.type === 'report' && effect.report.type !== 'agent.state' ? [effect.report] : []));
  return { next, effects: here.effects, reports, carrier: carrierOf(here.effects, 'job', reports, agentId) };
}

const sent = (effects: readonly Effect[]) => effects.flatMap((effect) => (effect.type === 'send' ? [`${effect.message.type}→${effect.to}`] : []));

describe('echelon/restate: reports riding up with a result', () => {
  it('the worker and the manager hand their reports up with the result; the entry agent, which settles the task, files them', () => {
    const { machine } = organisation({ hierarchy: chain(), executors: async () => 'done' }, 'carried test');
    const task = taskOf({ id: 'job', type: 'code' });
    // Down: each agent hands the task on or starts it, and files what it did (nothing to ride on).
    const atCto = turn(machine, 'cto', undefined, { type: 'task.assign', task });
    expect(sent(atCto.effects)).toEqual(['task.assign→lead']);
    expect(atCto.carrier).toBeUndefined();
    const handed = (atCto.effects.find((effect) => effect.type === 'send') as Extract<Effect, { type: 'send' }>).message as Extract<AgentEvent, { type: 'task.assign' }>;
    const atLead = turn(machine, 'lead', undefined, handed);
    const toDev = (atLead.effects.find((effect) => effect.type === 'send') as Extract<Effect, { type: 'send' }>).message as Extract<AgentEvent, { type: 'task.assign' }>;
    const started = turn(machine, 'dev', undefined, toDev);
    expect(started.carrier).toBeUndefined();
    expect(started.reports.map((report) => report.type)).toContain('task.started');
    // Up: the worker's result carries its reports; the manager's carries its own.
    const executed = turn(machine, 'dev', started.next, { type: 'echelon.executed', taskId: 'job', attempt: 1, result: { kind: 'ok', value: 'done' } });
    expect(sent(executed.effects)).toEqual(['task.completed→lead']);
    expect(executed.reports.length).toBeGreaterThan(0);
    expect(executed.carrier?.to).toBe('lead');
    const result = withReports(executed.carrier!.message, executed.reports);
    // They ride without the task and the settlement the result already holds (the worker's task.ended repeats both), and come back whole.
    const riding = (result as Carrying).carriedReports!;
    expect(riding.map((report) => [report.type, 'task' in report, 'settlement' in report])).toEqual(executed.reports.map((report) => [report.type, false, false]));
    expect(JSON.stringify(result).length).toBeLessThan(JSON.stringify(executed.carrier!.message).length + 200);
    const { event, carried } = unpack(result as AgentEvent);
    expect(carried).toEqual({ root: 'job', reports: executed.reports });
    expect(event).toEqual(executed.carrier!.message);
    const upLead = turn(machine, 'lead', atLead.next, event);
    expect(sent(upLead.effects)).toEqual(['task.completed→cto']);
    expect(carrierOf(upLead.effects, 'job', [...carried!.reports, ...upLead.reports], 'lead')?.to).toBe('cto');
    // The entry agent sends nothing up: it files everything.
    const upCto = turn(machine, 'cto', atCto.next, (upLead.effects.find((effect) => effect.type === 'send') as Extract<Effect, { type: 'send' }>).message);
    expect(sent(upCto.effects)).toEqual([]);
    expect(upCto.reports.map((report) => report.type)).toContain('task.settled');
    expect(upCto.carrier).toBeUndefined();
  });

  it('files at once whatever is not about the result’s task alone, or when the turn sends anything else about the submitted task', () => {
    const task = taskOf({ id: 'job', type: 'code' });
    const other = { ...task, id: 'job.2' };
    const result: Effect = { type: 'send', to: 'lead', message: { type: 'task.completed', task, settlement: { status: 'completed', result: 1, attempts: 1, executedBy: 'dev' } } };
    const ended = (about: typeof task): AgentReport => ({ type: 'task.ended', task: about, agent: 'dev', settlement: { status: 'completed', result: 1, attempts: 1, executedBy: 'dev' } });
    expect(carrierOf([result], 'job', [ended(task)], 'dev')).toBe(result);
    // A report about another task of the same submitted task, or about no task.
    expect(carrierOf([result], 'job', [ended(task), ended(other)], 'dev')).toBeUndefined();
    expect(carrierOf([result], 'job', [ended(task), { type: 'approval.settled', approvalId: 'apr_1', status: 'approved' }], 'dev')).toBeUndefined();
    // Another message about the submitted task, or one naming none (a cancel), in the same turn.
    expect(carrierOf([result, { type: 'send', to: 'qa', message: { type: 'task.assign', task: other } }], 'job', [ended(task)], 'dev')).toBeUndefined();
    expect(carrierOf([result, { type: 'send', to: 'qa', message: { type: 'task.cancel', taskId: 'job.2' } }], 'job', [ended(task)], 'dev')).toBeUndefined();
    // A message about another submitted task does not stand in the way; a result about another one carries nothing of this one.
    expect(carrierOf([{ type: 'send', to: 'qa', message: { type: 'task.assign', task: { ...other, rootId: 'elsewhere' } } }, result], 'job', [ended(task)], 'dev')).toBe(result);
    expect(carrierOf([result], 'elsewhere', [], 'dev')).toBeUndefined();
    // Nothing rides on a message to the agent itself, or on anything but a result.
    expect(carrierOf([{ ...result, to: 'dev' } as Effect], 'job', [ended(task)], 'dev')).toBeUndefined();
    expect(carrierOf([{ type: 'send', to: 'lead', message: { type: 'task.assign', task } }], 'job', [ended(task)], 'dev')).toBeUndefined();
  });

  it('takes reports riding on a result, about its task, and refuses any others; a message without them is left as it came', () => {
    const task = taskOf({ id: 'job', type: 'code' });
    const reports: AgentReport[] = [{ type: 'task.started', task, agent: 'dev', attempt: 1 }];
    const assign: AgentEvent = { type: 'task.assign', task };
    expect(unpack(assign)).toEqual({ event: assign });
    expect(unpack(assign).event).toBe(assign);
    expect(withReports(assign, undefined)).toBe(assign);
    // As an agent sends them: on a result, every one about its task.
    const result: AgentEvent = { type: 'task.completed', task, settlement: { status: 'completed', result: 1, attempts: 1, executedBy: 'dev' } };
    expect(unpack({ ...result, carriedReports: reports } as Carrying)).toEqual({ event: result, carried: { root: task.rootId, reports } });
    // Anything else comes from elsewhere (the ingress is open): the event is taken, the reports are not.
    const refused = (carriedReports: unknown, event: AgentEvent = result) => unpack({ ...event, carriedReports } as Carrying);
    expect(refused(reports, assign)).toEqual({ event: assign, refused: true });
    expect(refused(1)).toEqual({ event: result, refused: true });
    expect(refused([null])).toEqual({ event: result, refused: true });
    expect(refused([{ type: 'task.started', task: { ...task, id: 'other' }, agent: 'dev', attempt: 1 }])).toEqual({ event: result, refused: true });
    expect(refused([{ type: 'approval.settled', approvalId: 'apr_1', status: 'approved' }])).toEqual({ event: result, refused: true });
  });

  it('leaves out of a riding report only what is the result’s own, and puts it back as it was', () => {
    const task = taskOf({ id: 'job', type: 'code', payload: { prompt: 'x'.repeat(1_000) } });
    const settlement = { status: 'completed' as const, result: 'y'.repeat(1_000), attempts: 1, executedBy: 'dev' };
    const result = { type: 'task.completed' as const, task, settlement };
    const reports: AgentReport[] = [
      { type: 'task.ended', task, agent: 'dev', settlement },
      // The same task's id in another object, or another settlement: kept as they are.
      { type: 'task.ended', task: { ...task }, agent: 'dev', settlement },
      { type: 'subtask.settled', task, settlement: { ...settlement, result: 'other' } },
      { type: 'agent.fault', agent: 'dev', task, error: { code: 'executor_error', message: 'boom' } },
    ];
    const sent = withReports(result, reports) as Carrying;
    expect(sent.carriedReports).toEqual([
      { type: 'task.ended', agent: 'dev' },
      reports[1],
      { type: 'subtask.settled', settlement: { ...settlement, result: 'other' } },
      { type: 'agent.fault', agent: 'dev', error: { code: 'executor_error', message: 'boom' } },
    ]);
    // Through the wire (JSON), as Restate carries it: each report back as it was sent.
    const { event, carried } = unpack(JSON.parse(JSON.stringify(sent)) as Carrying);
    expect(event).toEqual(result);
    expect(carried?.reports).toEqual(reports);
    // On anything but a result, nothing is left out.
    expect((withReports({ type: 'task.assign', task }, reports) as Carrying).carriedReports).toBe(reports);
  });
});
