/**
 * `createOrchestrator`: starts an organisation as a tree of XState agent actors and gives it
 * a front desk — submit tasks and await their outcomes, cancel them, read status, listen to
 * lifecycle events, and let people resolve escalations and decide approvals.
 */
import { nanoid } from 'nanoid';
import { createActor } from 'xstate';
import { createAgentMachine, resolutionTaskId, type AgentActorRef, type AgentContext, type AgentEvent, type AgentStateName } from '../../machines/agent.machine.js';
import type { AgentReport } from '../../machines/environment.js';
import { assertAuthority } from '../approval/authority.js';
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { hierarchyMetrics } from '../hierarchy/metrics.js';
import type { Role } from '../hierarchy/types.js';
import type { Approval, Escalation, EscalationResolution, Outcome, Settlement, Task, TaskInput } from '../types.js';
import { createEnvironment } from './environment.js';
import type { LiveView, LiveViewOptions } from '../inspect/options.js';
import { eventStream, type EventStreamOptions } from './event-stream.js';
import { EventBus, type EventOfType, type Listener, type OrchestratorEvent, type OrchestratorEventType } from './events.js';
import { Ledger } from './ledger.js';
import { openDurable, type Durable } from '../persistence/durable.js';
import type { JournalEntry, JournalQuery } from '../persistence/types.js';
import { DEFAULT_LIMITS, invalid, positiveInteger, type OrchestratorOptions } from './options.js';
import { ResourceRegistry } from './resources.js';
import { validateTaskInput } from './submit.js';

/** The reference's `get_status`, plus pending approvals. */
export interface OrchestratorStatus {
  readonly hierarchyDepth: number;
  readonly totalAgents: number;
  /** Submitted tasks not yet settled. */
  readonly activeTasks: number;
  readonly activeEscalations: number;
  readonly resolvedEscalations: number;
  readonly pendingApprovals: number;
}

/** One agent, as its actor sees itself now. */
export interface AgentStatus {
  readonly id: string;
  readonly role: Role;
  readonly level: number;
  readonly state: AgentStateName;
  /** Tasks waiting for this agent: its inbox and its execution queue. */
  readonly queued: number;
  readonly running: readonly string[];
  readonly awaitingApproval: readonly string[];
  readonly escalated: readonly string[];
  /** Tasks this agent split, waiting for their subtasks. */
  readonly decomposed: readonly string[];
  /** In-flight tasks per child. */
  readonly load: Readonly<Record<string, number>>;
}

