/**
 * A stored run, step by step: each journal entry is one step, with the line it says and what
 * every agent was doing right after it. The journal holds facts (a hop, an execution starting or
 * ending, an approval parking a task), not the agents' snapshots, so each agent's state is the
 * one those facts put its statechart in: `executing` while it runs a task, `awaitingApproval`
 * while a task of its waits for a decision, `delegating` / `evaluatingEscalation` at the step
 * where it hands a task down or up, `receiving` otherwise.
 */
import type { AgentStateName } from '../../machines/agent.types.js';
import { EchelonError } from '../errors.js';
import { show } from '../show.js';

/**
 * A journal entry as replay reads it (a store's `ReplayEntry` is one). Declared here so that
 * replay depends on no store: any log of these facts can be stepped through.
 */
export interface ReplayEntry {
  readonly seq: number;
  readonly session: number;
  readonly at: number;
  readonly type: string;
  readonly actor: string;
  readonly taskId?: string;
  /** The submitted task it belongs to. */
  readonly rootId?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** An agent and the agent it reports to (`null` for the root): a store's `header().agents`. */
export interface AgentLink {
  readonly id: string;
  readonly parent: string | null;
}

/** An agent at one step of a replay. */
export interface ReplayAgent {
  readonly id: string;
  readonly parent: string | null;
  readonly state: AgentStateName;
  /** Tasks it was executing. */
  readonly running: readonly string[];
  /** Its tasks waiting for an approval. */
  readonly awaitingApproval: readonly string[];
}

/** One step of a replay: one journal entry and the organisation right after it. */
export interface ReplayStep {
  /** 1 for the first entry. */
  readonly index: number;
  readonly entry: ReplayEntry;
  /** The entry in one line, e.g. `s1-t0: cto → backend_lead`. */
  readonly text: string;
  /** Every agent, in org-chart order. */
  readonly agents: readonly ReplayAgent[];
  /** Agents whose state this step changed, with the states they went through. */
  readonly moves: readonly { readonly agent: string; readonly states: readonly AgentStateName[] }[];
}

interface Books {
  readonly running: Set<string>;
  readonly parked: Set<string>;
  state: AgentStateName;
}

/** Options of {@link replaySteps}. */
export interface ReplayOptions {
  /**
   * Build only the latest this many steps (each agent's state still counts every entry from the
   * start): a long run's journal holds entries × agents states, more than a process can keep.
   */
  readonly latest?: number;
}

/**
 * Steps through journal entries (all of a store's, or one task's) for an organisation of these
 * agents (a store's `header().agents`, or a hierarchy's nodes).
 *
 * @example
 * ```ts
 * const store = sqliteStore('org.db');
 * for (const step of replaySteps(store.journal(), store.header()!.agents)) console.log(step.index, step.text);
 * replaySteps(store.journal(), store.header()!.agents, { latest: 100 }); // the last 100 steps
 * ```
 */
export function replaySteps(entries: readonly ReplayEntry[], links: readonly AgentLink[], options: ReplayOptions = {}): ReplayStep[] {
  checkList(entries, 'entries', 'journal entries (a store\'s journal())', (entry) => typeof entry.type === 'string' && typeof entry.actor === 'string', 'a journal entry has a type and an actor');
  checkList(links, 'agents', "agent links (a store's header().agents)", (link) => typeof link.id === 'string', 'an agent link has an id and a parent');
  const latest = (options as ReplayOptions | null | undefined)?.latest;
  if (latest !== undefined && (!Number.isInteger(latest) || latest < 0)) throw new EchelonError('invalid_option', `replaySteps: latest must be a whole number ≥ 0, got ${show(latest)}.`);
  return [...walkSteps(entries, links, latest === undefined ? 0 : Math.max(0, entries.length - latest))];
}

/**
 * The steps one at a time, those before position `from` counted but not built (an agent's state
 * at a step is worked out from its books only for the steps built): memory for one step at a time,
 * and for one entry at a time when `entries` is read lazily (a store's journal a page at a time).
 */
export function* walkSteps(entries: Iterable<ReplayEntry>, links: readonly AgentLink[], from = 0): Generator<ReplayStep> {
  const books = new Map(links.map((link) => [link.id, { running: new Set<string>(), parked: new Set<string>(), state: 'receiving' as AgentStateName }]));
  const steady = (agent: Books): AgentStateName => (agent.running.size > 0 ? 'executing' : agent.parked.size > 0 ? 'awaitingApproval' : 'receiving');
  const types = new Map<string, string>();
  /** The tasks seen of each submitted task. */
  const trees = new Map<string, Set<string>>();
  let position = -1;
  for (const entry of entries) {
    position++;
    if (entry.taskId !== undefined && entry.rootId !== undefined) trees.set(entry.rootId, (trees.get(entry.rootId) ?? new Set()).add(entry.taskId));
    if (position < from) {
      apply(entry, books, types, trees);
      continue;
    }
    const before = new Map([...books].map(([id, agent]) => [id, steady(agent)]));
    const transient = apply(entry, books, types, trees);
    const moves: Array<{ agent: string; states: AgentStateName[] }> = [];
    for (const [id, agent] of books) {
      const passing = transient.get(id);
      agent.state = steady(agent);
      const states = [before.get(id)!, ...(passing === undefined ? [] : [passing]), agent.state].filter((state, i, all) => i === 0 || state !== all[i - 1]);
      if (states.length > 1) moves.push({ agent: id, states });
    }
    yield {
      index: position + 1,
      entry,
      text: describeEntry(entry, types),
      agents: links.map((link) => {
        const agent = books.get(link.id)!;
        return { id: link.id, parent: link.parent, state: agent.state, running: [...agent.running], awaitingApproval: [...agent.parked] };
      }),
      moves,
    };
  }
}

/** Refuses (`invalid_option`) a `list` that is not an array of objects for which `fits` holds. */
function checkList(list: unknown, name: string, what: string, fits: (item: Record<string, unknown>) => boolean, why: string): void {
  if (!Array.isArray(list)) throw new EchelonError('invalid_option', `replaySteps: ${name} must be an array of ${what}, got ${list === null ? 'null' : typeof list}.`);
  list.forEach((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || !fits(item as Record<string, unknown>)) throw new EchelonError('invalid_option', `replaySteps: ${name}[${index}]: ${why}, got ${show(item)}.`);
  });
}

