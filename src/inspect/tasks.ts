/**
 * The live view's task list: every submitted task it saw, active and recent, with where it is
 * and what it went through — kept from the lifecycle events, so it needs no store. Finished
 * tasks beyond the most recent `keep` are forgotten, with their entries.
 */
import type { OrchestratorEvent } from '../runtime/events.js';
import type { TerminalStatus } from '../types.js';
import { entryOfEvent, type TaskEntry } from './entries.js';

/** A submitted task as the task list shows it. */
export interface LiveTask {
  readonly id: string;
  readonly type: string;
  readonly status: 'active' | TerminalStatus;
  /** Every agent the task (or a task derived from it) reached, in order of arrival. */
  readonly agents: readonly string[];
  /** The agent it was last seen at. */
  readonly at: string;
  readonly submittedAt: number;
  readonly settledAt?: number;
  readonly executedBy?: string;
  /** For a split task: the agent that split it. */
  readonly splitBy?: string;
  readonly error?: string;
}

/** Which tasks to list. */
export interface TaskFilter {
  readonly status?: string;
  readonly type?: string;
  readonly agent?: string;
  /** Part of the task's id. */
  readonly search?: string;
  /** At most this many, newest first (default 200). */
  readonly limit?: number;
}

interface Tracked {
  task: LiveTask;
  readonly entries: TaskEntry[];
}

/** Entries kept per task: enough for any task a person reads, bounded for one that loops. */
const MAX_ENTRIES = 2_000;

export class TaskIndex {
  readonly #keep: number;
  readonly #tasks = new Map<string, Tracked>();
  /** The submitted task each task seen belongs to. */
  readonly #roots = new Map<string, string>();
  /** Finished submitted tasks, oldest first: the first to forget. */
  readonly #finished: string[] = [];
  #seq = 0;

  constructor(keep: number) {
    this.#keep = keep;
  }

  /** Takes in one lifecycle event. */
  observe(event: OrchestratorEvent): void {
    const entry = entryOfEvent(event, ++this.#seq);
    if (entry === undefined) return;
    if (event.type === 'task.submitted') this.#tasks.set(event.task.id, { task: { id: event.task.id, type: event.task.type, status: 'active', agents: [], at: event.task.chain[0] ?? '', submittedAt: event.at }, entries: [] });
    const rootId = entry.rootId ?? (entry.taskId === undefined ? undefined : this.#rootOf(entry.taskId));
    const record = rootId === undefined ? undefined : this.#tasks.get(rootId);
    if (record === undefined) return;
    if (entry.taskId !== undefined) this.#roots.set(entry.taskId, rootId!);
    if (event.type === 'task.decomposed') for (const subtask of event.subtasks) this.#roots.set(subtask.id, rootId!);
    if (record.entries.length < MAX_ENTRIES) record.entries.push({ ...entry, rootId: rootId! });
    const wasActive = record.task.status === 'active';
    record.task = advance(record.task, event);
    if (wasActive && record.task.status !== 'active') {
      this.#finished.push(record.task.id);
      this.#forgetOld();
    }
  }

  /** The tasks that match, newest first. */
  list(filter: TaskFilter = {}): LiveTask[] {
    const { status, type, agent, search, limit = 200 } = filter;
    const found: LiveTask[] = [];
    for (const { task } of [...this.#tasks.values()].reverse()) {
      if (status !== undefined && task.status !== status) continue;
      if (type !== undefined && task.type !== type) continue;
      if (agent !== undefined && !task.agents.includes(agent)) continue;
      if (search !== undefined && !task.id.toLowerCase().includes(search.toLowerCase())) continue;
      found.push(task);
      if (found.length >= limit) break;
    }
    return found;
  }

  get(id: string): { readonly task: LiveTask; readonly entries: readonly TaskEntry[] } | undefined {
    const rootId = this.#roots.get(id) ?? id;
    return this.#tasks.get(rootId);
  }

  /** The task types seen, for the page's filter. */
  types(): string[] {
    return [...new Set([...this.#tasks.values()].map((record) => record.task.type))].sort();
  }

  /**
   * The submitted task a task belongs to. Escalation and approval events name their task but not
   * its submitted task; a task an escalation derived is named `<task>!<escalation>`, so its
   * submitted task is that of the part before the last `!`.
   */
  #rootOf(taskId: string): string | undefined {
    for (let id = taskId; ; id = id.slice(0, id.lastIndexOf('!'))) {
      const root = this.#roots.get(id);
      if (root !== undefined) return root;
      if (!id.includes('!')) return undefined;
    }
  }

  #forgetOld(): void {
    while (this.#finished.length > this.#keep) {
      const id = this.#finished.shift()!;
      const record = this.#tasks.get(id);
      this.#tasks.delete(id);
      for (const entry of record?.entries ?? []) if (entry.taskId !== undefined) this.#roots.delete(entry.taskId);
    }
  }
}

/** The task after an event about it. */
function advance(task: LiveTask, event: OrchestratorEvent): LiveTask {
  const reached = (agent: string) => (task.agents.includes(agent) ? task.agents : [...task.agents, agent]);
  switch (event.type) {
    case 'task.submitted':
      return { ...task, agents: reached(task.at) };
    case 'task.delegated':
      return { ...task, agents: reached(event.to), at: event.to };
    case 'task.started':
    case 'task.queued':
    case 'task.deferred':
      return { ...task, agents: reached(event.agent), at: event.agent };
    case 'escalation.raised':
      return event.escalation.to === 'human' ? { ...task, at: 'a person' } : { ...task, agents: reached(event.escalation.to), at: event.escalation.to };
    case 'task.completed':
    case 'task.failed': {
      const { outcome } = event;
      return {
        ...task,
        status: outcome.status,
        settledAt: outcome.settledAt,
        ...(outcome.executedBy === undefined ? {} : { executedBy: outcome.executedBy }),
        ...(outcome.splitBy === undefined ? {} : { splitBy: outcome.splitBy }),
        ...(outcome.error === undefined ? {} : { error: outcome.error.message }),
      };
    }
    default:
      return task;
  }
}
