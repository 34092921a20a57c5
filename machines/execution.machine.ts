/**
 * One task's execution at one agent: run the executor with a timeout, retry with backoff,
 * and tell the agent how it went. Spawned by the agent per running task and stopped by it
 * when the result arrives (stopping aborts the executor's signal).
 */
import { assign, fromPromise, sendParent, setup } from 'xstate';
import { EchelonError, taskErrorFromUnknown, type TaskError } from '../src/errors.js';
import { ApprovalSignal, EscalationSignal } from '../src/signals.js';
import type { ApprovalRequirement, EscalationReason, ExecutionPolicy, Task } from '../src/types.js';
import type { AgentEnvironment } from './environment.js';
import { delivery } from './delivery.js';

/** What the executor actor receives. */
export interface ExecutorInput {
  readonly task: Task;
  readonly agentId: string;
  readonly attempt: number;
  /** The same for every attempt and every restart of this task at this agent. */
  readonly idempotencyKey: string;
}

export interface ExecutionInput {
  readonly task: Task;
  readonly agentId: string;
  readonly policy: ExecutionPolicy;
}

export interface ExecutionMachineContext extends ExecutionInput {
  readonly attempt: number;
  /** The last attempt's error, while backing off or once failed. */
  readonly error: TaskError | undefined;
  readonly delayMs: number;
  /**
   * When the current attempt times out (while running) or the next one starts (while backing
   * off), on the environment's clock: what a restored execution re-arms its timer from.
   */
  readonly deadline: number | undefined;
}

/**
 * Events an execution accepts from outside. `execution.expire` ends the current wait now (the
 * attempt times out, or the backoff is over): a restore sends it when the stored deadline
 * passed while the process was down, since XState does not restore `after` timers.
 */
export type ExecutionEvent = { readonly type: 'execution.expire' };

/** What an execution tells its agent. */
export type ExecutionReport =
  | { readonly type: 'execution.succeeded'; readonly taskId: string; readonly result: unknown; readonly attempts: number }
  | { readonly type: 'execution.failed'; readonly taskId: string; readonly error: TaskError; readonly attempts: number }
  | { readonly type: 'execution.escalate'; readonly taskId: string; readonly reason: EscalationReason; readonly message: string; readonly attempts: number }
  | { readonly type: 'execution.approval'; readonly taskId: string; readonly requirement: ApprovalRequirement; readonly attempts: number };

/** The longest delay timers accept (about 24.8 days); longer timeouts are capped to it. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/** The key an executor can use to skip a side effect it already made for this task. */
export function idempotencyKey(task: Task, agentId: string): string {
  return `${task.id}@${agentId}`;
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
  return Math.max(0, Math.round(base + spread));
}

/**
 * The execution statechart: `starting` (a task whose time budget already ran out fails here,
 * unstarted) → `running` (the executor, under a timeout) → `succeeded`, or on failure `backoff`
 * → `starting` again while attempts remain, else `failed`. An executor that asks to escalate or
 * to be approved ends in `signalled`.
 *
 * @example
 * ```ts
 * // The agent statechart spawns one per running task; alone (a model test, say), give it a parent:
 * const execution = createExecutionMachine(environment).provide({ actions: { tellAgent: () => undefined } });
 * ```
 */
