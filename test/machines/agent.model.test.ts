/**
 * Model-based tests of the agent statechart (xstate/graph). The model is the machine's own
 * pure transition function, explored over a small alphabet of tasks that exercise every kind
 * of step: execute, approve, delegate (sync and async), decide asynchronously, escalate, fail.
 * Every shortest path is then replayed on a live actor — real spawned children, real invoked
 * decisions resolving as promises — and at every step the live agent must be in the model's
 * state, hold the same tasks, and keep its invariants: one execution actor per running task,
 * one approval actor per parked task, every child agent spawned, no task settled twice.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type AnyActorRef } from 'xstate';
import { TestModel } from 'xstate/graph';
import { AGENT_STATES, createAgentMachine, type AgentContext, type AgentEnvironment, type AgentEvent, type AgentReport, type Step, type Task } from '../../src/index.js';
import { deferred, flush, makeTask } from '../support/helpers.js';
import { testEnvironment } from '../support/environment.js';
import { replayEveryTransition } from '../support/model.js';

/** The task types of the alphabet, and what the agent decides for each. */
const TYPES = ['work', 'gated', 'route', 'think', 'plan', 'up', 'bad'] as const;
type Kind = (typeof TYPES)[number];
const CHILD: Partial<Record<Kind, string>> = { route: 'kid1', plan: 'kid2' };

const task = (type: Kind, chain: string[] = ['boss']): Task => makeTask({ id: type, type, chain });

/** The async answer each async decision eventually gives. */
const ANSWER: Partial<Record<Kind, Step>> = { think: { kind: 'execute' }, plan: { kind: 'assign', childId: 'kid2' } };

function environment(decide: (key: string) => Promise<Step>, reports: AgentReport[] = []): AgentEnvironment {
  let ids = 0;
  return testEnvironment({
    childIds: (agentId) => (agentId === 'boss' ? ['kid1', 'kid2'] : []),
    evaluate: (agentId, job) => {
      if (agentId !== 'boss') return { kind: 'execute' };
      const type = job.task.type as Kind;
      switch (type) {
        case 'work':
          return { kind: 'execute' };
        case 'gated':
          return { kind: 'execute', approval: {} };
        case 'route':
        case 'plan':
          return { kind: 'delegate', candidates: [] };
        case 'think':
          return decide(`${type}:evaluate`);
        case 'up':
          return { kind: 'escalate', reason: 'policy_decision', to: 'human', message: 'a person decides' };
        case 'bad':
          return { kind: 'fail', error: { code: 'unroutable', message: 'nobody' } };
      }
    },
    select: (_agentId, job) => (job.task.type === 'plan' ? decide('plan:select') : { kind: 'assign', childId: CHILD[job.task.type as Kind]! }),
    escalateAfter: () => ({ kind: 'fail', error: { code: 'executor_error', message: 'failed' } }),
    resolutionMode: () => 'route',
    concurrency: () => 1,
    executionPolicy: () => ({ timeoutMs: 1000, retry: { attempts: 1, initialDelayMs: 0, factor: 1, maxDelayMs: 0, jitter: 0 } }),
    execute: () => Promise.resolve(undefined),
    retryable: () => false,
    approvalRequest: (agentId, parkedTask, _requirement, id) => ({
      id,
      taskId: parkedTask.id,
      taskType: parkedTask.type,
      requester: agentId,
      approver: 'human',
      requiredLevel: 0,
      quorum: 1,
      reason: 'test',
      requestedAt: 0,
      payload: undefined,
    }),
    decideApproval: () => undefined,
    joinAfter: (join) => ({ join, cancel: [], done: false }),
    cancelJoin: (join) => ({ join, cancel: [], done: true }),
    settleJoin: () => ({ status: 'completed', attempts: 0 }),
    claimResources: () => undefined,
    releaseResources: () => undefined,
    random: () => 0,
    newId: (prefix) => `${prefix}_${++ids}`,
    report: (report) => void reports.push(report),
  });
}

/** Execution and approval actors are stood in for: the test plays their reports. */
const stubs = { execution: fromCallback(() => undefined), approval: fromCallback(() => undefined) } as never;

// ─── The model ─────────────────────────────────────────────────────────────────────────