/** A running organisation. */
export interface Orchestrator {
  readonly hierarchy: Hierarchy;
  /** The root agent's actor (the XState system's root), for inspection and advanced use. */
  readonly actor: AgentActorRef;
  /** Submits a task (to the root, or to `at`) and resolves with its outcome once it settles. */
  submit<TResult = unknown>(task: TaskInput, options?: { readonly at?: string }): Promise<Outcome<TResult>>;
  /** The outcome of a task: waits while it is active; recent finished outcomes resolve at once. */
  outcome<TResult = unknown>(taskId: string): Promise<Outcome<TResult>>;
  /** Cancels a task wherever it is (aborting its executor, cancelling its derived tasks); resolves with its outcome. */
  cancel(taskId: string, reason?: string): Promise<Outcome>;
  status(): OrchestratorStatus;
  agentState(agentId: string): AgentStatus;
  /** Listens to one lifecycle event type, or `'*'` for all; returns the unsubscribe function. */
  on<T extends OrchestratorEventType | '*'>(type: T, listener: Listener<T>): () => void;
  /**
   * The same events as an async iterator (all, or one type), buffered between reads. It ends on
   * `break` / `return()`, when `signal` aborts, or when the orchestrator stops.
   *
   * @example
   * ```ts
   * for await (const event of org.events('task.completed')) console.log(event.outcome.taskId);
   * ```
   */
  events<T extends OrchestratorEventType | '*' = '*'>(
    type?: T,
    options?: EventStreamOptions,
  ): AsyncIterableIterator<T extends OrchestratorEventType ? EventOfType<T> : OrchestratorEvent>;
  /**
   * Serves the live view (org chart, agent states, events, escalations, approvals) on
   * 127.0.0.1 unless told otherwise; it closes when the orchestrator stops.
   *
   * @example
   * ```ts
   * const view = await org.serve({ port: 4321 });
   * console.log(`open ${view.url}`);
   * ```
   */
  serve(options?: LiveViewOptions): Promise<LiveView>;
  readonly escalations: {
    active(): Escalation[];
    resolved(): Escalation[];
    get(id: string): Escalation | undefined;
    /** Resolves an escalation that reached the top and waits for a person. */
    resolve(id: string, resolution: EscalationResolution): void;
  };
  readonly approvals: {
    pending(): Approval[];
    get(id: string): Approval | undefined;
    /** Approves as `by`, an agent with authority over the request (a person acting for that agent). */
    approve(id: string, decision: { readonly by: string; readonly comment?: string }): void;
    reject(id: string, decision: { readonly by: string; readonly reason?: string }): void;
  };
  /**
   * The audit log (with a `store`): every task, delegation hop, execution, escalation and
   * approval decision, with time and actor, oldest first — all of them, or one task's (a
   * submitted task's includes its subtasks and escalations).
   *
   * @example
   * ```ts
   * for (const entry of org.journal({ taskId: outcome.taskId })) console.log(entry.at, entry.actor, entry.type);
   * ```
   */
  journal(query?: JournalQuery): JournalEntry[];
  /**
   * Resolves once everything that happened so far is written to the store (at once without one).
   *
   * @example
   * ```ts
   * org.submit({ id: 'deploy-42', type: 'deploy', context: { requiresApproval: true } });
   * await org.flush(); // from here on, a crash cannot lose the submission
   * ```
   */
  flush(): Promise<void>;
  /** Resolves when no submitted task is active. */
  drain(): Promise<void>;
  /** Stops every agent; tasks still waiting reject with `orchestrator_stopped`. */
  stop(): Promise<void>;
}

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
          clock: options.clock ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>) },
          fatal: (error) => {
            stopped = true;
            ledger.abandon(error);
            actor.stop();
          },
        });
  const ledger = new Ledger(retain, durable?.watcher);
  const bus = new EventBus((error, event) => console.error(`echelon: a listener for "${event.type}" threw:`, error));
  const agentStates = new Map<string, string>();
  const shownStates = new Map<string, string>();
  const drainWaiters: Array<() => void> = [];
  let stopped = false;
  let flushScheduled = false;
  /** Event iterators and live views to end when the organisation stops. */
  const closers = new Set<() => unknown>();

  const send = (agentId: string, message: AgentEvent) => (actor.system.get(agentId) as AgentActorRef | undefined)?.send(message);
  /** Sends from inside an agent's report: after the agent's step, not nested in it. */
  const sendSoon = (agentId: string, message: AgentEvent) => queueMicrotask(() => send(agentId, message));
  const emit = (type: OrchestratorEventType, build: () => OrchestratorEvent) => {
    if (bus.wants(type)) bus.emit(build());
  };
  const rootOf = (taskId: string) => ledger.tasks.get(taskId)?.task.rootId ?? taskId;

  const finish = (task: Task, settlement: Settlement) => {
    const outcome = ledger.finish(task, settlement, now());
    if (outcome === undefined) return;
    emit(outcome.status === 'completed' ? 'task.completed' : 'task.failed', () => ({
      type: outcome.status === 'completed' ? 'task.completed' : 'task.failed',
      outcome,
      at: outcome.settledAt,
    }));
    if (ledger.activeCount() === 0) for (const resolve of drainWaiters.splice(0)) resolve();
  };

  const flushStates = () => {
    flushScheduled = false;
    for (const [agent, state] of agentStates) {
      agentStates.delete(agent);
      if ((shownStates.get(agent) ?? 'receiving') === state) continue;
      shownStates.set(agent, state);
      bus.emit({ type: 'agent.state', agent, state, at: now() });
    }
  };

  const onReport = (report: AgentReport): void => {
    const at = now();
    durable?.report(report, ledger, at);
    switch (report.type) {
      case 'task.delegated': {
        const record = ledger.move(report.task, report.to);
        if (record?.cancel !== undefined) sendSoon(report.to, { type: 'task.cancel', taskId: report.task.id, reason: record.cancel });
        emit('task.delegated', () => ({ type: 'task.delegated', task: report.task, from: report.from, to: report.to, at }));
        return;
      }
      case 'task.queued':
        emit('task.queued', () => ({ type: 'task.queued', task: report.task, agent: report.agent, at }));
        return;
      case 'task.started':
        emit('task.started', () => ({ type: 'task.started', task: report.task, agent: report.agent, attempt: report.attempt, at }));
        return;
      case 'task.retrying':
        emit('task.retrying', () => ({ ...report, at }));
        return;
      case 'task.deferred':
        resources.wait(report.agent, report.resources);
        emit('task.deferred', () => ({ ...report, at }));
        return;
      case 'task.ended':
        return;
      case 'task.decomposed':
        ledger.decompose(report.subtasks, report.agent);
        emit('task.decomposed', () => ({ type: 'task.decomposed', task: report.task, agent: report.agent, subtasks: report.subtasks, at }));
        return;
      case 'subtask.settled':
        ledger.drop(report.task.id);
        return;
      case 'tasks.cancel':
        for (const taskId of report.taskIds) cancelLineage(taskId, report.reason);
        return;
      case 'task.settled':
        finish(report.task, report.settlement);
        return;
      case 'escalation.raised': {
        const escalation = ledger.raise(report.escalation);
        const { task } = report.escalation;
        ledger.derive({ ...task, id: report.resolutionTaskId, parentId: task.id }, escalation.to === 'human' ? undefined : escalation.to);
        emit('escalation.raised', () => ({ type: 'escalation.raised', escalation, at }));
        if (escalation.to === 'human') askHuman(escalation);
        return;
      }
      case 'escalation.resolved': {
        const escalation = ledger.resolve(report, at);
        if (escalation !== undefined) ledger.drop(resolutionTaskId(escalation.taskId, report.escalationId));
        if (escalation !== undefined) emit('escalation.resolved', () => ({ type: 'escalation.resolved', escalation, at }));
        return;
      }
      case 'approval.requested': {
        const approval = ledger.request(report.approval, report.asked, rootOf(report.approval.taskId));
        emit('approval.requested', () => ({ type: 'approval.requested', approval, at }));
        return;
      }
      case 'approval.decision':
        ledger.decide(report.approvalId, report.decision);
        return;
      case 'approval.settled': {
        const approval = ledger.settleApproval(report.approvalId, report.status, at);
        if (approval !== undefined) emit('approval.decided', () => ({ type: 'approval.decided', approval, at }));
        return;
      }
      case 'approval.refused':
        emit('approval.refused', () => ({ ...report, at }));
        return;
      case 'agent.state':
        if (!bus.wants('agent.state')) return;
        agentStates.set(report.agent, report.state);
        if (!flushScheduled) {
          flushScheduled = true;
          queueMicrotask(flushStates);
        }
        return;
      case 'agent.fault':
        emit('agent.fault', () => ({ type: 'agent.fault', agent: report.agent, error: report.error, ...(report.task ? { taskId: report.task.id } : {}), at }));
        if (report.task !== undefined) {
          const root = ledger.tasks.get(report.task.rootId)?.task;
          if (root !== undefined) finish(root, { status: 'failed', error: report.error, executedBy: report.agent, attempts: 0 });
        }
        return;
    }
  };

  const resources = new ResourceRegistry((agentId, released) => sendSoon(agentId, { type: 'resource.released', resources: released }), durable?.resourcesChanged);
  const restored = durable?.restore(ledger, resources);
  const reportCost = (task: Task, amount: number) => {
    if (typeof amount !== 'number' || !(amount >= 0)) throw new EchelonError('invalid_option', `reportCost needs a number ≥ 0, got ${String(amount)}.`);
    const used = ledger.addCost(task, amount);
    const limit = task.budget?.cost;
    if (limit !== undefined && used > limit) {
      throw new EchelonError('budget_exceeded', `Task ${task.id} used ${used} of cost, over its budget of ${limit}.`, { details: { taskId: task.id, used, limit } });
    }
  };
  const environment = createEnvironment(options, { now, newId: (prefix) => `${prefix}_${nanoid(10)}`, report: onReport, resources, reportCost });
  const machine = createAgentMachine(environment);
  const actor = createActor(machine, {
    systemId: hierarchy.root.id,
    input: { agentId: hierarchy.root.id },
    ...(restored === undefined ? {} : { snapshot: restored }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.inspect === undefined ? {} : { inspect: options.inspect }),
  });
  actor.subscribe({
    error: (error) => {
      stopped = true;
      ledger.abandon(new EchelonError('orchestrator_stopped', `The organisation stopped after an internal error: ${String(error)}`, { cause: error }));
    },
  });
  actor.start();

  /** Cancels a task and everything derived from it, wherever each one is now. */
  const cancelLineage = (taskId: string, reason: string) => {
    for (const { task } of ledger.lineage(taskId)) {
      const record = ledger.requestCancel(task.id, reason)!;
      if (record.holder !== undefined) sendSoon(record.holder, { type: 'task.cancel', taskId: task.id, reason });
    }
  };

  const askHuman = (escalation: Escalation) => {
    Promise.resolve()
      .then(() => options.onEscalation!(escalation))
      .then((resolution) => {
        if (resolution && ledger.escalation(escalation.id)?.status === 'active') org.escalations.resolve(escalation.id, resolution);
      })
      .catch((error: unknown) => console.error(`echelon: onEscalation threw for escalation ${escalation.id}:`, error));
  };

  const pendingApproval = (id: string): Approval => {
    const approval = ledger.approval(id);
    if (approval === undefined || approval.status !== 'pending') {
      throw new EchelonError('unknown_approval', approval === undefined ? `No approval "${id}".` : `Approval "${id}" is already ${approval.status}.`, {
        details: { approvalId: id },
      });
    }
    return approval;
  };

  const org: Orchestrator = {
    hierarchy,
    actor,

    // Not `async`: the promise returned is the ledger's own, which stopping may reject without
    // crashing a process that never awaited it.
    submit<TResult>(input: TaskInput, submitOptions: { readonly at?: string } = {}) {
      try {
        if (stopped) throw new EchelonError('orchestrator_stopped', 'This orchestrator is stopped; create a new one to submit tasks.');
        const entry = submitOptions.at ?? hierarchy.root.id;
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
        emit('task.submitted', () => ({ type: 'task.submitted', task, at: task.submittedAt }));
        send(entry, { type: 'task.assign', task });
        return outcome as Promise<Outcome<TResult>>;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    outcome<TResult>(taskId: string) {
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
      if (ledger.isActive(taskId)) durable?.note({ type: 'task.cancelling', at: now(), actor: 'caller', taskId, rootId: taskId, data: { reason: why } });
      // Mark the whole family first: a cancellation processed at once may finish the task and drop the rest from the books.
      const family = ledger.family(taskId).map(({ task }) => ledger.requestCancel(task.id, why)!);
      for (const record of family) if (record.holder !== undefined) send(record.holder, { type: 'task.cancel', taskId: record.task.id, reason: why });
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
      };
    },

    agentState(agentId: string) {
      const node = hierarchy.get(agentId);
      const ref = actor.system.get(agentId) as AgentActorRef | undefined;
      if (ref === undefined) throw new EchelonError('orchestrator_stopped', `The organisation is stopped: agent "${agentId}" has no state any more.`);
      const snapshot = ref.getSnapshot();
      const context: AgentContext = snapshot.context;
      const value = snapshot.value;
      return {
        id: node.id,
        role: node.role,
        level: node.level,
        state: (typeof value === 'string' ? value : Object.keys(value)[0]) as AgentStateName,
        queued: context.inbox.length + context.queue.length,
        running: Object.keys(context.running),
        awaitingApproval: Object.values(context.parked).map((task) => task.id),
        escalated: Object.values(context.escalated).map((task) => task.id),
        decomposed: Object.keys(context.joins),
        load: context.load,
      };
    },

    on: (type, listener) => bus.on(type, listener),

    events(type, streamOptions) {
      const stream = eventStream<OrchestratorEvent>((push) => bus.on<'*'>((type ?? '*') as '*', push), streamOptions, (close) => closers.delete(close));
      if (stopped || streamOptions?.signal?.aborted) stream.close();
      else closers.add(stream.close);
      return stream.iterator as never;
    },

    async serve(serveOptions) {
      // Loaded on first use: the server and its page cost nothing to organisations that never serve.
      const { serveLiveView } = await import('../inspect/server.js');
      const view = await serveLiveView(org, serveOptions);
      closers.add(view.close);
      return view;
    },

    escalations: {
      active: () => ledger.activeEscalations(),
      resolved: () => ledger.resolvedEscalations(),
      get: (id) => ledger.escalation(id) ?? durable?.escalation(id),
      resolve(id, resolution) {
        const escalation = ledger.escalation(id);
        if (escalation === undefined || escalation.status !== 'active' || escalation.to !== 'human') {
          throw new EchelonError(
            'unknown_escalation',
            escalation === undefined
              ? `No escalation "${id}".`
              : escalation.status !== 'active'
                ? `Escalation "${id}" is already ${escalation.status}.`
                : `Escalation "${id}" is with ${escalation.to}, not waiting for a person.`,
            { details: { escalationId: id } },
          );
        }
        const by = `human:${resolution.by ?? 'operator'}`;
        if ('assignTo' in resolution) {
          hierarchy.get(resolution.assignTo);
          const record = ledger.tasks.get(resolutionTaskId(escalation.taskId, id));
          if (record === undefined) throw new EchelonError('unknown_escalation', `Escalation "${id}" has no task left to assign.`);
          const task: Task = { ...record.task, origin: { kind: 'escalation', escalationId: id, raisedBy: escalation.from }, chain: [resolution.assignTo] };
          ledger.move(task, resolution.assignTo);
          durable?.note({ type: 'escalation.assigned', at: now(), actor: by, taskId: escalation.taskId, rootId: task.rootId, data: { escalationId: id, to: resolution.assignTo } });
          send(resolution.assignTo, { type: 'task.assign', task, mode: 'execute' });
          return;
        }
        const settlement =
          'result' in resolution
            ? { status: 'completed' as const, result: resolution.result, executedBy: by, attempts: 0 }
            : { status: 'failed' as const, error: { code: 'escalation_unresolved' as const, message: `${by} ended escalation ${id}: ${resolution.fail}` }, executedBy: by, attempts: 0 };
        onReport({ type: 'escalation.resolved', escalationId: id, resolvedBy: by, settlement });
        send(escalation.from, { type: 'escalation.resolved', escalationId: id, resolvedBy: by, settlement });
      },
    },

    approvals: {
      pending: () => ledger.pendingApprovals(),
      get: (id) => ledger.approval(id) ?? durable?.approval(id),
      approve(id, { by, comment }) {
        const approval = pendingApproval(id);
        assertAuthority(hierarchy, approval, approval.decisions, by);
        send(approval.requester, { type: 'approval.granted', approvalId: id, by, ...(comment === undefined ? {} : { comment }) });
      },
      reject(id, { by, reason }) {
        const approval = pendingApproval(id);
        assertAuthority(hierarchy, approval, approval.decisions, by);
        send(approval.requester, { type: 'approval.denied', approvalId: id, by, ...(reason === undefined ? {} : { reason }) });
      },
    },

    journal(query) {
      if (durable === undefined) invalid('org.journal() reads the store: create the orchestrator with { store } (memoryStore(), or sqliteStore(file) from echelon/sqlite).');
      return durable.journal(query);
    },

    flush: () => durable?.flushed() ?? Promise.resolve(),

    drain() {
      const drained = ledger.activeCount() === 0 ? Promise.resolve() : new Promise<void>((resolve) => drainWaiters.push(resolve));
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
      ledger.abandon(new EchelonError('orchestrator_stopped', 'The orchestrator was stopped before this task settled.'));
      actor.stop();
      await Promise.all([...closers].map((close) => close()));
      closers.clear();
    },
  };
  durable?.attach({ root: actor, ledger, send, askHuman: (escalation) => options.onEscalation !== undefined && askHuman(escalation) });
  return org;
}
