/**
 * One task's timeline for the live view: each hop, state, escalation, approval and retry with its
 * time and the state it left its agent in — read from the journal when the organisation has a
 * store (`org.history`), from the lifecycle events it saw otherwise — with the subtask tree and,
 * once it settled, its outcome (result or error, budget used, escalations, approvals).
 */
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/api.js';
import { replaySteps, type ReplayStep } from '../replay/steps.js';
import type { Outcome, SubtaskOutcome } from '../types.js';
import { journalOfRoot, type LiveTask, type TaskIndex } from './tasks.js';

/** One line of a timeline. */
export interface TimelineRow {
  readonly seq: number;
  readonly at: number;
  readonly type: string;
  readonly actor: string;
  readonly taskId?: string;
  readonly text: string;
  /** The acting agent's state right after (absent when a person or the submitter acted). */
  readonly state?: string;
  /** Agents whose state changed, with the states they went through. */
  readonly moves: ReplayStep['moves'];
}

/** A node of the subtask tree. */
export interface TimelineSubtask {
  readonly id: string;
  readonly status: string;
  readonly executedBy?: string;
  readonly splitBy?: string;
  readonly subtasks: readonly TimelineSubtask[];
}

export interface TaskTimeline {
  readonly task: LiveTask;
  /** Where the rows come from: the store's journal, or the events this view saw. */
  readonly source: 'journal' | 'events';
  readonly rows: readonly TimelineRow[];
  readonly subtasks: readonly TimelineSubtask[];
  readonly outcome?: OutcomeSummary;
}

/** What a settled task's outcome says, without its payload (its result is shown as JSON, cut short). */
export interface OutcomeSummary extends Pick<Outcome, 'status' | 'error' | 'executedBy' | 'splitBy' | 'delegationChain' | 'attempts' | 'budget' | 'submittedAt' | 'settledAt'> {
  readonly result?: string;
  readonly escalations: ReadonlyArray<{ id: string; reason: string; from: string; to: string; status: string; resolvedBy?: string; raisedAt: number; resolvedAt?: number }>;
  readonly approvals: ReadonlyArray<{ id: string; status: string; approver: string; decisions: ReadonlyArray<{ by: string; decision: string; note?: string; at: number }> }>;
}

const MAX_RESULT = 2_000;

/**
 * Builds the timeline of a task the index knows (a submitted task, or one derived from it).
 *
 * @example
 * ```ts
 * const timeline = await taskTimeline(org, index, 'deploy-42');
 * timeline?.rows.map((row) => `${row.at} ${row.actor} ${row.text}`);
 * ```
 */
export async function taskTimeline(org: Orchestrator, index: TaskIndex, id: string): Promise<TaskTimeline | undefined> {
  // A task from before the view opened, or one it has forgotten: its journal has it, when there is one.
  let known = index.get(id);
  if (known === undefined) {
    const entries = journalOfRoot(org, id);
    if (entries !== undefined) index.adopt(entries);
    known = index.get(id);
  }
  if (known === undefined) return undefined;
  const { task } = known;
  let steps: ReplayStep[];
  let source: TaskTimeline['source'] = 'journal';
  try {
    steps = org.history(task.id);
  } catch (error) {
    if (!(error instanceof EchelonError) || error.code !== 'invalid_option') throw error;
    source = 'events';
    steps = replaySteps(known.entries, org.hierarchy.nodes().map((node) => ({ id: node.id, parent: node.parentId ?? null })));
  }
  const rows = steps.map(({ entry, text, agents, moves }): TimelineRow => {
    const state = agents.find((agent) => agent.id === entry.actor)?.state;
    return { seq: entry.seq, at: entry.at, type: entry.type, actor: entry.actor, ...(entry.taskId === undefined ? {} : { taskId: entry.taskId }), text, ...(state === undefined ? {} : { state }), moves };
  });
  const outcome = task.status === 'active' ? undefined : await org.outcome(task.id).catch(() => undefined);
  return {
    task,
    source,
    rows,
    subtasks: outcome?.subtasks?.map(fromOutcome) ?? subtasksOf(task.id, steps),
    ...(outcome === undefined ? {} : { outcome: summarize(outcome) }),
  };
}

/** The subtask tree as the entries show it while the task runs (split, and settled parts). */
function subtasksOf(id: string, steps: readonly ReplayStep[]): TimelineSubtask[] {
  const children = new Map<string, string[]>();
  const settled = new Map<string, { status: string; executedBy?: string; splitBy?: string }>();
  for (const { entry } of steps) {
    if (entry.type === 'task.decomposed' && entry.taskId !== undefined) children.set(entry.taskId, (entry.data?.subtasks as string[] | undefined) ?? []);
    if (entry.type === 'subtask.settled' && entry.taskId !== undefined) {
      const by = entry.data?.executedBy;
      const splitBy = entry.data?.splitBy;
      settled.set(entry.taskId, { status: String(entry.data?.status), ...(typeof by === 'string' ? { executedBy: by } : {}), ...(typeof splitBy === 'string' ? { splitBy } : {}) });
    }
  }
  const node = (taskId: string): TimelineSubtask => ({ id: taskId, status: 'active', ...settled.get(taskId), subtasks: (children.get(taskId) ?? []).map(node) });
  return (children.get(id) ?? []).map(node);
}

function fromOutcome(subtask: SubtaskOutcome): TimelineSubtask {
  return {
    id: subtask.taskId,
    status: subtask.status,
    ...(subtask.executedBy === undefined ? {} : { executedBy: subtask.executedBy }),
    ...(subtask.splitBy === undefined ? {} : { splitBy: subtask.splitBy }),
    subtasks: subtask.subtasks?.map(fromOutcome) ?? [],
  };
}

function summarize(outcome: Outcome): OutcomeSummary {
  const result = outcome.result === undefined ? undefined : JSON.stringify(outcome.result);
  return {
    status: outcome.status,
    ...(result === undefined ? {} : { result: result.length > MAX_RESULT ? `${result.slice(0, MAX_RESULT)}…` : result }),
    ...(outcome.error === undefined ? {} : { error: outcome.error }),
    ...(outcome.executedBy === undefined ? {} : { executedBy: outcome.executedBy }),
    ...(outcome.splitBy === undefined ? {} : { splitBy: outcome.splitBy }),
    ...(outcome.budget === undefined ? {} : { budget: outcome.budget }),
    delegationChain: outcome.delegationChain,
    attempts: outcome.attempts,
    submittedAt: outcome.submittedAt,
    settledAt: outcome.settledAt,
    escalations: outcome.escalations.map(({ id, reason, from, to, status, resolvedBy, raisedAt, resolvedAt }) => ({
      id,
      reason,
      from,
      to,
      status,
      raisedAt,
      ...(resolvedBy === undefined ? {} : { resolvedBy }),
      ...(resolvedAt === undefined ? {} : { resolvedAt }),
    })),
    approvals: outcome.approvals.map(({ id, status, approver, decisions }) => ({
      id,
      status,
      approver,
      decisions: decisions.map(({ by, decision, note, at }) => ({ by, decision, at, ...(note === undefined ? {} : { note }) })),
    })),
  };
}
