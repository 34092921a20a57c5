/**
 * The alphabet of the agent model tests, and the state it is read from: abstract moves — "the
 * running attempt of task X succeeds", "a person grants X's approval", "the report holding X
 * escalates it" — made concrete from the context (attempts, tokens, approval and escalation
 * ids), by the model here and by the live system from what its host holds. Besides the manager's
 * context, the model state tracks what lies outside it: which kinds were assigned (each once, in a
 * scenario's order, so the space is finite) and which tasks are with a report.
 */
import { taskErrorFromUnknown, type AgentContext, type AgentEvent, type AgentStateName, type HeldTask, type Task } from '../../src/index.js';
import type { Snapshot } from 'xstate';
import { ANSWERS, BOSS, decisionTimeout, PERSON, requestOf, RESOURCE, topTask, type Kind, type RequestKind } from './agent-script.js';

export interface Away {
  readonly kid: string;
  readonly task: Task;
  readonly escalationId?: string;
}

export interface Outside {
  readonly used: readonly Kind[];
  /** Tasks handed to a report and not back: id → the report, the task as it holds it, and the escalation it raised for it, if any. */
  readonly away: Readonly<Record<string, Away>>;
  /** Approval requests reports made of the manager so far, and those whose decision its policy still owes. */
  readonly asked: readonly RequestKind[];
  readonly owed: readonly RequestKind[];
  /** How many ids the host handed out on the way here: ids follow from the path, as on a fresh live host. */
  readonly ids: number;
}
export type ModelContext = AgentContext & { readonly outside: Outside };
export type ModelSnapshot = Snapshot<unknown> & {
  readonly value: AgentStateName;
  readonly context: ModelContext;
};

/** What executions answer. */
export type ResultKind = 'ok' | 'error' | 'escalate' | 'requeue' | 'approval';
export const RESULTS: readonly ResultKind[] = ['ok', 'error', 'escalate', 'requeue', 'approval'];

/** How a report's execution of a task it was handed ends (it runs once; it escalates to the manager). */
export type ChildResult = 'ok' | 'error' | 'escalate';

/** Which kinds of task (in the order they arrive), and which execution results, a model explores. */
export interface Alphabet {
  readonly kinds: readonly Kind[];
  readonly results: readonly ResultKind[];
  readonly children: readonly ChildResult[];
  /** Approval requests a report makes of the manager (each once, at any point). */
  readonly requests: readonly RequestKind[];
}

/** The moves. */
export type Move =
  | { readonly type: 'assign'; readonly kind: Kind }
  | { readonly type: 'result'; readonly taskId: string; readonly result: ResultKind }
  /** The result of an attempt that was already replaced by a newer one. */
  | { readonly type: 'stale'; readonly taskId: string }
  | { readonly type: 'timer'; readonly taskId: string; readonly what: 'attempt' | 'backoff' | 'approval' }
  | { readonly type: 'answer'; readonly taskId: string }
  /** The awaited decision timed out. */
  | { readonly type: 'late'; readonly taskId: string }
  /** The host lost the awaited decision (the process holding it restarted): it tells the agent to ask again. */
  | { readonly type: 'lost'; readonly taskId: string }
  | { readonly type: 'grant'; readonly taskId: string; readonly by: string }
  | { readonly type: 'deny'; readonly taskId: string }
  | { readonly type: 'resolve'; readonly taskId: string }
  | { readonly type: 'release' }
  | { readonly type: 'cancel'; readonly taskId: string }
  /** A report asks the manager to approve; the manager's policy decides later; the report withdraws its request. */
  | { readonly type: 'asked'; readonly kind: RequestKind }
  | { readonly type: 'approver'; readonly kind: RequestKind }
  | { readonly type: 'withdraw'; readonly kind: RequestKind }
  /** The host lost the decision the manager's policy owes: it asks the manager again. */
  | { readonly type: 'approverLost'; readonly kind: RequestKind }
  /** The report holding the task finishes it. */
  | { readonly type: 'child'; readonly taskId: string; readonly result: ChildResult };

export function executionResult(result: ResultKind, taskId: string) {
  switch (result) {
    case 'ok':
      return { kind: 'ok', value: `${taskId} done` } as const;
    case 'error':
      return { kind: 'error', error: { code: 'executor_error', message: 'boom' }, retryable: true } as const;
    case 'escalate':
      return { kind: 'escalate', reason: 'beyond_capability', message: 'too hard' } as const;
    case 'requeue':
      return { kind: 'escalate', reason: 'resource_conflict', message: 'busy' } as const;
    case 'approval':
      return { kind: 'approval', requirement: {} } as const;
  }
}

/** What a report's attempt answers. */
export function childResult(result: ChildResult, taskId: string) {
  return result === 'error' ? ({ kind: 'error', error: { code: 'executor_error', message: 'boom' }, retryable: false } as const) : executionResult(result === 'ok' ? 'ok' : 'escalate', taskId);
}