const topState = (value: unknown) => (typeof value === 'string' ? value : Object.keys(value as object)[0]!);
const subState = (value: unknown) => (typeof value === 'string' ? value : `${topState(value)}.${Object.values(value as object)[0]}`);

/** The agent's state in terms of task ids (approval and escalation ids differ between runs). */
function summary(snapshot: { value: unknown; context: AgentContext }) {
  const { context } = snapshot;
  return {
    state: subState(snapshot.value),
    job: context.job?.task.id ?? null,
    step: context.step?.kind ?? null,
    inbox: context.inbox.map((job) => job.task.id),
    queue: context.queue.map((queued) => queued.id),
    running: Object.keys(context.running).sort(),
    parked: Object.values(context.parked).map((parked) => parked.id).sort(),
    escalated: Object.values(context.escalated).map((raised) => raised.id).sort(),
    load: Object.fromEntries(Object.entries(context.load).filter(([, count]) => count > 0)),
  };
}

/** Tasks the agent holds, or has handed to a child that has not answered. */
function held(context: AgentContext): Set<string> {
  const ids = new Set<string>([
    ...(context.job ? [context.job.task.id] : []),
    ...context.inbox.map((job) => job.task.id),
    ...context.queue.map((queued) => queued.id),
    ...Object.keys(context.running),
    ...Object.values(context.parked).map((parked) => parked.id),
    ...Object.values(context.escalated).map((raised) => raised.id),
  ]);
  for (const [type, child] of Object.entries(CHILD)) if ((context.load[child] ?? 0) > 0) ids.add(type);
  return ids;
}

type ModelEvent = AgentEvent & { readonly taskId?: string };

/** The events that make sense in a state: new tasks (three at most in hand), and answers to what is pending. */
function eventsFor(snapshot: { value: unknown; context: AgentContext }): ModelEvent[] {
  const { context } = snapshot;
  const holding = held(context);
  const events: ModelEvent[] = [];
  if (holding.size < 3) for (const type of TYPES) if (!holding.has(type)) events.push({ type: 'task.assign', task: task(type) });
  for (const id of Object.keys(context.running)) {
    events.push({ type: 'execution.succeeded', taskId: id, result: `${id} done`, attempts: 1 });
    events.push({ type: 'execution.failed', taskId: id, error: { code: 'executor_error', message: 'boom' }, attempts: 1 });
  }
  for (const [approvalId, parked] of Object.entries(context.parked)) {
    events.push({ type: 'approval.settled', approvalId, approved: true, decisions: [], taskId: parked.id } as ModelEvent);
    events.push({ type: 'approval.settled', approvalId, approved: false, decisions: [], error: { code: 'rejected', message: 'no' }, taskId: parked.id } as ModelEvent);
  }
  for (const [escalationId, raised] of Object.entries(context.escalated)) {
    events.push({ type: 'escalation.resolved', escalationId, resolvedBy: 'human:test', settlement: { status: 'completed', result: 'decided', attempts: 0 }, taskId: raised.id } as ModelEvent);
  }
  for (const [type, child] of Object.entries(CHILD)) {
    if ((context.load[child] ?? 0) > 0) events.push({ type: 'task.completed', task: task(type as Kind, ['boss', child]), settlement: { status: 'completed', attempts: 1 } });
  }
  if (context.step?.kind === 'pending') {
    events.push({ type: 'xstate.done.actor.consult', output: ANSWER[context.job!.task.type as Kind]! } as unknown as ModelEvent);
  }
  for (const id of holding) if (!Object.keys(CHILD).includes(id)) events.push({ type: 'task.cancel', taskId: id });
  return events;
}

const modelMachine = createAgentMachine(environment(() => new Promise<Step>(() => undefined)), { actors: stubs });
const model = new TestModel(modelMachine, {
  input: { agentId: 'boss' },
  events: eventsFor as never,
  serializeState: (snapshot) => JSON.stringify(summary(snapshot as never)),
  serializeEvent: (event) => JSON.stringify(event),
});

// ─── The system under test ─────────────────────────────────────────────────────────────

function liveAgent() {
  const pending = new Map<string, ReturnType<typeof deferred<Step>>>();
  const reports: AgentReport[] = [];
  const env = environment((key) => {
    const answer = deferred<Step>();
    pending.set(key, answer);
    return answer.promise;
  }, reports);
  const actor = createActor(createAgentMachine(env, { actors: stubs }), { systemId: 'boss', input: { agentId: 'boss' } }).start();
  return { actor, pending, reports };
}
type Live = ReturnType<typeof liveAgent>;

