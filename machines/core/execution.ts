/**
 * Executions as part of a task's life at its agent — no actor per task. An accepted task runs
 * when a slot is free (else it queues); each attempt is an `execute` effect whose result comes
 * back as `echelon.executed` tagged with the attempt, under a timeout that is the agent's own
 * timer; a failed attempt backs off (exponential, capped, with jitter) and runs again while
 * attempts remain, then escalates. A task whose time budget ran out is not started.
 */
import { EchelonError, taskErrorFromUnknown, type TaskError } from '../../src/errors.js';
import type { AgentInternalEvent, HeldTask } from '../agent.types.js';
import type { Step } from '../ports.js';
import { park } from './approval.js';
import { end } from './delivery.js';
import { escalate } from './escalation.js';
import { claim, move, release, report, type Turn } from './turn.js';
import { enlist } from './tables.js';
import type { ExecutionPolicy, Task } from '../../src/types.js';

/** The longest delay timers accept (about 24.8 days); longer timeouts are capped to it. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * The key an executor can use to skip a side effect it already made for this task: `<taskId>@<agentId>`.
 * An agent id with an `@` or a `%` in it is written URI-encoded (it then has no `@`, and a `%`
 * no id written as it is has), so the last `@` always divides the two and no two tasks share a key:
 * task `x@y` at agent `z` is `x@y@z`, task `x` at agent `y@z` is `x@y%40z`. Every other key is as it
 * was, so a task in flight across an upgrade keeps its key.
 */
export function idempotencyKey(task: Task, agentId: string): string {
  return `${task.id}@${/[@%]/.test(agentId) ? encodeURIComponent(agentId) : agentId}`;
}

/**
 * The delay before attempt `attempt + 1`: exponential, capped, spread by jitter.
 *
 * @example
 * ```ts
 * backoffDelay({ attempts: 5, initialDelayMs: 100, factor: 2, maxDelayMs: 1_000, jitter: 0 }, 3, Math.random); // 400
 * ```
 */
export function backoffDelay(policy: ExecutionPolicy['retry'], attempt: number, random: () => number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  const spread = base * policy.jitter * (random() * 2 - 1);
  // Capped after the jitter too: at the cap it only spreads downwards (the policy says no delay exceeds maxDelayMs).
  return Math.min(policy.maxDelayMs, Math.max(0, Math.round(base + spread)));
}

/**
 * The delay before attempt `attempt + 1` after `error`: the backoff, or longer when the error says
 * how long to wait (`details.retryAfterMs`, as a rate limit's `retry-after` does), but never
 * longer than the policy's `maxDelayMs`.
 */
function retryDelay(policy: ExecutionPolicy['retry'], attempt: number, error: TaskError, random: () => number): number {
  const backoff = backoffDelay(policy, attempt, random);
  const asked = error.details?.retryAfterMs;
  return typeof asked === 'number' && asked > backoff ? Math.max(backoff, Math.min(asked, policy.maxDelayMs)) : backoff;
}

const runKey = (taskId: string) => `run:${taskId}`;

/** Takes a task for execution: now if a slot is free, else at the back of the queue. */
export function accept(t: Turn, record: HeldTask): void {
  claim(t, record.task);
  record.attempt = 0;
  if (t.ctx.running < t.ports.settings.concurrency(t.me)) {
    start(t, record);
    return;
  }
  move(t, record, record.phase === 'parked' ? 'approve' : 'queue');
  enlist(t.ctx, 'queue', record.task.id);
  report(t, { type: 'task.queued', task: record.task, agent: t.me });
}

/** Starts the first attempt of a task taken for execution. */
function start(t: Turn, record: HeldTask): void {
  try {
    record.policy = t.ports.settings.executionPolicy(t.me, record.task);
  } catch (error) {
    // A policy that cannot be built (bad overrides) fails the task here, never the agent.
    end(t, record, { status: 'failed', error: taskErrorFromUnknown(error, 'invalid_option'), attempts: 0 });
    return;
  }
  attempt(t, record, 'start');
}

/**
 * Runs the next attempt, unless the task's time budget ran out (it is then not made, nor counted):
 * the clock reads past its end, or the backoff that just ended was cut at it — a clock stepped back
 * still reads the time before the step, and the budget would have run on for as long.
 */
function attempt(t: Turn, record: HeldTask, how: 'start' | 'retry'): void {
  const { task } = record;
  const now = t.ports.host.now();
  const deadline = task.budget?.deadline;
  if (deadline !== undefined && (now >= deadline || (how === 'retry' && record.deadline === deadline))) {
    const made = record.attempt ?? 0;
    end(t, record, { status: 'failed', error: outOfTime(t.me, task, deadline).toJSON(), ...(made > 0 ? { executedBy: t.me } : {}), attempts: made });
    return;
  }
  move(t, record, how);
  const number = (record.attempt ?? 0) + 1;
  record.attempt = number;
  const allowance = Math.min(record.policy!.timeoutMs, deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now, MAX_DELAY_MS);
  record.deadline = cutAt(deadline, now, allowance);
  record.error = undefined;
  t.effects.push(
    { type: 'execute', request: { task, agentId: t.me, attempt: number, idempotencyKey: idempotencyKey(task, t.me) } },
    { type: 'arm', key: runKey(task.id), delayMs: allowance, event: { type: 'echelon.timer', taskId: task.id, token: number, what: 'attempt' } },
  );
  report(t, { type: 'task.started', task, agent: t.me, attempt: number });
}

