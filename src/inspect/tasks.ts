/**
 * The live view's task list: every submitted task it saw, active and recent, with where it is
 * and what it went through — kept from the lifecycle events, so it needs no store; with one, a
 * task from before the view opened is taken from the journal (`adopt`), whose entries carry the
 * same facts. Finished tasks beyond the most recent `keep` are forgotten, with their entries, and
 * so are those `org.forget` took (`tasks.forgotten`).
 */
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/api.js';
import type { EventOfType, OrchestratorEvent } from '../runtime/events.js';
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
    if (entry !== undefined) this.#take(entry);
  }

  /**
   * Takes in a submitted task's journal entries, oldest first (`org.journal({ taskId })`): a task
   * from before the view opened — one a resumed organisation holds, or one a person asks for —
   * listed as if the view had seen it all along. A task it already lists is left as it is.
   */
  adopt(entries: readonly TaskEntry[]): void {
    const first = entries[0];
    if (first?.type !== 'task.submitted' || first.taskId === undefined || this.#tasks.has(first.taskId)) return;
    for (const entry of entries) this.#take(entry);
  }

  #take(entry: TaskEntry): void {
    if (entry.type === 'task.submitted' && entry.taskId !== undefined) {
      // An id submitted again replaces its earlier run, which leaves the finished ones: aging out, it would take this run with it.
      const earlier = this.#tasks.has(entry.taskId) ? this.#finished.indexOf(entry.taskId) : -1;
      if (earlier >= 0) this.#finished.splice(earlier, 1);
      this.#tasks.delete(entry.taskId); // listed as the newest, where it was submitted
      const at = typeof entry.data?.entry === 'string' ? entry.data.entry : '';
      this.#tasks.set(entry.taskId, { task: { id: entry.taskId, type: String(entry.data?.type), status: 'active', agents: [], at, submittedAt: entry.at }, entries: [] });
    }
    const rootId = entry.rootId ?? (entry.taskId === undefined ? undefined : this.#rootOf(entry.taskId));
    const record = rootId === undefined ? undefined : this.#tasks.get(rootId);
    if (record === undefined) return;
    if (entry.taskId !== undefined) this.#roots.set(entry.taskId, rootId!);
    if (entry.type === 'task.decomposed') for (const subtask of listed(entry.data?.subtasks)) this.#roots.set(subtask, rootId!);
    if (record.entries.length < MAX_ENTRIES) record.entries.push({ ...entry, rootId: rootId! });
    const wasActive = record.task.status === 'active';
    record.task = advance(record.task, entry);
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

  /**
   * Drops the finished tasks `org.forget` took (a `tasks.forgotten` event): those that settled
   * before `settledBefore` and that `gone` says are gone. Returns their ids.
   */
  forgotten(settledBefore: number, gone: (id: string) => boolean): string[] {
    const dropped = this.#finished.filter((id) => {
      const settledAt = this.#tasks.get(id)?.task.settledAt;
      return settledAt !== undefined && settledAt < settledBefore && gone(id);
    });
    if (dropped.length === 0) return dropped;
    const left = new Set(dropped);
    const kept = this.#finished.filter((id) => !left.has(id));
    this.#finished.length = 0;
    for (const id of kept) this.#finished.push(id);
    for (const id of dropped) this.#drop(id);
    return dropped;
  }

  #forgetOld(): void {
    while (this.#finished.length > this.#keep) this.#drop(this.#finished.shift()!);
  }

  #drop(id: string): void {
    const record = this.#tasks.get(id);
    this.#tasks.delete(id);
    for (const entry of record?.entries ?? []) if (entry.taskId !== undefined) this.#roots.delete(entry.taskId);
  }
}

