/**
 * `createOrchestrator`: starts an organisation as a tree of XState agent actors and gives it
 * a front desk — submit tasks and await their outcomes, cancel them, read status, listen to
 * lifecycle events, and let people resolve escalations and decide approvals.
 */
import { nanoid } from 'nanoid';
import { createActor, type Snapshot } from 'xstate';
import { agentChildId, createAgentMachine, type AgentActorRef, type AgentMachine } from '../../machines/agent.machine.js';
import { restoreReports, splitRestored, stopOrganisation } from '../../machines/reports.js';
import { EchelonError } from '../errors.js';
import { processClock } from '../long-timer.js';
import { openDurable, type Durable } from './durability/index.js';
import type { Settlement, Task } from '../types.js';
import type { Orchestrator } from './api.js';
import { createInProcessHost, type InProcessHost } from './host.js';
import { resolveOptions } from './ports.js';
import { EventBus, type OrchestratorEvent, type OrchestratorEventType } from './events.js';
import { frontDesk } from './front-desk.js';
import { Ledger } from './ledger.js';
import { checkOrchestratorOptions, guardedNow, guardedRandom, type OrchestratorOptions } from './options.js';
import { checkCostBudget, costAmount, DEFAULT_LIMITS, invalid, positiveInteger } from '../settings/index.js';
import { peopleDesk } from './people.js';
import { reportHandler } from './reports.js';
import { ResourceRegistry } from './resources.js';
import { RunState } from './run-state.js';
import { Streaming } from './streaming.js';
import { watchAgentStates } from './agent-status.js';
import { logThrown } from '../show.js';
import { steadyClock } from './steady-clock.js';

export type { AgentStatus, Orchestrator, OrchestratorStatus } from './api.js';

/**
 * Starts an organisation: one XState actor per agent, spawned parent by parent.
 *
 * @example
 * ```ts
 * const org = createOrchestrator({
 *   hierarchy: developmentTeam(),
 *   executors: { default: async (task, { agent }) => ({ done: task.type, by: agent.id }) },
 * });
 * const outcome = await org.submit({ type: 'api_design', payload: { feature: 'login' } });
 * outcome.executedBy;      // 'api_specialist'
 * outcome.delegationChain; // ['cto', 'backend_lead', 'api_specialist']
 * await org.stop();
 * ```
 */