export function createExecutionMachine(env: AgentEnvironment) {
  const canRetry = (context: ExecutionMachineContext, thrown: unknown) =>
    context.attempt < context.policy.retry.attempts && env.retryable(context.agentId, thrown);
  /** How long this attempt may run: its timeout, or less when the task's budget deadline comes first. */
  const allowance = (context: ExecutionMachineContext) => {
    const deadline = context.task.budget?.deadline;
    const left = deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadline - env.now());
    return Math.min(context.policy.timeoutMs, left, MAX_DELAY_MS);
  };
  const timeout = (context: ExecutionMachineContext) => {
    const deadline = context.task.budget?.deadline;
    if (deadline !== undefined && env.now() >= deadline) {
      return new EchelonError('budget_exceeded', `${context.agentId} ran out of time for "${context.task.type}" (${context.task.id}): its budget ended at ${deadline}.`, {
        details: { taskId: context.task.id, deadline },
      });
    }
    return new EchelonError(
      'executor_timeout',
      `${context.agentId} did not finish "${context.task.type}" (${context.task.id}) within ${Math.min(context.policy.timeoutMs, MAX_DELAY_MS)} ms (attempt ${context.attempt}).`,
    );
  };
  const isSignal = (thrown: unknown): thrown is EscalationSignal | ApprovalSignal =>
    thrown instanceof EscalationSignal || thrown instanceof ApprovalSignal;

  return setup({
    types: {} as { context: ExecutionMachineContext; input: ExecutionInput; events: ExecutionEvent },
    actors: {
      executor: fromPromise<unknown, ExecutorInput>(({ input, signal }) => env.execute(input, signal)),
    },
    guards: {
      retriesAfterTimeout: ({ context }) => canRetry(context, timeout(context)),
      outOfTime: ({ context }) => context.task.budget?.deadline !== undefined && env.now() >= context.task.budget.deadline,
    },
    actions: {
      recordTimeout: assign({ error: ({ context }) => timeout(context).toJSON() }),
      /** The task's time ran out before this attempt began: it is not made (nor counted). */
      abandonAttempt: assign({ error: ({ context }) => timeout(context).toJSON(), attempt: ({ context }) => context.attempt - 1 }),
      nextAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
      /** Reports to the agent that spawned this execution (tests of the chart alone replace it). */
      tellAgent: sendParent((_, report: ExecutionReport) => report, delivery(env)),
    },
    delays: {
      timeout: ({ context }) => allowance(context),
      backoff: ({ context }) => context.delayMs,
    },
  }).createMachine({
    id: 'execution',
    context: ({ input }) => ({ ...input, attempt: 1, error: undefined, delayMs: 0, deadline: undefined }),
    initial: 'starting',
    states: {
      /** Before each attempt: a task whose time budget ran out (queued, or backing off) is not started. */
      starting: {
        always: [{ guard: 'outOfTime', target: 'failed', actions: 'abandonAttempt' }, { target: 'running' }],
      },
      running: {
        entry: [
          assign({ deadline: ({ context }) => env.now() + allowance(context) }),
          ({ context }) => env.report({ type: 'task.started', task: context.task, agent: context.agentId, attempt: context.attempt }),
        ],
        invoke: {
          id: 'executor',
          src: 'executor',
          input: ({ context }) => ({
            task: context.task,
            agentId: context.agentId,
            attempt: context.attempt,
            idempotencyKey: idempotencyKey(context.task, context.agentId),
          }),
          onDone: {
            target: 'succeeded',
            actions: { type: 'tellAgent', params: ({ context, event }) => ({ type: 'execution.succeeded', taskId: context.task.id, result: event.output, attempts: context.attempt }) },
          },
          onError: [
            {
              guard: ({ event }) => isSignal(event.error),
              target: 'signalled',
              actions: {
                type: 'tellAgent',
                params: ({ context, event }): ExecutionReport => {
                  const signal = event.error as EscalationSignal | ApprovalSignal;
                  return signal instanceof EscalationSignal
                    ? { type: 'execution.escalate', taskId: context.task.id, reason: signal.reason, message: signal.message, attempts: context.attempt }
                    : { type: 'execution.approval', taskId: context.task.id, requirement: signal.requirement, attempts: context.attempt };
                },
              },
            },
            {
              guard: ({ context, event }) => canRetry(context, event.error),
              target: 'backoff',
              actions: assign({ error: ({ event }) => taskErrorFromUnknown(event.error, 'executor_error') }),
            },
            { target: 'failed', actions: assign({ error: ({ event }) => taskErrorFromUnknown(event.error, 'executor_error') }) },
          ],
        },
        after: {
          timeout: [
            { guard: 'retriesAfterTimeout', target: 'backoff', actions: 'recordTimeout' },
            { target: 'failed', actions: 'recordTimeout' },
          ],
        },
        on: {
          'execution.expire': [
            { guard: 'retriesAfterTimeout', target: 'backoff', actions: 'recordTimeout' },
            { target: 'failed', actions: 'recordTimeout' },
          ],
        },
      },
      backoff: {
        entry: [
          assign(({ context }) => {
            const delayMs = backoffDelay(context.policy.retry, context.attempt, () => env.random());
            return { delayMs, deadline: env.now() + delayMs };
          }),
          ({ context }) =>
            env.report({
              type: 'task.retrying',
              task: context.task,
              agent: context.agentId,
              attempt: context.attempt + 1,
              delayMs: context.delayMs,
              error: context.error!,
            }),
        ],
        after: { backoff: { target: 'starting', actions: 'nextAttempt' } },
        on: { 'execution.expire': { target: 'starting', actions: 'nextAttempt' } },
      },
      succeeded: {},
      signalled: {},
      failed: {
        entry: {
          type: 'tellAgent',
          params: ({ context }): ExecutionReport => ({ type: 'execution.failed', taskId: context.task.id, error: context.error!, attempts: context.attempt }),
        },
      },
    },
  });
}