/** Updates the agents' books for one entry; returns the states agents pass through at this step. */
function apply(entry: ReplayEntry, books: Map<string, Books>, types: Map<string, string>, trees: Map<string, Set<string>>): Map<string, AgentStateName> {
  const transient = new Map<string, AgentStateName>();
  const at = books.get(entry.actor);
  const task = entry.taskId;
  const data = entry.data ?? {};
  const forget = (taskId: string) => {
    for (const agent of books.values()) {
      agent.running.delete(taskId);
      agent.parked.delete(taskId);
    }
  };
  switch (entry.type) {
    case 'task.submitted':
      if (task !== undefined && typeof data.type === 'string') types.set(task, data.type);
      break;
    case 'task.delegated':
      if (at !== undefined) transient.set(entry.actor, 'delegating');
      break;
    case 'escalation.raised':
      if (at !== undefined) transient.set(entry.actor, 'evaluatingEscalation');
      if (task !== undefined) at?.running.delete(task);
      break;
    case 'task.started':
      if (task !== undefined) at?.running.add(task);
      break;
    case 'task.retrying':
      if (task !== undefined) at?.running.delete(task);
      break;
    case 'approval.requested':
      if (task !== undefined) {
        at?.running.delete(task);
        at?.parked.add(task);
      }
      break;
    case 'approval.settled':
      if (task !== undefined) at?.parked.delete(task);
      break;
    case 'task.ended':
      if (task !== undefined) forget(task);
      break;
    case 'task.settled':
      // A submitted task settled: nothing of its tree is running or waiting any more.
      if (task !== undefined) {
        for (const id of trees.get(task) ?? [task]) forget(id);
        trees.delete(task);
      }
      break;
    case 'task.cancelling':
      for (const id of Array.isArray(data.taskIds) ? (data.taskIds as string[]) : task === undefined ? [] : [task]) forget(id);
      break;
    default:
      break;
  }
  return transient;
}

