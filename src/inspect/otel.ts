/**
 * OpenTelemetry spans for an organisation (`echelon/otel`; `@opentelemetry/api` is an optional
 * peer). One trace per submitted task: its root span runs from submission to outcome; below it
 * one span per hop (the task at an agent), nested along the delegation chain, so sub-agents show
 * where they sit. Executor attempts, escalations and approvals are child spans of the hop they
 * happen at. Span times are the orchestrator clock's.
 */
import { context, SpanStatusCode, trace, type Attributes, type HrTime, type Span, type Tracer } from '@opentelemetry/api';
import { follow, unfollow, type OrchestratorEvent } from '../runtime/events.js';
import type { Orchestrator } from '../runtime/orchestrator.js';
import { checkShape, fields, implementing, shapeContext, type Shape } from '../shape/index.js';
import { agentKey, logThrown } from '../show.js';
import { runningOrganisation } from './watched.js';
import type { Task } from '../types.js';

/** A task's hop span at an agent, and its execution span there (ids joined so no two tasks share one). */
const hopKey = (taskId: string, agentId: string) => agentKey(agentId, `hop:${taskId}`);
const execKey = (taskId: string, agentId: string) => agentKey(agentId, `exec:${taskId}`);

/** Options of {@link traceOrganisation}. */
export interface TracingOptions {
  /** The tracer to record with (default: the global provider's `echelon` tracer). */
  readonly tracer?: Tracer;
}

const OPTIONS = fields({ tracer: implementing('an OpenTelemetry Tracer (trace.getTracer(name))', ['startSpan']) } satisfies Record<keyof TracingOptions, Shape>);

const TRACED = [
  'task.submitted',
  'task.delegated',
  'task.queued',
  'task.deferred',
  'task.decomposed',
  'task.started',
  'task.ended',
  'task.retrying',
  'task.completed',
  'task.failed',
  'escalation.raised',
  'escalation.resolved',
  'approval.requested',
  'approval.decided',
] as const satisfies readonly OrchestratorEvent['type'][];

/**
 * The orchestrator clock's milliseconds as an OpenTelemetry `HrTime`. Never a plain number:
 * OpenTelemetry reads a number no larger than `performance.now()` as time since the process
 * started, so in a process older than the clock's reading (a simulated clock at 5,000 ms, a
 * process up for a minute) spans would get wall-clock times.
 */
function hrTimeOf(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  const nanos = Math.round((ms - seconds * 1000) * 1e6);
  return nanos === 1e9 ? [seconds + 1, 0] : [seconds, nanos];
}

/** The open spans of one submitted task. */
interface TaskTrace {
  readonly root: Span;
  /** Every open span of the trace, oldest first (ended newest first). */
  readonly open: Span[];
  /** The keys its spans were filed under, and the tasks it holds: let go with it, without a search through every trace's. */
  readonly keys: string[];
  readonly tasks: string[];
}

/**
 * Records spans for every task the organisation handles from now on; returns the function that
 * stops recording (ending the spans still open). `org.stop()` ends the spans of the tasks it
 * interrupts too, as errors.
 *
 * @example
 * ```ts
 * import { traceOrganisation } from 'echelon/otel';
 * const stopTracing = traceOrganisation(org, { tracer: trace.getTracer('my-app') });
 * ```
 */
