/**
 * The live side of the agent model tests: the scripted manager as a real actor, with its reports
 * spawned, over a host that carries out sends between agents (through one outbox, as the
 * in-process host does) and records everything else — the executions it was asked to run, the
 * timers armed, the decisions awaited, the claims held, the reports. The test plays the model's
 * moves through what that host holds: it finishes executions, fires timers and answers decisions
 * exactly as a host would, with the events the agent itself asked for.
 */
import { createActor } from 'xstate';
import { type AgentActorRef, type AgentContext, type AgentEvent, type AgentReport, type Effect, type HostPort, type PolicyPort } from '../../src/index.js';
import { createAgentMachine } from '../../src/charts.js';
import { childResult, executionResult, resolution, type Move } from './agent-alphabet.js';
import { ANSWERS, BOSS, decisionTimeout, KIDS, PERSON, POLICY, requestOf, RESOURCE, SETTINGS, topTask } from './agent-script.js';

type Await = Extract<Effect, { type: 'await' }>;

/** What the live host holds, by `<agent>/<key>`. */
export interface LiveHost extends HostPort {
  /** Every batch of effects, in order, with the agent that asked for it. */
  readonly performed: Array<{ readonly agentId: string; readonly effects: readonly Effect[] }>;
  readonly reports: AgentReport[];
  /** Attempt running, by `<agent>/<task>`. */
  readonly executions: Map<string, number>;
  readonly timers: Map<string, AgentEvent>;
  readonly awaits: Map<string, Await>;
  /** Tasks holding their resources, by `<agent>/<task>`. */
  readonly claims: Set<string>;
  /** Messages sent to an agent that is not there (a person is not an agent: messages to one only count). */
  readonly lost: string[];
  /** Forgets everything and points the host at a new manager. */
  reset(root: AgentActorRef): void;
}

function liveHost(): LiveHost {
  let root: AgentActorRef | undefined;
  let ids = 0;
  /** Messages to agents, and tasks to cancel wherever they are held when their turn comes (as the orchestrator does). */
  const outbox: Array<{ to: string; message: AgentEvent } | { cancel: string; reason: string }> = [];
  const holder = (taskId: string) => [BOSS, ...KIDS].find((id) => (root!.system.get(id) as AgentActorRef).getSnapshot().context.held[taskId] !== undefined);
  const deliver = (next: (typeof outbox)[number]) => {
    if ('to' in next) return (root!.system.get(next.to) as AgentActorRef).send(next.message);
    const at = holder(next.cancel);
    if (at !== undefined) (root!.system.get(at) as AgentActorRef).send({ type: 'task.cancel', taskId: next.cancel, reason: next.reason });
  };
  let draining = false;
  const host: LiveHost = {
    performed: [],
    reports: [],
    executions: new Map(),
    timers: new Map(),
    awaits: new Map(),
    claims: new Set(),
    lost: [],
    reset(actor) {
      root = actor;
      ids = 0;
      outbox.length = 0;
      host.performed.length = 0;
      host.reports.length = 0;
      host.lost.length = 0;
      for (const map of [host.executions, host.timers, host.awaits, host.claims]) map.clear();
    },
    now: () => 0,
    random: () => 0.5,
    newId: (prefix) => `${prefix}_${++ids}`,
    charge: () => undefined,
    perform(agentId, effects) {
      host.performed.push({ agentId, effects: [...effects] });
      for (const effect of effects) carryOut(agentId, effect);
      if (draining) return;
      draining = true;
      try {
        for (let next = outbox.shift(); next !== undefined; next = outbox.shift()) deliver(next);
      } finally {
        draining = false;
      }
    },
  };
  const carryOut = (agentId: string, effect: Effect) => {
    switch (effect.type) {
      case 'send':
        if (root?.system.get(effect.to) !== undefined) outbox.push({ to: effect.to, message: effect.message });
        else if (effect.to !== PERSON) host.lost.push(`${agentId} → ${effect.to}: ${effect.message.type}`);
        break;
      case 'report':
        host.reports.push(effect.report);
        if (effect.report.type === 'tasks.cancel') for (const taskId of effect.report.taskIds) outbox.push({ cancel: taskId, reason: effect.report.reason });
        break;
      case 'execute':
        host.executions.set(`${agentId}/${effect.request.task.id}`, effect.request.attempt);
        break;
      case 'abort':
        host.executions.delete(`${agentId}/${effect.taskId}`);
        break;
      case 'arm':
        host.timers.set(`${agentId}/${effect.key}`, effect.event);
        break;
      case 'disarm':
        host.timers.delete(`${agentId}/${effect.key}`);
        break;
      case 'await':
        host.awaits.set(`${agentId}/${effect.key}`, effect);
        break;
      case 'forget':
        host.awaits.get(`${agentId}/${effect.key}`)?.abort();
        host.awaits.delete(`${agentId}/${effect.key}`);
        break;
      case 'claim':
        host.claims.add(`${agentId}/${effect.task.id}`);
        break;
      case 'release':
        host.claims.delete(`${agentId}/${effect.taskId}`);
        break;
    }
  };
  return host;
}

