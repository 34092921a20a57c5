/**
 * `createOrchestrator`: starts an organisation as a tree of XState agent actors and gives it
 * a front desk — submit tasks and await their outcomes, cancel them, read status, listen to
 * lifecycle events, and let people resolve escalations and decide approvals.
 */
import { nanoid } from 'nanoid';
import { createActor } from 'xstate';
import { agentChildId, createAgentMachine } from '../../machines/agent.machine.js';
import { restoreReports, splitRestored, stopOrganisation } from '../../machines/reports.js';
import { EchelonError } from '../errors.js';
import { hierarchyMetrics } from '../hierarchy/metrics.js';
import { openDurable, type Durable } from './durability/index.js';
import type { Outcome, Settlement, Task, TaskInput } from '../types.js';
import type { TaskStreamOptions } from '../stream/index.js';
import type { Orchestrator } from './api.js';
import { createInProcessHost } from './host.js';
import { resolveOptions } from './ports.js';
import { eventStream } from './event-stream.js';
import { EventBus, type OrchestratorEvent, type OrchestratorEventType } from './events.js';
import { Ledger } from './ledger.js';
import { checkOrchestratorOptions, DEFAULT_LIMITS, invalid, positiveInteger, type OrchestratorOptions } from './options.js';
import { replaySteps } from '../replay/steps.js';
import { peopleDesk } from './people.js';
import { reportHandler } from './reports.js';
import { ResourceRegistry } from './resources.js';
import { checkStreamOptions, Streaming, type TaskStream } from './streaming.js';
import { actorStatus, watchAgentStates } from './agent-status.js';
import { entryOf, validateTaskInput, type SubmitOptions } from './submit.js';

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
  const { hierarchy } = options;
  if (typeof options !== 'object' || options === null || typeof hierarchy?.get !== 'function') {
    invalid('createOrchestrator needs { hierarchy, executors }: build the hierarchy with defineHierarchy() or a preset such as developmentTeam().');
  }
  const retain = options.retain ?? 1000;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  positiveInteger(retain, 'retain');
  const now = options.clock?.now === undefined ? () => Date.now() : () => options.clock!.now!();
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
          fatal: (error) => {
            halt(error);
            actor.stop();
          },
        });
  const ledger = new Ledger(retain, durable?.watcher);
  const bus = new EventBus((error, event) => console.error(`echelon: a listener for "${event.type}" threw:`, error));
  const drainWaiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  let stopped = false;
  /** Why the organisation stopped; whoever waits for work it will never finish is told this. */
  let haltedBy: unknown;
  /** Stops taking work and rejects everyone waiting: outcomes, drains. */
  const halt = (error: unknown) => {
    stopped = true;
    haltedBy ??= error;
    ledger.abandon(haltedBy);
    for (const waiter of drainWaiters.splice(0)) waiter.reject(haltedBy);
  };
  /** Event iterators and live views to end when the organisation stops. */
  const closers = new Set<() => unknown>();

  const streaming = new Streaming({ bus, ledger, now, onListenerError: (error) => console.error('echelon: a progress listener threw:', error) });
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
    if (ledger.activeCount() === 0) for (const waiter of drainWaiters.splice(0)) waiter.resolve();
  };

  const resources = new ResourceRegistry((agentId, released) => host.send(agentId, { type: 'echelon.released', resources: released }), durable?.resourcesChanged);
  const restored = durable?.restore(ledger, resources);
  const reportCost = (task: Task, amount: number) => {
    if (typeof amount !== 'number' || !(amount >= 0)) throw new EchelonError('invalid_option', `reportCost needs a number ≥ 0, got ${String(amount)}.`);
    const used = ledger.addCost(task, amount);
    const limit = task.budget?.cost;
    if (limit !== undefined && used > limit) {
      throw new EchelonError('budget_exceeded', `Task ${task.id} used ${used} of cost, over its budget of ${limit}.`, { details: { taskId: task.id, used, limit } });
    }
  };
  /**
   * Cancels a task and everything derived from it, wherever each one is now: the whole lineage is
   * marked first (a cancellation processed at once may finish the task and drop the rest from the
   * books), then each holder is told. A piece still on its way is ended by the agent it reaches.
   */
  const cancelLineage = (taskId: string, reason: string) => {
    const marked = ledger.lineage(taskId).map(({ task }) => ledger.requestCancel(task.id, reason)!);
    for (const record of marked) if (record.holder !== undefined) host.send(record.holder, { type: 'task.cancel', taskId: record.task.id, reason });
  };
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
  const desk = peopleDesk({ hierarchy, ledger, durable, now, send, report: onReport, onEscalation: options.onEscalation });
  const chargeTask = (taskId: string, amount: number) => {
    const record = ledger.tasks.get(taskId);
    if (record !== undefined) reportCost(record.task, amount);
  };
  const resolved = resolveOptions(options, {
    now,
    resources,
    reportCost,
    costSpent: (task) => ledger.spent(task),
    progress: (source) => streaming.reporter(source),
    listening: (task) => streaming.listening(task),
  });
  const clock = options.clock ?? { setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms), clearTimeout: (id: unknown) => clearTimeout(id as ReturnType<typeof setTimeout>) };
  const host = createInProcessHost({
    now,
    random: options.random ?? Math.random,
    newId: (prefix) => `${prefix}_${nanoid(10)}`,
    clock,
    messageDelayMs: options.messageDelayMs,
    report: onReport,
    execute: resolved.execute,
    retryable: resolved.settings.retryable,
    resources,
    charge: chargeTask,
  });
  const machine = createAgentMachine({ policy: resolved.policy, settings: resolved.settings, host });
  const childIds = (agentId: string) => hierarchy.get(agentId).childIds;
  // Reports are brought back beside XState's children, top down (machines/reports.ts), like a fresh start's.
  const restoredParts = restored === undefined ? undefined : splitRestored(restored, hierarchy.root.id);
  const actor = createActor(machine, {
    systemId: hierarchy.root.id,
    id: agentChildId(hierarchy.root.id), // named as every other agent is, `agent:<id>`, in inspectors
    input: { agentId: hierarchy.root.id },
    ...(restoredParts === undefined ? {} : { snapshot: restoredParts.root as typeof restored }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
  });
  actor.subscribe({
    error: (error) => halt(new EchelonError('orchestrator_stopped', `The organisation stopped after an internal error: ${String(error)}`, { cause: error })),
  });
  host.attach(actor);
  actor.start();
  if (restoredParts !== undefined) restoreReports(actor, restoredParts.reports, childIds);
  // Agent states, read off each agent's snapshot after every message it handled — watched from the
  // first listener on (an organisation nobody watches pays nothing per agent for it).
  bus.whenWanted('agent.state', () => watchAgentStates(actor, hierarchy, (agent, state) => bus.wants('agent.state') && onReport({ type: 'agent.state', agent, state })));

  /**
   * Checks and records a submitted task, lets `follow` subscribe to it (before its first hop: nothing
   * it does is missed), then hands it to its entry agent. Throws what is wrong with it.
   */
  const enter = (input: TaskInput, submitOptions: SubmitOptions, follow: (task: Task) => void): Promise<Outcome> => {
    if (stopped) throw new EchelonError('orchestrator_stopped', 'This orchestrator is stopped; create a new one to submit tasks.');
    const entry = entryOf(submitOptions, hierarchy.root.id);
    hierarchy.get(entry);
    const task = validateTaskInput(input, {
      entry,
      now: now(),
      newId: () => `task_${nanoid(10)}`,
      isActive: (id) => ledger.tasks.has(id),
      defaults: { maxSubtasks: limits.maxSubtasks, maxDepth: limits.maxDecompositionDepth },
    });
    ledger.submit(task, entry, input.budget);
    durable?.note({ type: 'task.submitted', at: task.submittedAt, actor: 'submitter', taskId: task.id, rootId: task.id, data: { type: task.type, entry } });
    const outcome = ledger.wait(task.id)!;
    follow(task);
    emit('task.submitted', () => ({ type: 'task.submitted', task, at: task.submittedAt }));
    send(entry, { type: 'task.assign', task });
    return outcome;
  };

  const org: Orchestrator = {
    hierarchy,
    actor,

    // Not `async`: the promise returned is the ledger's own, which stopping may reject without
    // crashing a process that never awaited it.
    submit<TResult>(input: TaskInput, submitOptions: SubmitOptions = {}) {
      try {
        return enter(input, submitOptions, (task) => {
          if (submitOptions.onProgress !== undefined) streaming.followProgress(task, submitOptions.onProgress);
        }) as Promise<Outcome<TResult>>;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    stream(target: string | TaskInput, streamOptions?: TaskStreamOptions & { readonly at?: string }) {
      if (typeof target === 'string') return streaming.stream(target, streamOptions, () => org.outcome(target), stopped);
      const { at, ...rest } = streamOptions ?? {};
      checkStreamOptions(rest); // before the task is recorded: a refused stream submits nothing
      let stream: TaskStream | undefined;
      const outcome = enter(target, at === undefined ? {} : { at }, (task) => {
        stream = streaming.stream(task.id, rest, () => outcome, stopped);
      });
      return stream!;
    },

    onProgress: (listener) => streaming.watch(listener),

    outcome<TResult>(taskId: string) {
      if (haltedBy !== undefined && ledger.isActive(taskId)) return Promise.reject(haltedBy);
      const active = ledger.wait(taskId);
      if (active !== undefined) return active as Promise<Outcome<TResult>>;
      const finished = ledger.outcome(taskId) ?? durable?.outcome(taskId);
      if (finished === undefined) return Promise.reject(new EchelonError('unknown_task', `No active or recent task "${taskId}".`, { details: { taskId } }));
      // Handed out once it is written, like an awaited outcome.
      return (durable?.flushed() ?? Promise.resolve()).then(() => finished as Outcome<TResult>);
    },

    cancel(taskId: string, reason?: string) {
      const waiting = org.outcome(taskId);
      const why = reason ?? 'cancelled by request';
      if (ledger.isActive(taskId)) {
        durable?.note({ type: 'task.cancelling', at: now(), actor: 'caller', taskId, rootId: taskId, data: { reason: why } });
        cancelLineage(taskId, why);
      }
      return waiting;
    },

    status() {
      return {
        hierarchyDepth: hierarchyMetrics(hierarchy).depth,
        totalAgents: hierarchy.size,
        activeTasks: ledger.activeCount(),
        activeEscalations: ledger.activeEscalations().length,
        resolvedEscalations: ledger.resolvedEscalationCount(),
        pendingApprovals: ledger.pendingApprovals().length,
        inFlight: host.inFlight(),
      };
    },

    agentState: (agentId: string) => actorStatus(actor, hierarchy, agentId),

    on: (type, listener) => bus.on(type, listener),

    events(type, streamOptions) {
      const stream = eventStream<OrchestratorEvent>((push) => bus.on<'*'>((type ?? '*') as '*', push), streamOptions, (close) => closers.delete(close));
      if (stopped || streamOptions?.signal?.aborted) stream.close();
      else closers.add(stream.close);
      return stream.iterator as never;
    },

    escalations: desk.escalations,

    approvals: desk.approvals,

    journal(query) {
      if (durable === undefined) invalid('org.journal() reads the store: create the orchestrator with { store } (memoryStore(), or sqliteStore(file) from echelon/sqlite).');
      return durable.journal(query);
    },

    history: (taskId) => replaySteps(org.journal(taskId === undefined ? {} : { taskId }), hierarchy.nodes().map((node) => ({ id: node.id, parent: node.parentId ?? null }))),

    flush: () => durable?.flushed() ?? Promise.resolve(),

    drain() {
      const drained =
        ledger.activeCount() === 0
          ? Promise.resolve()
          : haltedBy !== undefined
            ? Promise.reject(haltedBy)
            : new Promise<void>((resolve, reject) => drainWaiters.push({ resolve, reject }));
      return durable === undefined ? drained : drained.then(() => durable.flushed());
    },

    async stop() {
      if (stopped) return;
      stopped = true;
      if (durable !== undefined) {
        // The last write first, once the burst in progress is over (stop may be called from a listener or an
        // executor): a whole burst, and not the actors stopping — the store keeps the organisation as it ran.
        await new Promise<void>((resolve) => setImmediate(resolve));
        durable.stop();
      }
      halt(new EchelonError('orchestrator_stopped', 'The orchestrator was stopped before this task settled.'));
      host.stop();
      streaming.close();
      // Leaves first, in one loop (see machines/reports.ts): linear in fan-out and in depth.
      stopOrganisation(actor, childIds);
      await Promise.all([...closers].map((close) => close()));
      closers.clear();
    },
  };
  durable?.attach({ root: actor, ledger, send, askHuman: (escalation) => options.onEscalation !== undefined && desk.askHuman(escalation) });
  if (restored !== undefined) for (const node of hierarchy.nodes()) host.send(node.id, { type: 'echelon.resume' });
  return org;
}
