/**
 * Model-based tests of the task lifecycle chart (xstate/graph). The model is the chart itself:
 * every path through it is walked, and at every step the table the agents advance their records
 * with (`advance`) must lead where the chart leads, and refuse every move the chart does not
 * have. Then live organisations are driven into every phase, and what agents report holding
 * (`agentState().held`) must be where the chart says a task can be at that point.
 */
import { describe, expect, it } from 'vitest';
import { getNextSnapshot, SimulatedClock } from 'xstate';
import { TestModel } from 'xstate/graph';
import { approveWhen, createOrchestrator, decomposeWith, delegateWith, developmentTeam, type TaskMove, type TaskPhase } from '../../src/index.js';
import { advance, TASK_PHASES, taskMachine } from '../../src/charts.js';
import { deferred, flush } from '../support/helpers.js';

const MOVES: TaskMove[] = ['ask', 'answer', 'queue', 'start', 'wait', 'retry', 'park', 'approve', 'escalate', 'defer', 'wake', 'split', 'leave'];

describe('the task lifecycle chart', () => {
  const model = new TestModel(taskMachine, { events: MOVES.map((type) => ({ type })) });

  it('every path through the chart: the table leads where the chart leads, and refuses what it lacks', () => {
    // The chart's own transitions, state by state, as XState computes them.
    const edges = new Map<string, TaskPhase>();
    for (const phase of TASK_PHASES) {
      for (const move of MOVES) {
        const next = getNextSnapshot(taskMachine, taskMachine.resolveState({ value: phase }), { type: move }).value as TaskPhase;
        if (next !== phase) edges.set(`${phase}-${move}`, next);
      }
    }
    expect(edges.size).toBe(26);
    for (const phase of TASK_PHASES) for (const move of MOVES) expect(advance(phase, move)).toBe(edges.get(`${phase}-${move}`));
    // And every path the model walks from the start reaches each phase through those same moves.
    const visited = new Set<string>(['received']);
    for (const path of model.getShortestPaths()) {
      let phase: TaskPhase = 'received';
      for (const step of path.steps.filter((s) => (s.event.type as string) !== 'xstate.init')) {
        phase = advance(phase, step.event.type as TaskMove)!;
        expect(phase).toBe(step.state.value);
        visited.add(phase);
      }
    }
    expect([...visited].sort()).toEqual([...TASK_PHASES].sort());
  });

  it('refuses what is no phase or no move with undefined, names of Object.prototype included', () => {
    // Before: advance('received', 'toString') answered Object.prototype.toString, and advance of an unknown phase threw a TypeError.
    for (const move of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'nope']) expect(advance('received', move as TaskMove)).toBeUndefined();
    for (const phase of ['toString', '__proto__', 'nope']) expect(advance(phase as TaskPhase, 'leave')).toBeUndefined();
  });

  it('has exactly the moves the README draws: where each phase goes, move by move', () => {
    const table = Object.fromEntries(TASK_PHASES.map((phase) => [phase, Object.fromEntries(MOVES.flatMap((move) => (advance(phase, move) === undefined ? [] : [[move, advance(phase, move)]])))]));
    expect(table).toEqual({
      received: { ask: 'deciding', queue: 'queued', start: 'running', park: 'parked', escalate: 'escalated', defer: 'deferred', split: 'split', leave: 'left' },
      deciding: { answer: 'received', leave: 'left' },
      queued: { start: 'running', leave: 'left' },
      running: { wait: 'backoff', park: 'parked', escalate: 'escalated', queue: 'queued', leave: 'left' },
      backoff: { retry: 'running', leave: 'left' },
      parked: { approve: 'queued', start: 'running', leave: 'left' },
      escalated: { leave: 'left' },
      deferred: { wake: 'received', leave: 'left' },
      split: { leave: 'left' },
      left: {},
    });
    expect(taskMachine.id).toBe('task');
    expect(taskMachine.root.initial?.target[0]?.key).toBe('received');
    expect(taskMachine.root.states.left!.type).toBe('final');
  });

  it('a task leaves from every phase but the last, which is final', () => {
    for (const phase of TASK_PHASES.filter((p) => p !== 'left')) expect(advance(phase, 'leave')).toBe('left');
    for (const move of MOVES) expect(advance('left', move)).toBeUndefined();
  });
});

describe('live agents hold tasks where the chart says', () => {
  it('queued, running, backoff, parked, escalated, split, deciding and deferred, each seen on a live agent', async () => {
    const clock = new SimulatedClock();
    const route = deferred<string>();
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const seen = new Map<string, Set<TaskPhase>>();
    const org = createOrchestrator({
      hierarchy: developmentTeam(),
      clock,
      onEscalation: () => undefined,
      execution: { retry: { attempts: 2, initialDelayMs: 1_000, jitter: 0 } },
      strategy: { byId: { frontend_lead: delegateWith('slow', () => route.promise) } },
      decomposers: { byType: { pair: decomposeWith('pair', () => [{ key: 'a', type: 'sql' }, { key: 'b', type: 'graphql' }]) } },
      approvals: { approvers: { byId: { cto: approveWhen(() => false) } } },
      executors: (task, { attempt }) => {
        if (task.type === 'optimization' && attempt === 1) throw new Error('flaky');
        const gate = deferred<string>();
        gates.set(`${task.id}#${attempt}`, gate);
        return gate.promise;
      },
    });
    const look = () => {
      for (const node of org.hierarchy.nodes()) {
        for (const [taskId, phase] of Object.entries(org.agentState(node.id).held)) {
          const phases = seen.get(taskId) ?? new Set<TaskPhase>();
          phases.add(phase);
          seen.set(taskId, phases);
        }
      }
    };
    void org.submit({ id: 'first', type: 'python' });
    void org.submit({ id: 'second', type: 'coding' }); // backend_dev_1 runs one task at a time: queued
    void org.submit({ id: 'flaky', type: 'optimization' }); // fails once: backoff
    void org.submit({ id: 'gated', type: 'sql', context: { requiresApproval: true } }); // parked at db_specialist
    void org.submit({ id: 'lost', type: 'quantum' }); // nobody can: escalated to a person
    void org.submit({ id: 'pair', type: 'pair' }); // split at the CTO
    void org.submit({ id: 'routed', type: 'css' }); // the frontend lead's strategy answers later: deciding
    await flush();
    look();
    expect(org.agentState('backend_dev_1').held).toEqual({ first: 'running', second: 'queued' });
    expect(org.agentState('db_specialist').held).toMatchObject({ flaky: 'backoff', gated: 'parked' });
    expect(org.agentState('cto').held).toEqual({ pair: 'split', lost: 'escalated' });
    expect(org.agentState('frontend_lead').held).toEqual({ routed: 'deciding' });
    route.resolve('react_specialist');
    clock.increment(1_000);
    await flush();
    look();
    expect(seen.get('routed')).toEqual(new Set(['deciding', 'running'])); // decided at the lead, run by frontend_dev_1
    expect(seen.get('flaky')).toEqual(new Set(['backoff', 'running']));
    // Every phase seen is a phase of the chart.
    for (const phases of seen.values()) for (const phase of phases) expect(TASK_PHASES).toContain(phase);
    await org.stop();
  });
});
