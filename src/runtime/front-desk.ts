/**
 * The organisation's front desk, the `Orchestrator` a program holds: tasks in (submit, stream,
 * outcome, cancel), what is happening (status, agent states, events, the journal), and the end
 * (drain, stop) — over the parts `createOrchestrator` started.
 */
import { nanoid } from 'nanoid';
import type { AgentActorRef } from '../../machines/agent.machine.js';
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { hierarchyMetrics } from '../hierarchy/metrics.js';
import { replaySteps } from '../replay/steps.js';
import type { TaskStreamOptions } from '../stream/index.js';
import type { AgentMessage, Outcome, Task, TaskInput } from '../types.js';
import { actorStatus } from './agent-status.js';
import type { Orchestrator } from './api.js';
import type { Durable } from './durability/index.js';
import { checkEventStreamOptions, eventStream } from './event-stream.js';
import { checkSubscription, type EventBus, type OrchestratorEvent, type OrchestratorEventType } from './events.js';
import type { InProcessHost } from './host.js';
import type { Ledger } from './ledger.js';
import { invalid } from '../settings/index.js';
import type { Desk } from './people.js';
import type { RunState } from './run-state.js';
import { unhandledIsFine } from '../thenable.js';
import { checkStreamOptions, type Streaming, type TaskStream } from './streaming.js';
import { entryOf, type SubmitOptions } from './submit.js';
import { lossyNumber, taskIdProblem, unknownTask, validateSubmission } from '../task-input.js';
import { checkJournalQuery } from '../store/query.js';
import { forgetFinished } from './forget.js';
import { readingCaller } from '../shape/index.js';

/** What the front desk works with: a started organisation's parts. */
export interface OrganisationParts {
  readonly hierarchy: Hierarchy;
  /** The root agent's actor (the XState system's root). */
  readonly actor: AgentActorRef;
  readonly ledger: Ledger;
  readonly bus: EventBus;
  readonly durable: Durable | undefined;
  readonly host: InProcessHost;
  readonly streaming: Streaming;
  readonly desk: Desk;
  readonly run: RunState;
  readonly limits: { readonly maxSubtasks: number; readonly maxDecompositionDepth: number };
  readonly now: () => number;
  readonly emit: (type: OrchestratorEventType, build: () => OrchestratorEvent) => void;
  readonly send: (agentId: string, message: AgentMessage) => void;
  readonly cancelLineage: (taskId: string, reason: string) => void;
  /** Stops every agent, leaves first. */
  readonly stopAgents: () => void;
}

