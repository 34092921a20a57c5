/**
 * What a task's stream carries besides lifecycle events: the progress executors report
 * (`context.progress(data)`), each tagged with where in the organisation it happened, and the
 * notice a slow reader gets when progress had to be dropped.
 */

/**
 * One piece of progress an executor reported: a text delta, a step name, a percentage — any JSON
 * value — tagged with the task, the agent, the attempt and the task's path in the tree.
 */
export interface ProgressEvent<TData = unknown> {
  readonly type: 'task.progress';
  /** The task whose executor reported it (a subtask, an escalation's resolution, or the submitted task). */
  readonly taskId: string;
  /** The submitted task it serves. */
  readonly rootId: string;
  /** The agent executing. */
  readonly agent: string;
  /** 1 for the first attempt, then 2, 3 … on retries. */
  readonly attempt: number;
  /**
   * The task's place in the tree, the submitted task first and this task last: a subtask of a
   * subtask is `[root, parent, task]`, an escalation's resolution follows the task it resolves.
   */
  readonly path: readonly string[];
  /** 1, 2, 3 … per task across its attempts: the order its executors reported progress in. */
  readonly seq: number;
  readonly data: TData;
  /** The orchestrator clock's time. */
  readonly at: number;
}

/**
 * Progress a slow reader never saw: the stream's buffer was full, so the oldest progress went
 * (lifecycle events are never dropped). It comes where they were: just before the oldest progress kept.
 */
export interface StreamDropped {
  readonly type: 'stream.dropped';
  /** How many progress events were dropped since the last notice. */
  readonly count: number;
  readonly at: number;
}

/** Options of `org.stream(taskId, options)`. */
export interface TaskStreamOptions {
  /** Ends the iteration when aborted (the loop finishes normally; it does not throw). */
  readonly signal?: AbortSignal;
  /**
   * Progress events kept for a reader that is behind (default 1,000). When more arrive, the oldest
   * progress is dropped and a `stream.dropped` notice says how many; lifecycle events always stay.
   */
  readonly bufferSize?: number;
}

/** The default of {@link TaskStreamOptions.bufferSize}. */
export const DEFAULT_STREAM_BUFFER = 1000;