export function createOrchestrator(options: OrchestratorOptions): Orchestrator {
  checkOrchestratorOptions(options);
  const hierarchy = (options as Partial<OrchestratorOptions> | null | undefined)?.hierarchy;
  if (typeof options !== 'object' || options === null || typeof hierarchy?.get !== 'function') {
    invalid('createOrchestrator needs { hierarchy, executors }: build the hierarchy with defineHierarchy() or a preset such as developmentTeam().');
  }
  if (options.resume === true && options.store === undefined) {
    // Most often a store variable left undefined: the organisation would silently keep nothing.
    invalid('createOrchestrator: resume: true brings an organisation back from its store, and no store was given: pass { store } (memoryStore(), or sqliteStore(file) from echelon/sqlite), or leave resume out.');
  }
  const retain = options.retain ?? 1000;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  positiveInteger(retain, 'retain');
  const now = steadyClock(guardedNow(options.clock));
  if (options.store !== undefined && options.messageDelayMs !== undefined) {
    invalid('messageDelayMs cannot be combined with a store: messages waiting on the clock would be in flight at every write point. Step scenarios without a store.');
  }
  const durable: Durable | undefined =
    options.store === undefined
      ? undefined
      : openDurable({
          store: options.store,
          resume: options.resume === true,
          hierarchy,
          now,
          // Nothing runs that could not be recorded: the agents and the host stop at once, the rest with org.stop().
          fatal: (error) => {
            halt(error);
            host.stop();
            actor.stop();
            org.stop().catch(() => undefined); // a caller of org.stop() gets the same promise, and its failure
          },
        });
  const ledger = new Ledger(retain, durable?.watcher);
  const bus = new EventBus((error, event) => logThrown(`echelon: a listener for "${event.type}" threw:`, error));
  const run = new RunState(ledger);
  const halt = (error: unknown) => run.halt(error);

  const streaming = new Streaming({ bus, ledger, now, onListenerError: (error) => logThrown('echelon: a progress listener threw:', error) });
  const emit = (type: OrchestratorEventType, build: () => OrchestratorEvent) => {
    if (bus.wants(type)) bus.emit(build());
  };

  const finish = (task: Task, settlement: Settlement) => {
    const outcome = ledger.finish(task, settlement, now());
    if (outcome === undefined) return;
    emit(outcome.status === 'completed' ? 'task.completed' : 'task.failed', () => ({
      type: outcome.status === 'completed' ? 'task.completed' : 'task.failed',
      outcome,
      at: outcome.settledAt,
    }));
    streaming.finished(outcome.taskId);
    run.settled();
  };

  const resources = new ResourceRegistry((agentId, released) => host.send(agentId, { type: 'echelon.released', resources: released }), durable?.resourcesChanged);
  const restored = durable?.restore(ledger, resources);
  const reportCost = (task: Task, amount: number) => {
    costAmount(amount);
    checkCostBudget(task, ledger.addCost(task, amount));
  };
  /**
   * Cancels a task and everything derived from it, wherever each one is now: the whole lineage is
   * marked first (a cancellation processed at once may finish the task and drop the rest from the
   * books), then each holder is told. A piece still on its way is ended by the agent it reaches.
   * Each message names its agent when its turn comes: asked for from a listener or a strategy, while
   * messages are still being handed on, the holder may pass the task on or end it before then — told
   * at once, it kept the cancel of a task it no longer held, and ended the next task of that id with it.
   */
  const cancelLineage = (taskId: string, reason: string) => {
    const marked = ledger.lineage(taskId).map(({ task }) => ledger.requestCancel(task.id, reason)!);
    for (const record of marked) host.sendWhenDue(() => ledger.cancelTarget(record, holds), { type: 'task.cancel', taskId: record.task.id, reason });
  };
  const holds = (agentId: string, taskId: string) => (actor.system.get(agentId) as AgentActorRef | undefined)?.getSnapshot().context.held[taskId] !== undefined;
  const onReport = reportHandler({
    ledger,
    bus,
    durable,
    resources,
    now,
    emit,
    finish,
    cancelLineage,
    askHuman: (escalation) => desk.askHuman(escalation),
  });
  const send = (agentId: string, message: Parameters<typeof host.send>[1]) => host.send(agentId, message);
  const desk = peopleDesk({ hierarchy, ledger, durable, now, send, report: onReport, onEscalation: options.onEscalation, stopped: () => run.stopped });
  const chargeTask = (taskId: string, amount: number) => {
    const record = ledger.tasks.get(taskId);
    if (record !== undefined) reportCost(record.task, amount);
  };
  const resolved = resolveOptions(options, {
    now, resources, reportCost,
    costSpent: (task) => ledger.spent(task),
    progress: (source) => streaming.reporter(source),
    listening: (task) => streaming.listening(task),
  });
  const clock = options.clock ?? processClock;
  const host = createInProcessHost({
    now,
    random: guardedRandom(options.random),
    newId: (prefix) => `${prefix}_${nanoid(10)}`,
    clock,
    realTime: options.clock === undefined,
    messageDelayMs: options.messageDelayMs,
    report: onReport,
    execute: resolved.execute,
    retryable: resolved.settings.retryable,
    resources,
    charge: chargeTask,
    isActive: (taskId) => ledger.tasks.has(taskId),
  });
  const machine = createAgentMachine({ policy: resolved.policy, settings: resolved.settings, host });
  const childIds = (agentId: string) => hierarchy.get(agentId).childIds;
  const actor = startAgents(machine, options, restored, childIds, host, (error) => halt(new EchelonError('orchestrator_stopped', `The organisation stopped after an internal error: ${String(error)}`, { cause: error })));
  // Agent states, read off each agent's snapshot after every message it handled — watched from the
  // first listener on (an organisation nobody watches pays nothing per agent for it).
  bus.whenWanted('agent.state', () => watchAgentStates(actor, hierarchy, (agent, state) => bus.wants('agent.state') && onReport({ type: 'agent.state', agent, state })));

  const org = frontDesk({ hierarchy, actor, ledger, bus, durable, host, streaming, desk, run, limits, now, emit, send, cancelLineage,
    // Leaves first, in one loop (see machines/reports.ts): linear in fan-out and in depth.
    stopAgents: () => stopOrganisation(actor, childIds),
  });
  durable?.attach({ root: actor, ledger, send, askHuman: (escalation) => options.onEscalation !== undefined && desk.askHuman(escalation) });
  if (restored !== undefined) for (const node of hierarchy.nodes()) host.send(node.id, { type: 'echelon.resume' });
  return org;
}

/**
 * Starts the root agent's actor — which spawns its reports, parent by parent — fresh or from a
 * restored snapshot (reports are brought back beside XState's children, top down, like a fresh
 * start's: machines/reports.ts).
 */
function startAgents(
  machine: AgentMachine,
  options: OrchestratorOptions,
  restored: Snapshot<unknown> | undefined,
  childIds: (agentId: string) => readonly string[],
  host: InProcessHost,
  failed: (error: unknown) => void,
) {
  const root = options.hierarchy.root.id;
  const restoredParts = restored === undefined ? undefined : splitRestored(restored, root);
  const actor = createActor(machine, {
    systemId: root,
    id: agentChildId(root), // named as every other agent is, `agent:<id>`, in inspectors
    input: { agentId: root },
    ...(restoredParts === undefined ? {} : { snapshot: restoredParts.root as typeof restored }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
  });
  actor.subscribe({ error: failed });
  host.attach(actor);
  actor.start();
  if (restoredParts !== undefined) restoreReports(actor, restoredParts.reports, childIds);
  return actor;
}