/**
 * A journal entry in one line.
 *
 * @example
 * ```ts
 * describeEntry({ seq: 3, session: 1, at: 0, type: 'task.delegated', actor: 'cto', taskId: 't1', data: { to: 'backend_lead' } });
 * // 't1: cto → backend_lead'
 * ```
 */
export function describeEntry(entry: ReplayEntry, types: ReadonlyMap<string, string> = new Map()): string {
  const data = entry.data ?? {};
  const task = entry.taskId === undefined ? '' : types.has(entry.taskId) ? `${types.get(entry.taskId)} ${entry.taskId}` : entry.taskId;
  const error = typeof data.error === 'object' && data.error !== null ? (data.error as { code?: string; message?: string }) : undefined;
  const ended = `${String(data.status)}${data.executedBy === undefined ? '' : ` by ${String(data.executedBy)}`}${data.splitBy === undefined ? '' : `, split by ${String(data.splitBy)}`}${error === undefined ? '' : ` (${error.code}: ${error.message})`}`;
  switch (entry.type) {
    case 'organisation.started':
      return `the organisation starts (session ${entry.session})`;
    case 'organisation.resumed':
      return `the organisation resumes from the store (session ${entry.session})`;
    case 'task.submitted':
      return `${task} submitted at ${String(data.entry ?? entry.actor)}`;
    case 'task.delegated':
      return `${task}: ${entry.actor} → ${String(data.to)}`;
    case 'task.queued':
      return `${task} waits in ${entry.actor}'s queue`;
    case 'task.started':
      return `${task} executing at ${entry.actor}${Number(data.attempt) > 1 ? ` (attempt ${String(data.attempt)})` : ''}`;
    case 'task.retrying':
      return `${task} at ${entry.actor} failed (${String(data.error)}); retry ${String(data.attempt)} in ${String(data.delayMs)} ms`;
    case 'task.deferred':
      return `${task} at ${entry.actor} waits for ${list(data.resources) ?? 'resources'}`;
    case 'task.decomposed':
      return `${task} split by ${entry.actor} into ${list(data.subtasks) ?? '?'}`;
    case 'task.ended':
      return `${task} ${ended} at ${entry.actor}`;
    case 'subtask.settled':
      return `subtask ${task} ${ended}`;
    case 'task.settled':
      return `${task} ${ended} — settled`;
    case 'task.cancelling':
      return `cancelling ${list(data.taskIds) ?? task} by ${entry.actor}: ${String(data.reason)}`;
    case 'task.redelivered':
      return `${task} sent again to ${entry.actor} after a restart`;
    case 'escalation.raised':
      return `${task} escalated (${String(data.reason)}) ${entry.actor} → ${String(data.to)}: ${String(data.message)}`;
    case 'escalation.assigned':
      return `escalation ${String(data.escalationId)} of ${task} assigned to ${String(data.to)} by ${entry.actor}`;
    case 'escalation.resolved':
      return `escalation ${String(data.escalationId)} of ${task} resolved: ${ended}`;
    case 'approval.requested':
      return `${task} at ${entry.actor} awaits approval by ${String(data.approver)}`;
    case 'approval.decided':
      return `approval ${String(data.approvalId)} of ${task} ${String(data.decision)} by ${entry.actor}${data.note === undefined ? '' : `: ${String(data.note)}`}`;
    case 'approval.settled':
      return `approval ${String(data.approvalId)} of ${task} ${String(data.status)}`;
    case 'approval.refused':
      return `decision by ${entry.actor} on approval ${String(data.approvalId)} refused (${String(data.error)})`;
    case 'agent.fault':
      return `fault at ${entry.actor}${task === '' ? '' : ` (task ${task})`}: ${String(data.message)}`;
    default:
      return `${entry.type} by ${entry.actor}${task === '' ? '' : ` (${task})`}`;
  }
}

/** A list in an entry's data, joined; `undefined` when it is none (a journal read from elsewhere may hold anything). */
function list(value: unknown): string | undefined {
  return Array.isArray(value) ? value.map((item) => String(item)).join(', ') : undefined;
}