/** Takes what the host holds under `key`, failing when it holds nothing: the agent never asked for it. */
function take<T>(map: Map<string, T>, key: string): T {
  const value = map.get(key);
  if (value === undefined) throw new Error(`the host holds nothing for ${key}`);
  map.delete(key);
  return value;
}

/** One host and one machine serve every live system in turn (building a machine costs more than a replay). */
const host = liveHost();
const machine = createAgentMachine({ policy: POLICY, settings: SETTINGS, host });

/**
 * The manager and its reports, live, on a host holding nothing. Stop it before starting the next.
 * `policy` replaces the scripted policy port (a test of what the agent does with a port's answers).
 */
export function liveAgents(policy?: PolicyPort) {
  const root = createActor(policy === undefined ? machine : createAgentMachine({ policy, settings: SETTINGS, host }), { systemId: BOSS, input: { agentId: BOSS } });
  host.reset(root);
  root.start();
  const agent = (id: string) => root.system.get(id) as AgentActorRef | undefined;
  const context = (id: string): AgentContext => agent(id)!.getSnapshot().context;
  /** Sends from outside any agent (what follows is delivered by the host as the agents send it). */
  const send = (id: string, event: AgentEvent) => agent(id)!.send(event);

  const play = (move: Move) => {
    const held = 'taskId' in move ? context(BOSS).held[move.taskId] : undefined;
    switch (move.type) {
      case 'assign':
        return send(BOSS, { type: 'task.assign', task: topTask(move.kind) });
      case 'result':
      case 'stale': {
        const attempt = take(host.executions, `${BOSS}/${move.taskId}`);
        if (move.type === 'result') return send(BOSS, { type: 'echelon.executed', taskId: move.taskId, attempt, result: executionResult(move.result, move.taskId) });
        host.executions.set(`${BOSS}/${move.taskId}`, attempt);
        return send(BOSS, { type: 'echelon.executed', taskId: move.taskId, attempt: attempt - 1, result: executionResult('ok', move.taskId) });
      }
      case 'timer': {
        const key = move.what === 'approval' ? `apv:${held!.approval!.request.id}` : `run:${move.taskId}`;
        return send(BOSS, take(host.timers, `${BOSS}/${key}`));
      }
      case 'answer':
      case 'late': {
        const wait = take(host.awaits, `${BOSS}/dec:${move.taskId}`);
        if (move.type === 'late') wait.abort();
        return send(BOSS, move.type === 'answer' ? wait.answer(ANSWERS[move.taskId]) : wait.fail(decisionTimeout(BOSS)));
      }
      case 'lost':
        return send(BOSS, take(host.awaits, `${BOSS}/dec:${move.taskId}`).again());
      case 'grant':
        return send(BOSS, { type: 'approval.granted', approvalId: held!.approval!.request.id, by: move.by });
      case 'deny':
        return send(BOSS, { type: 'approval.denied', approvalId: held!.approval!.request.id, by: PERSON, reason: 'no' });
      case 'resolve':
        return send(BOSS, resolution(held!));
      case 'release':
        return send(BOSS, { type: 'echelon.released', resources: [RESOURCE] });
      case 'asked':
        return send(BOSS, { type: 'approval.requested', approval: requestOf(move.kind) });
      case 'approver':
        return send(BOSS, take(host.awaits, `${BOSS}/apr:${requestOf(move.kind).id}`).answer({ approve: true }));
      case 'withdraw':
        return send(BOSS, { type: 'approval.withdrawn', approvalId: requestOf(move.kind).id });
      case 'approverLost':
        return send(BOSS, take(host.awaits, `${BOSS}/apr:${requestOf(move.kind).id}`).again());
      case 'cancel':
        return send(BOSS, { type: 'task.cancel', taskId: move.taskId, reason: 'the test cancels it' });
      case 'child': {
        // The report holding it finishes its execution; its result travels back as the agents send it.
        const kid = KIDS.find((id) => context(id).held[move.taskId] !== undefined);
        if (kid === undefined) throw new Error(`no report holds ${move.taskId}`);
        const attempt = take(host.executions, `${kid}/${move.taskId}`);
        const result = childResult(move.result, move.taskId);
        return send(kid, { type: 'echelon.executed', taskId: move.taskId, attempt, result });
      }
    }
  };
  return { root, host, settings: SETTINGS, agent, context, play, stop: () => root.stop() };
}
export type LiveAgents = ReturnType<typeof liveAgents>;

/** The tasks the live agents ended, as their `task.settled` reports, in order. */
export const settledOf = (live: LiveAgents) =>
  live.host.reports.filter((report): report is Extract<AgentReport, { type: 'task.settled' }> => report.type === 'task.settled');