/** Starts queued tasks while slots are free. */
export function startQueued(t: Turn): void {
  const { ctx } = t;
  const limit = t.ports.settings.concurrency(t.me);
  while (ctx.running < limit && ctx.queue.length > 0) {
    const record = ctx.held[ctx.queue.shift()!];
    if (record?.phase === 'queued') start(t, record);
  }
}

/** An attempt's result came back. */
export function executed(t: Turn, event: Extract<AgentInternalEvent, { type: 'echelon.executed' }>): void {
  const record = t.ctx.held[event.taskId];
  if (record === undefined || record.phase !== 'running' || record.attempt !== event.attempt) return; // stopped (cancelled, timed out) before it answered
  t.effects.push({ type: 'disarm', key: runKey(event.taskId) });
  const { result } = event;
  switch (result.kind) {
    case 'ok':
      end(t, record, { status: 'completed', result: result.value, executedBy: t.me, attempts: event.attempt });
      break;
    case 'error':
      failed(t, record, result.error, result.retryable);
      break;
    case 'escalate':
      after(t, record, t.ports.policy.escalateAfter(t.me, record.task, result.reason, result.message), undefined);
      break;
    case 'approval':
      park(t, record, result.requirement);
      break;
  }
  startQueued(t);
}

/** A timer of a running task fired: the attempt timed out, or the backoff is over. */
export function timedOut(t: Turn, event: Extract<AgentInternalEvent, { type: 'echelon.timer' }>): void {
  const record = t.ctx.held[event.taskId];
  if (record === undefined || record.attempt !== event.token) return;
  if (event.what === 'backoff' && record.phase === 'backoff') {
    attempt(t, record, 'retry');
  } else if (event.what === 'attempt' && record.phase === 'running') {
    t.effects.push({ type: 'abort', taskId: event.taskId, attempt: record.attempt });
    const deadline = record.task.budget?.deadline;
    // An attempt cut at the budget's end ran out of time, whatever the clock reads (see attempt).
    const error =
      deadline !== undefined && (t.ports.host.now() >= deadline || record.deadline === deadline)
        ? outOfTime(t.me, record.task, deadline)
        : new EchelonError('executor_timeout', `${t.me} did not finish "${record.task.type}" (${record.task.id}) within ${Math.min(record.policy!.timeoutMs, MAX_DELAY_MS)} ms (attempt ${record.attempt}).`);
    failed(t, record, error.toJSON(), t.ports.settings.retryable(t.me, error));
    startQueued(t);
  }
}

/** An attempt failed: back off and try again while attempts remain, else escalate. */
function failed(t: Turn, record: HeldTask, error: TaskError, retryable: boolean): void {
  const { policy } = record;
  const number = record.attempt!;
  if (retryable && number < policy!.retry.attempts) {
    const now = t.ports.host.now();
    // Never past the time budget: a retry that would be due after it is not made (the task fails
    // with budget_exceeded when the budget ends, not when the backoff would have).
    const deadline = record.task.budget?.deadline;
    const delayMs = Math.max(0, Math.min(retryDelay(policy!.retry, number, error, () => t.ports.host.random()), deadline === undefined ? Number.POSITIVE_INFINITY : deadline - now));
    move(t, record, 'wait');
    record.deadline = cutAt(deadline, now, delayMs);
    record.error = error;
    t.effects.push({ type: 'arm', key: runKey(record.task.id), delayMs, event: { type: 'echelon.timer', taskId: record.task.id, token: number, what: 'backoff' } });
    report(t, { type: 'task.retrying', task: record.task, agent: t.me, attempt: number + 1, delayMs, error });
    return;
  }
  after(t, record, t.ports.policy.escalateAfter(t.me, record.task, 'execution_failed', error.message, error, retryable), error);
}

/** After an execution failed for good (or asked to escalate): escalate, park for approval, run again, or end it here. */
function after(t: Turn, record: HeldTask, step: Step, error: TaskError | undefined): void {
  const attempts = record.attempt ?? 0;
  release(t, record.task);
  switch (step.kind) {
    case 'escalate':
      escalate(t, record, step);
      return;
    case 'execute':
      if (step.approval !== undefined) park(t, record, step.approval);
      else {
        // Run again from the queue, holding its resources again (released above with the attempt).
        claim(t, record.task);
        move(t, record, 'queue');
        record.attempt = 0;
        enlist(t.ctx, 'queue', record.task.id);
      }
      return;
    default:
      end(t, record, {
        status: step.kind === 'fail' ? (step.status ?? 'failed') : 'failed',
        error: step.kind === 'fail' ? step.error : (error ?? { code: 'executor_error', message: `${t.me} could not go on with task ${record.task.id}.` }),
        ...(attempts > 0 ? { executedBy: t.me } : {}),
        attempts,
      });
  }
}

/** The one form of a time budget's end, wherever it is noticed: before an attempt, or when one is cut short at it. */
/** When a wait of `delayMs` from `now` ends: the budget's `deadline` itself when the wait was cut at it, so that its timer says so. */
function cutAt(deadline: number | undefined, now: number, delayMs: number): number {
  return deadline !== undefined && delayMs === deadline - now ? deadline : now + delayMs;
}

function outOfTime(agentId: string, task: Task, deadline: number): EchelonError {
  return new EchelonError('budget_exceeded', `${agentId} ran out of time for "${task.type}" (${task.id}): its budget ended at ${deadline}.`, {
    details: { taskId: task.id, deadline },
  });
}
