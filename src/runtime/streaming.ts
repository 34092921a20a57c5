/**
 * The orchestrator's side of streaming: the stream hub (src/stream/) fed with executors' progress
 * and — only while someone follows a task — with the lifecycle events of the bus, each routed to
 * the submitted task it belongs to; and `org.stream()`'s iterators over bounded buffers.
 */
import { EchelonError } from '../errors.js';
import { unknownTask } from '../task-input.js';
import { checkProgress, DEFAULT_STREAM_BUFFER, StreamHub, StreamQueue, type ProgressEvent, type ProgressSource, type StreamDropped, type TaskStreamOptions } from '../stream/index.js';
import type { Outcome, Task } from '../types.js';
import { checkSubscription, whenAborted, type EventBus, type OrchestratorEvent, type OrchestratorEventType } from './events.js';
import type { Ledger } from './ledger.js';
import { WeakHold, weakEnds } from './weak-hold.js';
import { callListener } from '../thenable.js';
import { anything, checkShape, fields, number, readingCaller, shapeContext, type Shape } from '../shape/index.js';
import { show } from '../show.js';

/** The lifecycle events a task's stream carries: all but `agent.state`, which belongs to agents, not tasks. */
export type TaskLifecycleEvent = Exclude<OrchestratorEvent, { readonly type: 'agent.state' }>;

/** What a task's stream yields: its lifecycle events and its progress, in the order they happened. */
export type TaskStreamEvent = TaskLifecycleEvent | ProgressEvent | StreamDropped;

/**
 * A task's stream: an async iterator that ends after the submitted task's outcome (the last
 * event, `task.completed` or `task.failed`), on `break`, when its signal aborts, or when the
 * organisation stops.
 */
export interface TaskStream extends AsyncIterableIterator<TaskStreamEvent> {
  /** The task followed. */
  readonly taskId: string;
  /** The outcome of the submitted task it belongs to (as `org.outcome` gives it). */
  readonly outcome: Promise<Outcome>;
}

const STREAMED = [
  'task.submitted', 'task.delegated', 'task.queued', 'task.started', 'task.retrying', 'task.deferred', 'task.ended', 'task.decomposed',
  'task.completed', 'task.failed', 'escalation.raised', 'escalation.resolved', 'approval.requested', 'approval.decided',
  'approval.refused', 'agent.fault',
] as const satisfies readonly OrchestratorEventType[];

/** Longest path walked up the tree (a guard: derived tasks are far shallower). */
const MAX_PATH = 10_000;

export interface StreamingDeps {
  readonly bus: EventBus;
  readonly ledger: Ledger;
  readonly now: () => number;
  readonly onListenerError: (error: unknown) => void;
}

/** The organisation's streaming, as `createOrchestrator` uses it. */
export class Streaming {
  readonly #deps: StreamingDeps;
  readonly #hub: StreamHub<TaskLifecycleEvent>;
  #detach: Array<() => void> = [];