/** The `Orchestrator` over a started organisation. */
export function frontDesk(parts: OrganisationParts): Orchestrator {
  const { hierarchy, actor, ledger, bus, durable, host, streaming, desk, run } = parts;
  const tasks = taskDesk(parts);
  const org: Orchestrator = {
    hierarchy,
    actor,
    signal: run.signal,
    ...tasks,

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

    on(type, listener) {
      // org.events() without a type streams everything; org.on without one is a slip (an undefined constant), never a subscription.
      if (type === undefined) throw new EchelonError('invalid_option', "org.on: name the event type to listen to ('*' for every event), got undefined.");
      checkSubscription('org.on', { type, listener, needsListener: true });
      return bus.on(type, listener);
    },

    events(type, streamOptions) {
      const { signal, maxBuffered } = readingCaller('org.events', 'invalid_option', 'its options', () => ({ maxBuffered: checkEventStreamOptions('org.events', streamOptions), signal: streamOptions?.signal }));
      checkSubscription('org.events', { type, signal, needsListener: false });
      const stream = eventStream<OrchestratorEvent>((push) => bus.on<'*'>((type ?? '*') as '*', push), { ...(signal === undefined ? {} : { signal }), maxBuffered }, (close) => run.closers.delete(close));
      if (run.stopped || streamOptions?.signal?.aborted) stream.close();
      else run.closers.add(stream.close);
      return stream.iterator as never;
    },

    // A decision after stop would reach no agent (and could write to a store another orchestrator holds by then).
    escalations: { ...desk.escalations, resolve: (id, resolution) => (decidable(run, 'escalations.resolve'), desk.escalations.resolve(id, resolution)) },

    approvals: {
      ...desk.approvals,
      approve: (id, decision) => (decidable(run, 'approvals.approve'), desk.approvals.approve(id, decision)),
      reject: (id, decision) => (decidable(run, 'approvals.reject'), desk.approvals.reject(id, decision)),
    },

    journal(query) {
      if (durable === undefined) needsStore('org.journal()');
      checkJournalQuery(query, 'org.journal');
      return durable.journal(query);
    },

    history(taskId) {
      if (durable === undefined) needsStore('org.history()');
      // A number or an empty id would read as one no task has, and answer nothing rather than say why.
      const refused = taskId === undefined ? undefined : taskIdProblem('org.history', taskId);
      if (refused !== undefined) throw refused;
      return replaySteps(durable.journal(taskId === undefined ? {} : { taskId }), hierarchy.nodes().map((node) => ({ id: node.id, parent: node.parentId ?? null })));
    },

    forget: (query) => forgetFinished({ ledger, durable, stopped: () => run.stopped, now: parts.now, emit: parts.emit }, query),

    flush: () => durable?.flushed() ?? Promise.resolve(),

    drain() {
      const drained = run.drained();
      return durable === undefined ? drained : unhandledIsFine(drained.then(() => durable.flushed()));
    },

    stop: () => (stopping ??= stop()),
  };
  /** Once, whoever asks first — `org.stop()`, or a store failure that stopped the organisation (its waiters already rejected with why). */
  let stopping: Promise<void> | undefined;
  const stop = async () => {
    run.stopped = true;
    if (durable !== undefined) {
      // The last write first, once the burst in progress is over (stop may be called from a listener or an
      // executor): a whole burst, and not the actors stopping — the store keeps the organisation as it ran.
      await new Promise<void>((resolve) => setImmediate(resolve));
      durable.stop();
    }
    run.halt(new EchelonError('orchestrator_stopped', 'The orchestrator was stopped (org.stop()) before the work awaited here settled.'));
    host.stop();
    streaming.close();
    parts.stopAgents();
    await Promise.all([...run.closers].map((close) => close()));
    run.closers.clear();
    run.ended();
  };
  return org;
}

const unfollowed = (): void => undefined;

