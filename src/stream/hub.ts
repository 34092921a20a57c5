/**
 * Where progress meets its readers. Executors' progress and the organisation's lifecycle events
 * come in; each goes to whoever follows the task it concerns — a follower of a task gets that
 * task and everything derived from it (subtasks, resolutions of its escalations, retries), found
 * by the task's path in the tree — and progress also goes to watchers of the whole organisation
 * (the live view). Nothing is built when nobody follows or watches; progress is never stored.
 */
import { EchelonError } from '../errors.js';
import { jsonProblem } from '../json.js';
import type { ProgressEvent } from './types.js';
import { callListener } from '../thenable.js';

/** What the hub needs from the organisation. */
export interface HubOptions {
  readonly now: () => number;
  /** The task's path in the tree, the submitted task first and the task itself last. */
  readonly pathOf: (taskId: string) => readonly string[];
  /** Called when the hub goes from no follower to one (`true`) and back (`false`): lifecycle events are wanted only meanwhile. */
  readonly onDemand: (wanted: boolean) => void;
  /** A watcher that threw: reported, never breaks the executor that reported progress. */
  readonly onListenerError: (error: unknown) => void;
}

/** Someone following one task's stream. */
export interface Follower<L> {
  /** The task followed: a submitted task, or one derived from it. */
  readonly taskId: string;
  readonly rootId: string;
  /** Delivers an event; `droppable` for progress (a buffer may drop it), not for lifecycle events. */
  deliver(event: L | ProgressEvent, droppable: boolean): void;
  /** The submitted task settled (after its outcome was delivered), or the organisation stopped. */
  end(): void;
}

/** The progress of one attempt of one task at one agent, as an executor reports it. */
export interface ProgressSource {
  readonly task: { readonly id: string; readonly rootId: string };
  readonly agent: string;
  readonly attempt: number;
}

export class StreamHub<L> {
  readonly #options: HubOptions;
  readonly #byRoot = new Map<string, Set<Follower<L>>>();
  readonly #watchers = new Set<(event: ProgressEvent) => void>();
  /** Progress counted per task, per submitted task (dropped when it settles). */
  readonly #seq = new Map<string, Map<string, number>>();
  #readers = 0;

  constructor(options: HubOptions) {
    this.#options = options;
  }

  /** Starts delivering a task's events to `follower`; returns the function that stops it. */
  follow(follower: Follower<L>): () => void {
    const set = this.#byRoot.get(follower.rootId) ?? new Set();
    set.add(follower);
    this.#byRoot.set(follower.rootId, set);
    this.#reader(+1);
    let following = true;
    return () => {
      if (!following) return;
      following = false;
      set.delete(follower);
      if (set.size === 0 && this.#byRoot.get(follower.rootId) === set) this.#byRoot.delete(follower.rootId);
      this.#reader(-1);
    };
  }

  /** Delivers every task's progress to `listener`; returns the function that stops it. */
  watch(listener: (event: ProgressEvent) => void): () => void {
    const wrapped = (event: ProgressEvent) => listener(event);
    this.#watchers.add(wrapped);
    return () => {
      this.#watchers.delete(wrapped);
    };
  }

  /** True when someone would get this task's progress now (an executor may then stream instead of waiting for the whole answer). */
  listening(task: { readonly id: string; readonly rootId: string }): boolean {
    if (this.#watchers.size > 0) return true;
    const followers = this.#byRoot.get(task.rootId);
    if (followers === undefined) return false;
    let path: readonly string[] | undefined;
    for (const follower of followers) {
      if (follower.taskId === task.rootId || follower.taskId === task.id) return true;
      path ??= this.#options.pathOf(task.id);
      if (path.includes(follower.taskId)) return true;
    }
    return false;
  }

  /** An executor's progress (checked with {@link checkProgress} first), to whoever follows its task. */
  progress(source: ProgressSource, data: unknown): void {
    const { task } = source;
    let counts = this.#seq.get(task.rootId);
    if (counts === undefined) this.#seq.set(task.rootId, (counts = new Map()));
    const seq = (counts.get(task.id) ?? 0) + 1;
    counts.set(task.id, seq);
    const followers = this.#byRoot.get(task.rootId);
    if (followers === undefined && this.#watchers.size === 0) return;
    const path = this.#options.pathOf(task.id);
    const event: ProgressEvent = { type: 'task.progress', taskId: task.id, rootId: task.rootId, agent: source.agent, attempt: source.attempt, path, seq, data, at: this.#options.now() };
    for (const watcher of this.#watchers) {
      callListener(watcher, event, this.#options.onListenerError);
    }
    if (followers !== undefined) for (const follower of [...followers]) if (follows(follower, path)) follower.deliver(event, true);
  }

  /**
   * A lifecycle event of submitted task `rootId`, about `taskId` (one of its tasks; `undefined`
   * for the submitted task as a whole). `outcome` marks its last event: followers get it, then end.
   */
  lifecycle(event: L, rootId: string, taskId: string | undefined, outcome: boolean): void {
    const followers = this.#byRoot.get(rootId);
    if (followers === undefined) return;
    let path: readonly string[] | undefined;
    for (const follower of [...followers]) {
      if (!outcome && follower.taskId !== rootId) {
        if (taskId === undefined) continue;
        path ??= this.#options.pathOf(taskId);
        if (!follows(follower, path)) continue;
      }
      follower.deliver(event, false);
    }
    if (outcome) for (const follower of [...followers]) follower.end();
  }

  /** A submitted task settled: forget its progress counts. */
  finished(rootId: string): void {
    this.#seq.delete(rootId);
  }

  /** The organisation stopped: every stream ends, every watcher is let go. */
  close(): void {
    for (const followers of [...this.#byRoot.values()]) for (const follower of [...followers]) follower.end();
    this.#byRoot.clear();
    this.#seq.clear();
    this.#watchers.clear();
  }

  #reader(delta: number): void {
    const before = this.#readers;
    this.#readers += delta;
    if (before === 0 && this.#readers > 0) this.#options.onDemand(true);
    else if (before > 0 && this.#readers === 0) this.#options.onDemand(false);
  }
}

/** True when a task at `path` is the followed task or derives from it. */
function follows<L>(follower: Follower<L>, path: readonly string[]): boolean {
  return follower.taskId === follower.rootId || path.includes(follower.taskId);
}

/** Refuses progress that is not JSON data (it travels over HTTP and into browsers) with `invalid_progress`. */
export function checkProgress(source: ProgressSource, data: unknown): void {
  const problem = jsonProblem(data, 'progress');
  if (problem === undefined) return;
  const { task, agent } = source;
  throw new EchelonError('invalid_progress', `${agent} reported progress for ${task.id} that is not JSON data: ${problem}. Report strings, numbers, booleans, null, arrays and plain objects.`, {
    details: { taskId: task.id, agent, problem },
  });
}
