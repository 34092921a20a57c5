/**
 * Fan-in: the bookkeeping of a decomposed task's subtasks and the decision, as each one
 * settles, to keep waiting, complete (merging what completed) or fail — with the subtasks
 * still running named for cancellation. Pure data and pure functions: a join is never changed,
 * each step returns a new one — and never freezes what it holds, so results come back as the
 * executors returned them.
 */
import type { TaskError } from '../errors.js';
import type { JoinPolicy, PartialFailurePolicy, Settlement, SubtaskFailure, SubtaskOutcome, Task } from '../types.js';

/** One subtask, as its parent's join sees it. */
export interface JoinPart {
  readonly key: string;
  readonly taskId: string;
  readonly type: string;
  /** Where it was sent from (the decomposing agent) and, once settled, the chain it went down. */
  readonly chain: readonly string[];
  readonly settlement?: Settlement | undefined;
}

/** A decomposed task waiting for its subtasks. */
export interface Join {
  readonly task: Task;
  readonly policy: JoinPolicy;
  readonly onFailure: PartialFailurePolicy;
  readonly parts: readonly JoinPart[];
  /** The decision, once made; the parent is delivered when every part has settled too. */
  readonly decided?: { readonly kind: 'complete' } | { readonly kind: 'fail'; readonly error: TaskError } | { readonly kind: 'cancel'; readonly error: TaskError };
}

/** What happened to a join when one of its parts settled. */
export interface JoinProgress {
  readonly join: Join;
  /** Subtasks still running that should be cancelled now. */
  readonly cancel: readonly string[];
  /** True when the parent can be delivered: decided, and every part settled. */
  readonly done: boolean;
}

/** How many completions a policy needs out of `parts`. */
export function needed(policy: JoinPolicy, parts: number): number {
  return policy.kind === 'all' ? parts : policy.kind === 'any' ? 1 : policy.n;
}

const pending = (join: Join) => join.parts.filter((part) => part.settlement === undefined);
const completed = (join: Join) => join.parts.filter((part) => part.settlement?.status === 'completed');
const unsuccessful = (join: Join) => join.parts.filter((part) => part.settlement !== undefined && part.settlement.status !== 'completed');

/** Records one part's settlement and decides what the parent does next. */
export function joinAfter(join: Join, taskId: string, settlement: Settlement, chain: readonly string[]): JoinProgress {
  if (!join.parts.some((part) => part.taskId === taskId && part.settlement === undefined)) return { join, cancel: [], done: false };
  const undecided = join.decided === undefined;
  const index = join.parts.findIndex((part) => part.taskId === taskId);
  const parts = join.parts.map((part, at) => (at === index ? { ...part, settlement, chain } : part));
  const settled: Join = { ...join, parts };
  const next: Join = undecided ? decide(settled) : settled;
  const cancel = undecided && next.decided !== undefined ? pending(next).map((part) => part.taskId) : [];
  return { join: next, cancel, done: next.decided !== undefined && pending(next).length === 0 };
}

/** The join with its decision, when the parts settled so far make one. */
function decide(join: Join): Join {
  const need = needed(join.policy, join.parts.length);
  const wins = completed(join).length;
  const open = pending(join).length;
  if (wins >= need) return { ...join, decided: { kind: 'complete' } };
  if (wins + open >= need || (join.onFailure !== 'fail-fast' && open > 0)) return join;
  return { ...join, decided: join.onFailure === 'partial' && wins > 0 ? { kind: 'complete' } : { kind: 'fail', error: failureOf(join, need) } };
}

/** Cancels a join: every running part is to be cancelled; done at once when none is running. */
export function cancelJoin(join: Join, error: TaskError): JoinProgress {
  const next: Join = join.decided === undefined ? { ...join, decided: { kind: 'cancel', error } } : join;
  const running = pending(next).map((part) => part.taskId);
  return { join: next, cancel: running, done: running.length === 0 };
}

/** The completed parts' results, by key, in decomposition order. */
export function resultsOf(join: Join): Record<string, unknown> {
  const results: Record<string, unknown> = {};
  for (const part of completed(join)) results[part.key] = part.settlement!.result;
  return results;
}

/** The tree of subtask outcomes. */
export function treeOf(join: Join): SubtaskOutcome[] {
  return join.parts.map((part) => {
    const settlement = part.settlement ?? { status: 'cancelled' as const, attempts: 0 };
    return {
      taskId: part.taskId,
      key: part.key,
      type: part.type,
      status: settlement.status,
      ...(settlement.result === undefined ? {} : { result: settlement.result }),
      ...(settlement.error === undefined ? {} : { error: settlement.error }),
      ...(settlement.executedBy === undefined ? {} : { executedBy: settlement.executedBy }),
      ...(settlement.splitBy === undefined ? {} : { splitBy: settlement.splitBy }),
      delegationChain: part.chain,
      ...(settlement.subtasks === undefined ? {} : { subtasks: settlement.subtasks }),
    };
  });
}

/** A part of a split's tree without its result, nor its own parts'. */
export function withoutResults({ result: _result, ...node }: SubtaskOutcome): SubtaskOutcome {
  return node.subtasks === undefined ? node : { ...node, subtasks: node.subtasks.map(withoutResults) };
}

/** The parts that did not complete. */
export function failuresOf(join: Join): SubtaskFailure[] {
  return unsuccessful(join).map((part) => ({
    key: part.key,
    taskId: part.taskId,
    status: part.settlement!.status as SubtaskFailure['status'],
    ...(part.settlement!.error === undefined ? {} : { error: part.settlement!.error }),
  }));
}

function failureOf(join: Join, need: number): TaskError {
  const failed = unsuccessful(join);
  const first = failed[0];
  const reasons = failed.map((part) => `${part.key}: ${part.settlement!.error?.message ?? part.settlement!.status}`).join('; ');
  const message =
    join.policy.kind === 'all' && first !== undefined
      ? `Subtask "${first.key}" of ${join.task.id} ${first.settlement!.status}: ${first.settlement!.error?.message ?? 'no reason given'}`
      : `Only ${completed(join).length} of the ${need} subtasks ${join.task.id} needed can complete (${reasons}).`;
  return { code: 'subtask_failed', message, details: { taskId: join.task.id, failed: failed.map((part) => part.key) } };
}