export function traceOrganisation(org: Orchestrator, options: TracingOptions = {}): () => void {
  const stopped = runningOrganisation(org, 'traceOrganisation', 'traceOrganisation needs the orchestrator to trace: traceOrganisation(createOrchestrator({ … }), { tracer }).');
  checkShape(options, OPTIONS, '', shapeContext('traceOrganisation', 'invalid_option'));
  const tracer = options.tracer ?? trace.getTracer('echelon');
  const traces = new Map<string, TaskTrace>();
  /** Spans by key: hopKey, execKey (agent and task), `esc:<id>`, `apv:<id>`. */
  const spans = new Map<string, Span>();
  /** The submitted task each task (derived ones included) belongs to. */
  const rootOf = new Map<string, string>();
  let lastAt = 0;

  const start = (owner: TaskTrace, key: string, name: string, parent: Span, at: number, attributes: Attributes) => {
    const span = tracer.startSpan(name, { startTime: hrTimeOf(at), attributes }, trace.setSpan(context.active(), parent));
    owner.open.push(span);
    owner.keys.push(key);
    spans.set(key, span);
    return span;
  };
  const end = (key: string, at: number, error?: string) => {
    const span = spans.get(key);
    if (span === undefined) return;
    spans.delete(key);
    if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    span.end(hrTimeOf(at));
  };

  /** The span of `task` at `agent`, opened under its parent task's hop, its escalation, or the root. */
  const hop = (owner: TaskTrace, task: Task, agent: string, at: number): Span => {
    const key = hopKey(task.id, agent);
    const existing = spans.get(key);
    if (existing !== undefined) return existing;
    const parent =
      (task.parentId === undefined ? undefined : spans.get(hopKey(task.parentId, agent))) ??
      (task.origin.kind === 'escalation' ? spans.get(`esc:${task.origin.escalationId}`) : undefined) ??
      owner.root;
    return start(owner, key, `hop ${agent}`, parent, at, { 'echelon.agent': agent, 'echelon.task.id': task.id, 'echelon.task.type': task.type });
  };
  const traceOf = (task: Task) => {
    const owner = traces.get(task.rootId);
    track(owner, task.id, task.rootId);
    return owner;
  };
  /** Files a task under its trace (a task of a trace begun before tracing was is not followed, nor kept). */
  const track = (owner: TaskTrace | undefined, taskId: string, rootId: string) => {
    if (owner === undefined || rootOf.has(taskId)) return;
    rootOf.set(taskId, rootId);
    owner.tasks.push(taskId);
  };

  const onEvent = (event: OrchestratorEvent) => {
    lastAt = event.at;
    switch (event.type) {
      case 'task.submitted': {
        const { task } = event;
        const root = tracer.startSpan(`task ${task.type}`, { root: true, startTime: hrTimeOf(event.at), attributes: { 'echelon.task.id': task.id, 'echelon.task.type': task.type } });
        const owner: TaskTrace = { root, open: [], keys: [], tasks: [] };
        traces.set(task.id, owner);
        track(owner, task.id, task.id);
        hop(owner, task, task.chain[0] ?? 'entry', event.at);
        return;
      }
      case 'task.delegated': {
        const owner = traceOf(event.task);
        if (owner === undefined) return;
        const from = hop(owner, event.task, event.from, event.at);
        from.addEvent('delegated', { 'echelon.to': event.to }, hrTimeOf(event.at));
        start(owner, hopKey(event.task.id, event.to), `hop ${event.to}`, from, event.at, {
          'echelon.agent': event.to,
          'echelon.task.id': event.task.id,
          'echelon.task.type': event.task.type,
        });
        return;
      }
      case 'task.queued':
      case 'task.deferred': {
        const owner = traceOf(event.task);
        if (owner !== undefined) hop(owner, event.task, event.agent, event.at).addEvent(event.type === 'task.queued' ? 'queued' : 'deferred', {}, hrTimeOf(event.at));
        return;
      }
      case 'task.decomposed': {
        const owner = traceOf(event.task);
        for (const subtask of event.subtasks) track(owner, subtask.id, event.task.rootId);
        if (owner !== undefined) hop(owner, event.task, event.agent, event.at).addEvent('decomposed', { 'echelon.subtasks': event.subtasks.map((subtask) => subtask.id) }, hrTimeOf(event.at));
        return;
      }
      case 'task.started': {
        const owner = traceOf(event.task);
        if (owner === undefined) return;
        const at = hop(owner, event.task, event.agent, event.at);
        start(owner, execKey(event.task.id, event.agent), `execute ${event.task.type}`, at, event.at, { 'echelon.agent': event.agent, 'echelon.attempt': event.attempt });
        return;
      }
      case 'task.retrying':
        end(execKey(event.task.id, event.agent), event.at, event.error.message);
        return;
      case 'task.ended': {
        // A subtask's spans end when it does, not when its submitted task does.
        const { task, agent, settlement } = event;
        // A part cancelled because its join no longer needs it is no error (joinAny's losers); failed or rejected is.
        const error = settlement.status === 'failed' || settlement.status === 'rejected' ? settlement.error?.message ?? settlement.status : undefined;
        const execution = execKey(task.id, agent);
        for (const key of [execution, hopKey(task.id, agent)]) spans.get(key)?.setAttribute('echelon.status', settlement.status);
        end(execution, event.at, error);
        // Completed, it only goes back up; otherwise the agent above may hand it to another child.
        for (const via of settlement.status === 'completed' ? task.chain : [agent]) end(hopKey(task.id, via), event.at, via === agent ? error : undefined);
        return;
      }
      case 'escalation.raised': {
        const { escalation } = event;
        const owner = traces.get(rootOf.get(escalation.taskId) ?? escalation.taskId);
        const at = spans.get(hopKey(escalation.taskId, escalation.from));
        if (owner === undefined || at === undefined) return;
        end(execKey(escalation.taskId, escalation.from), event.at, escalation.error?.message);
        start(owner, `esc:${escalation.id}`, `escalate ${escalation.reason}`, at, event.at, {
          'echelon.escalation.id': escalation.id,
          'echelon.escalation.from': escalation.from,
          'echelon.escalation.to': escalation.to,
        });
        return;
      }
      case 'escalation.resolved':
        end(`esc:${event.escalation.id}`, event.at, event.escalation.status === 'resolved' ? undefined : event.escalation.resolution?.error?.message ?? 'failed');
        return;
      case 'approval.requested': {
        const { approval } = event;
        const owner = traces.get(rootOf.get(approval.taskId) ?? approval.taskId);
        const at = spans.get(hopKey(approval.taskId, approval.requester));
        if (owner === undefined || at === undefined) return;
        start(owner, `apv:${approval.id}`, 'approval', at, event.at, { 'echelon.approval.id': approval.id, 'echelon.approval.approver': approval.approver });
        return;
      }
      case 'approval.decided':
        end(`apv:${event.approval.id}`, event.at, event.approval.status === 'approved' ? undefined : event.approval.status);
        return;
      case 'task.completed':
      case 'task.failed': {
        const { outcome } = event;
        const owner = traces.get(outcome.taskId);
        if (owner === undefined) return;
        // Forgotten first: a tracer that throws below must not keep the finished trace in memory.
        traces.delete(outcome.taskId);
        for (const task of owner.tasks) rootOf.delete(task);
        owner.root.setAttributes({ 'echelon.status': outcome.status, ...(outcome.executedBy === undefined ? {} : { 'echelon.executed_by': outcome.executedBy }), ...(outcome.splitBy === undefined ? {} : { 'echelon.split_by': outcome.splitBy }) });
        if (outcome.status !== 'completed') owner.root.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error?.message ?? outcome.status });
        finish(owner, event.at);
        return;
      }
      default:
        return;
    }
  };

  /** Ends a trace's open spans, newest first, then its root. */
  const finish = (owner: TaskTrace, at: number) => {
    for (const key of owner.keys) spans.delete(key);
    for (const span of owner.open.reverse()) if (span.isRecording()) span.end(hrTimeOf(at));
    owner.root.end(hrTimeOf(at));
  };

  // A tracer (or exporter) that throws loses spans, never the organisation: said once, not at every event.
  let broken = false;
  const guarded = (work: () => void) => {
    try {
      work();
    } catch (error) {
      if (broken) return;
      broken = true;
      logThrown('echelon/otel: the tracer threw; spans from here on may be incomplete (said once):', error);
    }
  };

  // Not '*': that would make the organisation compute agent.state events nobody here reads.
  const unsubscribes = TRACED.map((type) => org.on(type, (event: OrchestratorEvent) => guarded(() => onEvent(event))));
  // The spans of the tasks org.stop() interrupted are ended with it: never ended, a span is never exported.
  const onStop = () => stopTracing('The organisation stopped (org.stop()) before this task settled.');
  const stopTracing = (interrupted?: string) => {
    unfollow(stopped, onStop);
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
    for (const owner of traces.values()) {
      if (interrupted !== undefined) guarded(() => owner.root.setStatus({ code: SpanStatusCode.ERROR, message: interrupted }));
      guarded(() => finish(owner, lastAt));
    }
    traces.clear();
    spans.clear();
    rootOf.clear();
  };
  follow(stopped, onStop);
  return () => stopTracing();
}