  constructor(deps: StreamingDeps) {
    this.#deps = deps;
    this.#hub = new StreamHub<TaskLifecycleEvent>({
      now: deps.now,
      pathOf: (taskId) => this.#pathOf(taskId),
      onDemand: (wanted) => this.#demand(wanted),
      onListenerError: deps.onListenerError,
    });
  }

  /**
   * How one attempt reports progress (refused with `invalid_progress` unless it is JSON data).
   * What it reports before the current turn of the event loop ends is held until then: an executor
   * runs as its attempt starts, so its first progress would otherwise come before `task.started`.
   * A late report, after the task left the books, is dropped.
   */
  reporter(source: ProgressSource): (data: unknown) => void {
    let early: unknown[] | undefined = [];
    const deliver = (data: unknown) => {
      if (this.#deps.ledger.tasks.has(source.task.id)) this.#hub.progress(source, data);
    };
    queueMicrotask(() => {
      const held = early!;
      early = undefined;
      for (const data of held) deliver(data);
    });
    return (data) => {
      checkProgress(source, data);
      if (early !== undefined) early.push(data);
      else deliver(data);
    };
  }

  /** True when someone would get this task's progress now. */
  listening(task: Task): boolean {
    return this.#hub.listening(task);
  }

  /** Delivers every task's progress to `listener` (the live view). */
  watch(listener: (event: ProgressEvent) => void): () => void {
    return this.#hub.watch(listener);
  }

  /** Follows a task just submitted, before its first hop: `listener` gets its progress. */
  followProgress(task: Task, listener: (event: ProgressEvent) => void): void {
    const stop = this.#hub.follow({
      taskId: task.id,
      rootId: task.rootId,
      deliver: (event) => {
        if (event.type !== 'task.progress') return;
        callListener(listener, event, this.#deps.onListenerError);
      },
      end: () => stop(),
    });
  }

  /**
   * A stream over a task (active, or recently finished: then it yields the outcome and ends).
   * Throws `unknown_task` for a task the organisation does not know, `invalid_option` for bad options.
   */
  stream(taskId: string, options: TaskStreamOptions | undefined, outcome: () => Promise<Outcome>, stopped: boolean): TaskStream {
    const capacity = checkStreamOptions(options);
    const { ledger, now } = this.#deps;
    const record = ledger.tasks.get(taskId);
    const finished = record === undefined ? ledger.outcome(taskId) : undefined;
    if (record === undefined && finished === undefined) {
      throw unknownTask(taskId, 'org.stream');
    }
    const signal = options?.signal;
    // Nothing here holds the queue but `stream`, handed to the caller: a stream dropped unread is collected (weak-hold.ts).
    const hold = new WeakHold<StreamQueue<TaskStreamEvent>>();
    const ends = weakEnds(hold, signal, (reader) => reader.close());
    const queue = new StreamQueue<TaskStreamEvent>(capacity, now, ends.end, (waiting) => hold.hold(waiting));
    // The outcome is asked for only when read: a stream nobody asks it of leaves no promise to reject.
    const stream = Object.defineProperties(queue, {
      taskId: { value: taskId, enumerable: true },
      outcome: { get: outcome, enumerable: true },
    }) as StreamQueue<TaskStreamEvent> & TaskStream;
    if (finished !== undefined) {
      queue.push({ type: finished.status === 'completed' ? 'task.completed' : 'task.failed', outcome: finished, at: finished.settledAt }, false);
      queue.close();
      return stream;
    }
    if (stopped) {
      queue.close();
      return stream;
    }
    hold.attach(queue, ends.release);
    ends.feeding(this.#hub.follow({ taskId, rootId: record!.task.rootId, deliver: (event, droppable) => ends.current()?.push(event, droppable), end: ends.end }));
    whenAborted('org.stream', signal, ends.end, ends.end);
    return stream;
  }

  /** A submitted task settled. */
  finished(rootId: string): void {
    this.#hub.finished(rootId);
  }

  /** The organisation stopped: every stream ends once its reader has read what is buffered. */
  close(): void {
    this.#hub.close();
    this.#demand(false);
  }

  #demand(wanted: boolean): void {
    for (const detach of this.#detach.splice(0)) detach();
    if (!wanted) return;
    const route = (event: OrchestratorEvent) => this.#route(event as TaskLifecycleEvent);
    this.#detach = STREAMED.map((type) => this.#deps.bus.on(type, route));
  }

  /** Which submitted task (and which of its tasks) a lifecycle event concerns. */
  #route(event: TaskLifecycleEvent): void {
    const { ledger } = this.#deps;
    const about = (taskId: string | undefined) => {
      const task = taskId === undefined ? undefined : ledger.tasks.get(taskId)?.task;
      if (task !== undefined) this.#hub.lifecycle(event, task.rootId, task.id, false);
    };
    switch (event.type) {
      case 'task.completed':
      case 'task.failed':
        return this.#hub.lifecycle(event, event.outcome.taskId, undefined, true);
      case 'escalation.raised':
      case 'escalation.resolved':
        return about(event.escalation.taskId);
      case 'approval.requested':
      case 'approval.decided':
        return about(event.approval.taskId);
      case 'approval.refused':
        return about(ledger.approval(event.approvalId)?.taskId);
      case 'agent.fault':
        return about(event.taskId);
      case 'tasks.forgotten':
        // Only finished tasks are forgotten, and a task's streams end when it finishes: no stream is about one.
        return;
      case 'task.ended':
        // A part of the tree ended (a subtask, a resolution); a submitted task's own end is its outcome, next.
        if (event.task.id === event.task.rootId) return;
        return this.#hub.lifecycle(event, event.task.rootId, event.task.id, false);
      default:
        return this.#hub.lifecycle(event, event.task.rootId, event.task.id, false);
    }
  }

  #pathOf(taskId: string): readonly string[] {
    const path = [taskId];
    const { tasks } = this.#deps.ledger;
    for (let parent = tasks.get(taskId)?.task.parentId; parent !== undefined && path.length < MAX_PATH; parent = tasks.get(parent)?.task.parentId) path.push(parent);
    return path.reverse();
  }
}

const STREAM_OPTIONS = { signal: anything, bufferSize: number } satisfies Record<keyof TaskStreamOptions, Shape>;
const FOLLOWING = fields(STREAM_OPTIONS);
/** A stream that submits its task also takes the entry agent (`at`, checked as `submit` checks it). */
const SUBMITTING = fields({ ...STREAM_OPTIONS, at: anything });

/**
 * The buffer size the options ask for, refusing (`invalid_option`) options that are none, an
 * unknown or misspelt one (with the nearest name), a signal that is none, a size that is no count.
 */
export function checkStreamOptions(options: unknown, submits = false): number {
  return readingCaller('org.stream', 'invalid_option', 'its options', () => streamBufferOf(options, submits));
}

function streamBufferOf(options: unknown, submits: boolean): number {
  if (options === undefined) return DEFAULT_STREAM_BUFFER;
  if (typeof options !== 'object' || options === null) throw new EchelonError('invalid_option', `org.stream: its options must be an object ({ signal, bufferSize }), got ${show(options)}.`);
  checkShape(options, submits ? SUBMITTING : FOLLOWING, '', { ...shapeContext('org.stream', 'invalid_option'), subject: 'its options' });
  const { signal, bufferSize = DEFAULT_STREAM_BUFFER } = options as TaskStreamOptions;
  checkSubscription('org.stream', { signal, needsListener: false });
  if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new EchelonError('invalid_option', `org.stream: bufferSize must be a whole number ≥ 1, got ${show(bufferSize)}.`);
  return bufferSize;
}