/** The moves that make sense now: a new task while fewer than three were given, and an answer to whatever is pending. */
export function movesFor(context: ModelContext, alphabet: Alphabet): Move[] {
  const moves: Move[] = [];
  const { used, away } = context.outside;
  // The kinds arrive in the scenario's order, each once, at any point between the other moves.
  const next = alphabet.kinds[used.length];
  if (next !== undefined) moves.push({ type: 'assign', kind: next });
  let deferred = false;
  for (const [taskId, record] of Object.entries(context.held)) {
    switch (record.phase) {
      case 'running':
        for (const result of alphabet.results) moves.push({ type: 'result', taskId, result });
        if (record.attempt! > 1) moves.push({ type: 'stale', taskId });
        moves.push({ type: 'timer', taskId, what: 'attempt' });
        break;
      case 'backoff':
        moves.push({ type: 'timer', taskId, what: 'backoff' });
        break;
      case 'deciding':
        moves.push({ type: 'answer', taskId }, { type: 'late', taskId }, { type: 'lost', taskId });
        break;
      case 'parked':
        moves.push({ type: 'grant', taskId, by: PERSON }, { type: 'grant', taskId, by: 'kid1' }, { type: 'deny', taskId }, { type: 'timer', taskId, what: 'approval' });
        break;
      case 'escalated':
        moves.push({ type: 'resolve', taskId });
        break;
      case 'deferred':
        deferred = true;
        break;
      default:
        break;
    }
    moves.push({ type: 'cancel', taskId });
  }
  if (deferred) moves.push({ type: 'release' });
  for (const kind of alphabet.requests) if (!context.outside.asked.includes(kind)) moves.push({ type: 'asked', kind });
  for (const kind of context.outside.owed) moves.push({ type: 'approver', kind }, { type: 'withdraw', kind }, { type: 'approverLost', kind });
  for (const [taskId, { escalationId }] of Object.entries(away)) {
    // A report that escalated its task waits for the manager to resolve it: only a cancellation reaches it.
    if (escalationId === undefined) for (const result of alphabet.children) moves.push({ type: 'child', taskId, result });
    moves.push({ type: 'cancel', taskId });
  }
  return moves;
}

/** The event a move is, at the manager in `context` (the model's reading; the live system reads its host). A report's moves are played at the report. */
export function eventOf(move: Exclude<Move, { type: 'child' }>, context: ModelContext): AgentEvent {
  const record = 'taskId' in move ? context.held[move.taskId] : undefined;
  switch (move.type) {
    case 'assign':
      return { type: 'task.assign', task: topTask(move.kind) };
    case 'result':
      return { type: 'echelon.executed', taskId: move.taskId, attempt: record!.attempt!, result: executionResult(move.result, move.taskId) };
    case 'stale':
      return { type: 'echelon.executed', taskId: move.taskId, attempt: record!.attempt! - 1, result: executionResult('ok', move.taskId) };
    case 'timer':
      return { type: 'echelon.timer', taskId: move.taskId, token: record!.attempt!, what: move.what };
    case 'answer':
    case 'late': {
      const { phase, token } = record!.decision!;
      const code = phase === 'evaluate' ? 'policy_error' : 'strategy_error';
      const step = move.type === 'answer' ? ANSWERS[move.taskId]! : { kind: 'fail' as const, error: taskErrorFromUnknown(decisionTimeout(BOSS), code) };
      return { type: 'echelon.decided', taskId: move.taskId, token, phase, step };
    }
    case 'lost':
      return { type: 'echelon.redecide', taskId: move.taskId, token: record!.decision!.token };
    case 'grant':
      return { type: 'approval.granted', approvalId: record!.approval!.request.id, by: move.by };
    case 'deny':
      return { type: 'approval.denied', approvalId: record!.approval!.request.id, by: PERSON, reason: 'no' };
    case 'resolve':
      return resolution(record!);
    case 'release':
      return { type: 'echelon.released', resources: [RESOURCE] };
    case 'asked':
    case 'approverLost':
      return { type: 'approval.requested', approval: requestOf(move.kind) };
    case 'approver':
      return { type: 'echelon.approver', request: requestOf(move.kind), decision: { approve: true } };
    case 'withdraw':
      return { type: 'approval.withdrawn', approvalId: requestOf(move.kind).id };
    case 'cancel':
      return { type: 'task.cancel', taskId: move.taskId, reason: 'the test cancels it' };
  }
}

/** A person resolves the escalation a task waits for. */
export function resolution(record: HeldTask): AgentEvent {
  return { type: 'escalation.resolved', escalationId: record.escalationId!, resolvedBy: PERSON, settlement: { status: 'completed', result: 'decided', attempts: 0 } };
}