async function play(live: Live, event: ModelEvent): Promise<void> {
  const { context } = live.actor.getSnapshot();
  switch (event.type) {
    case 'approval.settled': {
      // The live agent named the approval itself: find it by its task.
      const approvalId = Object.keys(context.parked).find((id) => context.parked[id]!.id === event.taskId)!;
      live.actor.send({ ...event, approvalId } as AgentEvent);
      break;
    }
    case 'escalation.resolved': {
      const escalationId = Object.keys(context.escalated).find((id) => context.escalated[id]!.id === event.taskId)!;
      live.actor.send({ ...event, escalationId } as AgentEvent);
      break;
    }
    default:
      if ((event.type as string) === 'xstate.done.actor.consult') {
        // The live agent awaits a real promise: answer it.
        const job = context.job!;
        const phase = (context.step as { phase: string }).phase;
        live.pending.get(`${job.task.type}:${phase}`)!.resolve(ANSWER[job.task.type as Kind]!);
        await flush(1);
      } else {
        live.actor.send(event);
      }
  }
}

function checkInvariants(live: Live): void {
  const snapshot = live.actor.getSnapshot();
  const children = Object.keys(snapshot.children as Record<string, AnyActorRef>).sort();
  const expected = [
    'agent:kid1',
    'agent:kid2',
    ...Object.keys(snapshot.context.running).map((id) => `exec:${id}`),
    ...Object.keys(snapshot.context.parked).map((id) => `approval:${id}`),
  ];
  if (snapshot.context.step?.kind === 'pending') expected.push('consult');
  expect(children).toEqual(expected.sort());
  const settled = live.reports.filter((report) => report.type === 'task.settled').map((report) => (report as { task: Task }).task.id);
  expect(new Set(settled).size).toBe(settled.length);
  expect(snapshot.status).toBe('active');
}

describe('the agent statechart, model-based', () => {
  const key = (snapshot: unknown) => JSON.stringify(summary(snapshot as never));
  const adjacency = model.getAdjacencyMap();
  const shortest = new Map(model.getShortestPaths({ allowDuplicatePaths: true }).map((path) => [key(path.state), path]));
  const edges = Object.values(adjacency).flatMap(({ transitions }) => Object.values(transitions));

  it('reaches every one of the five states, the waits for async decisions included', () => {
    const reached = new Set(Object.values(adjacency).map(({ state }) => subState((state as unknown as { value: unknown }).value)));
    for (const state of AGENT_STATES) expect([...reached].some((value) => value === state || value.startsWith(`${state}.`))).toBe(true);
    expect(reached).toContain('evaluatingEscalation.consulting');
    expect(reached).toContain('delegating.consulting');
    expect(Object.keys(adjacency).length).toBeGreaterThan(200);
    expect(shortest.size).toBe(Object.keys(adjacency).length);
  });

  it('passes through evaluatingEscalation and delegating as microsteps when decisions are synchronous', () => {
    const passed = new Set<string>();
    const actor = createActor(createAgentMachine(environment(() => new Promise(() => undefined)), { actors: stubs }), {
      input: { agentId: 'boss' },
      inspect: (event) => {
        if (event.type === '@xstate.microstep' && event.actorRef.sessionId === event.rootId) passed.add(topState((event.snapshot as unknown as { value: unknown }).value));
      },
    }).start();
    actor.send({ type: 'task.assign', task: task('route') });
    expect(passed).toEqual(new Set(['receiving', 'evaluatingEscalation', 'delegating']));
    actor.stop();
  });

  it('every transition replays on a live agent, which matches the model at every step and keeps its invariants', async () => {
    const replayed = await replayEveryTransition(model, {
      key,
      start: liveAgent,
      play: (live, event) => play(live, event as ModelEvent),
      check: (live, expected) => {
        expect(summary(live.actor.getSnapshot())).toEqual(summary(expected as never));
        checkInvariants(live);
      },
      stop: (live) => live.actor.stop(),
    });
    expect(replayed).toBe(edges.length);
    expect(replayed).toBeGreaterThan(1000);
  });
});