/** Tasks in and their outcomes out: submit, stream, outcome, cancel. */
function taskDesk(parts: OrganisationParts): Pick<Orchestrator, 'submit' | 'stream' | 'onProgress' | 'outcome' | 'cancel'> {
  const { hierarchy, ledger, durable, streaming, run, limits, now } = parts;

  /**
   * Checks and records a submitted task, lets `follow` subscribe to it (before its first hop: nothing
   * it does is missed), then hands it to its entry agent. Throws what is wrong with it.
   */
  const enter = (input: TaskInput, entry: string, follow: (task: Task) => void): Promise<Outcome> => {
    if (run.stopped) throw stoppedRefusal(run, 'This orchestrator', '; create a new one to submit tasks.');
    hierarchy.get(entry);
    const { task, budget } = validateSubmission(input, {
      entry,
      now: now(),
      newId: () => `task_${nanoid(10)}`,
      isActive: (id) => ledger.tasks.has(id),
      defaults: { maxSubtasks: limits.maxSubtasks, maxDepth: limits.maxDecompositionDepth },
    });
    // The budget as checked, not the submitter's object: changed after submit (or a getter's next value), the outcome reported a limit nobody enforced.
    // A store keeps the task as JSON: read back after a restart, null was a limit of nothing (a cost budget over at once, an approval expired at once).
    const lossy = durable === undefined ? undefined : lossyNumber(task, budget, { cost: true });
    if (lossy !== undefined) {
      throw new EchelonError('invalid_task', `Task "${task.id}": ${lossy} is Infinity, which a store keeps as null (JSON has no Infinity), so it would not hold after a restart: leave it out, or give a finite number.`, {
        details: { taskId: task.id, field: lossy },
      });
    }
    ledger.submit(task, entry, budget);
    durable?.note({ type: 'task.submitted', at: task.submittedAt, actor: 'submitter', taskId: task.id, rootId: task.id, data: { type: task.type, entry } });
    const outcome = ledger.wait(task.id)!;
    follow(task);
    parts.emit('task.submitted', () => ({ type: 'task.submitted', task, at: task.submittedAt }));
    parts.send(entry, { type: 'task.assign', task });
    return outcome;
  };

  const desk: Pick<Orchestrator, 'submit' | 'stream' | 'onProgress' | 'outcome' | 'cancel'> = {
    // Not `async`: the promise returned is the ledger's own, which stopping may reject without
    // crashing a process that never awaited it.
    submit<TResult>(input: TaskInput, submitOptions?: SubmitOptions) {
      try {
        // The options are checked before anything of them is used.
        const entry = entryOf(submitOptions, hierarchy.root.id);
        const onProgress = submitOptions?.onProgress;
        return enter(input, entry, onProgress === undefined ? unfollowed : (task) => streaming.followProgress(task, onProgress)) as Promise<Outcome<TResult>>;
      } catch (error) {
        return Promise.reject(error);
      }
    },

    stream(target: string | TaskInput, streamOptions?: TaskStreamOptions & { readonly at?: string }) {
      if (typeof target === 'string') {
        const problem = taskIdProblem('org.stream', target);
        if (problem !== undefined) throw problem;
        return streaming.stream(target, streamOptions, () => desk.outcome(target), run.stopped);
      }
      checkStreamOptions(streamOptions, true); // before the task is recorded: a refused stream submits nothing
      const { at, ...rest } = readingCaller('org.stream', 'invalid_option', 'its options', () => ({ ...streamOptions }));
      let stream: TaskStream | undefined;
      const outcome = enter(target, entryOf(at === undefined ? {} : { at }, hierarchy.root.id, 'org.stream'), (task) => {
        stream = streaming.stream(task.id, rest, () => outcome, run.stopped);
      });
      return stream!;
    },

    onProgress(listener) {
      checkSubscription('org.onProgress', { listener, needsListener: true });
      return streaming.watch(listener);
    },

    outcome<TResult>(taskId: string) {
      const refused = taskIdProblem('org.outcome', taskId);
      if (refused !== undefined) return Promise.reject(refused);
      return outcomeOf<TResult>(taskId, 'org.outcome');
    },

    cancel(taskId: string, reason?: string) {
      const refused = taskIdProblem('org.cancel', taskId, reason);
      if (refused !== undefined) return Promise.reject(refused);
      const waiting = outcomeOf(taskId, 'org.cancel');
      const why = reason ?? 'cancelled by request';
      if (ledger.isActive(taskId)) {
        durable?.note({ type: 'task.cancelling', at: now(), actor: 'caller', taskId, rootId: taskId, data: { reason: why } });
        parts.cancelLineage(taskId, why);
      }
      return waiting;
    },
  };

  /** A task's outcome, waited for while it is active; what `where` (outcome, cancel) answers for an id it does not know. */
  function outcomeOf<TResult>(taskId: string, where: 'org.outcome' | 'org.cancel'): Promise<Outcome<TResult>> {
    if (run.haltedBy !== undefined && ledger.isActive(taskId)) return Promise.reject(run.haltedBy);
    const active = ledger.wait(taskId);
    if (active !== undefined) return active as Promise<Outcome<TResult>>;
    const finished = ledger.outcome(taskId) ?? durable?.outcome(taskId);
    if (finished === undefined) return Promise.reject(unknownTask(taskId, where, ledger.tasks.get(taskId)?.task.rootId));
    // Handed out once it is written, like an awaited outcome.
    return (durable?.flushed() ?? Promise.resolve()).then(() => finished as Outcome<TResult>);
  }

  return desk;
}

function needsStore(method: string): never {
  invalid(`${method} reads the store: create the orchestrator with { store } (memoryStore(), or sqliteStore(file) from echelon/sqlite).`);
}

/**
 * `orchestrator_stopped`, saying `who` is stopped and what follows (`then`) — and, when a failure
 * stopped it (its store could not be written, say) rather than stop(), which: it is what to fix
 * before resuming, and the refusal's `cause`.
 */
function stoppedRefusal(run: { readonly haltedBy: unknown }, who: string, then: string): EchelonError {
  const halted = run.haltedBy instanceof EchelonError && run.haltedBy.code !== 'orchestrator_stopped' ? run.haltedBy : undefined;
  const why = halted === undefined ? 'is stopped' : `stopped after ${halted.code}: ${halted.message}`;
  return new EchelonError('orchestrator_stopped', `${who} ${why}${then}`, { ...(halted === undefined ? {} : { cause: halted }) });
}

function decidable(run: { readonly stopped: boolean; readonly haltedBy: unknown }, method: string): void {
  if (run.stopped) throw stoppedRefusal(run, `${method}: this orchestrator`, ', so no agent would act on the decision. Resume the organisation from its store (resume: true) and decide there.');
}