/** The task after an entry about it (an event's, or the journal's: they carry the same facts). */
function advance(task: LiveTask, entry: TaskEntry): LiveTask {
  const reached = (agent: string) => (task.agents.includes(agent) ? task.agents : [...task.agents, agent]);
  const to = typeof entry.data?.to === 'string' ? entry.data.to : undefined;
  switch (entry.type) {
    case 'task.submitted':
      return { ...task, agents: reached(task.at) };
    case 'task.delegated':
      return to === undefined ? task : { ...task, agents: reached(to), at: to };
    case 'task.started':
    case 'task.queued':
    case 'task.deferred':
      return { ...task, agents: reached(entry.actor), at: entry.actor };
    case 'escalation.raised':
      return to === undefined ? task : to === 'human' ? { ...task, at: 'a person' } : { ...task, agents: reached(to), at: to };
    case 'task.settled': {
      if (entry.taskId !== task.id) return task;
      const { status, executedBy, splitBy, error } = entry.data ?? {};
      const message = (error as { message?: unknown } | undefined)?.message;
      return {
        ...task,
        status: status as LiveTask['status'],
        settledAt: entry.at,
        ...(typeof executedBy === 'string' ? { executedBy } : {}),
        ...(typeof splitBy === 'string' ? { splitBy } : {}),
        ...(typeof message === 'string' ? { error: message } : {}),
      };
    }
    default:
      return task;
  }
}

/** The ids a `task.decomposed` entry lists. */
const listed = (value: unknown): string[] => (Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : []);

/**
 * The journal entries of the submitted task `id` belongs to (`id` itself, a subtask `<root>.<key>`
 * or a resolution task `<root>!<escalation>`), or `undefined` when the organisation keeps no
 * journal (no store) or it holds nothing of `id`.
 */
export function journalOfRoot(org: Orchestrator, id: string): readonly TaskEntry[] | undefined {
  const entries = journalOf(org, id);
  const rootId = entries?.[0]?.rootId;
  if (rootId === undefined) return undefined;
  return rootId === id ? entries : org.journal({ taskId: rootId });
}

/**
 * What a live view opened on a running organisation lists at once: the submitted tasks its
 * agents hold (up to `MAX_ADOPTED`), from their journal — those a resumed organisation took up
 * again, and those submitted before the view opened. Without a journal only what it sees from now
 * on is listed.
 */
export function adoptHeld(org: Orchestrator, index: TaskIndex): void {
  if (!keepsJournal(org)) return;
  const held = new Set<string>();
  for (const node of org.hierarchy.nodes()) for (const id of Object.keys(org.agentState(node.id).held)) held.add(id);
  let adopted = 0;
  for (const id of held) {
    if (adopted >= MAX_ADOPTED) return;
    if (index.get(id) !== undefined) continue;
    const entries = journalOfRoot(org, id);
    if (entries === undefined) continue;
    index.adopt(entries);
    adopted += 1;
  }
}

/**
 * Tasks held at opening that the list takes from the journal, at most: one journal read each (a
 * memory store's is a scan), so that opening a view on an organisation holding 100,000 is not a
 * wait. As many as the page lists; the rest still open by id.
 */
const MAX_ADOPTED = 200;

/**
 * What a live view drops after a `tasks.forgotten` event: every finished task it lists that settled
 * before the time — unless the forget reached its limit, when it took only the oldest: then those
 * the journal no longer has (without a store there is no journal to ask, and they stay listed).
 */
export function dropForgotten(org: Orchestrator, index: TaskIndex, event: EventOfType<'tasks.forgotten'>): string[] {
  const { settledBefore, limit, forgotten } = event;
  if (limit === undefined || forgotten.tasks < limit) return index.forgotten(settledBefore, () => true);
  return index.forgotten(settledBefore, (id) => journalOf(org, id, 1)?.length === 0);
}

/** True when the organisation keeps a journal (it has a store): its runs can be replayed, its older tasks listed. */
export const keepsJournal = (org: Orchestrator): boolean => journalOf(org, undefined, 1) !== undefined;

/** `org.journal({ taskId, limit })`, or `undefined` for an organisation without a store (no journal). */
function journalOf(org: Orchestrator, taskId: string | undefined, limit?: number): readonly TaskEntry[] | undefined {
  try {
    return org.journal({ ...(taskId === undefined ? {} : { taskId }), ...(limit === undefined ? {} : { limit }) });
  } catch (error) {
    if (error instanceof EchelonError && error.code === 'invalid_option') return undefined;
    throw error;
  }
}
