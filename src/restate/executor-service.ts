/**
 * A unit's executors on Restate: a service (many attempts at once, unlike the agent's object)
 * served by the process that hosts the unit. Each attempt is one journaled step (`ctx.run`) with
 * the same idempotency key as in-process: once it finished, a retry of the invocation uses its
 * recorded result and never runs the executor again; an attempt interrupted by a crash runs again.
 * Its result goes back to the agent as `echelon.executed`, what it charged to its task's books.
 */
import './polyfill.js';
import { randomUUID } from 'node:crypto';
import { service, type Context } from '@restatedev/restate-sdk';
import type { ExecutionResult } from '../../machines/agent.types.js';
import type { ExecutionRequest } from '../../machines/ports.js';
import { EchelonError } from '../errors.js';
import { Attempts } from '../runtime/attempts.js';
import { abortTimeoutMs, type Organisation } from './organisation.js';
import { accountOf, invocation, settleCharges, within, type Charge } from './scope.js';
import { callTo, fileCharges, INTERNAL, sendAgent } from './send.js';
import { agentKey } from '../show.js';
import { MESSAGE_LIMIT_BYTES, mib, oversized, sized } from './message-size.js';
import type { Task } from '../types.js';

/**
 * A result too large for Restate fails its attempt (another attempt would return as much): it
 * travels up with its task, so the two together are held to the limit.
 */
function withinLimit(result: ExecutionResult, agentId: string, task: Task): ExecutionResult {
  const bytes = result.kind === 'ok' ? oversized({ task, result: result.value }) : undefined;
  if (bytes === undefined) return result;
  const message = `${agentId}'s executor returned a result that is, with its task ${task.id}, ${sized(bytes)} of JSON; on Restate a task and its result together are at most ${mib(MESSAGE_LIMIT_BYTES)}: keep large data elsewhere and return a reference to it.`;
  return { kind: 'error', error: { code: 'executor_error', message, details: { bytes, limit: MESSAGE_LIMIT_BYTES } }, retryable: false };
}

interface Ran {
  readonly result: ExecutionResult;
  readonly charged: readonly Charge[];
}

/** The executor service of one unit. */
export function executorService(org: Organisation, unit: string) {
  const { layout, resolved } = org;
  const attempts = new Attempts({ execute: resolved.execute, retryable: resolved.settings.retryable });
  /** Attempts running in this process, by agent and task: an abort ends the step with a cancellation. */
  const running = new Map<string, { readonly attempt: number; readonly finish: (result: ExecutionResult) => void }>();
  const cancelled = (reason: EchelonError): ExecutionResult => ({ kind: 'error', error: reason.toJSON(), retryable: false });
  return service({
    name: layout.executors(unit),
    options: { abortTimeout: abortTimeoutMs(org, unit, 'executors'), ...INTERNAL },
    handlers: {
      attempt: async (ctx: Context, request: ExecutionRequest): Promise<void> => {
        const { task } = request;
        const spent = new Map<string, number>();
        if (task.budget?.cost !== undefined) spent.set(accountOf(task), await callTo<number>(ctx, layout.case, 'spent', task, task.rootId));
        const ran = await ctx.run(`attempt ${request.attempt} ${request.idempotencyKey}`, async (): Promise<Ran> => {
          // Inside the step: the executor's clock is the real one (its result is what the journal keeps).
          const here = invocation(Date.now(), { random: Math.random, uuidv4: randomUUID }, { spent });
          const key = agentKey(request.agentId, task.id);
          const result = await within(
            here,
            () =>
              new Promise<ExecutionResult>((resolve) => {
                // A newer attempt that reached this process before the older one's abort: the older one's step ends, cancelled (it would wait for ever).
                running.get(key)?.finish(cancelled(new EchelonError('cancelled', `${request.agentId} started a newer attempt of this task.`)));
                running.set(key, { attempt: request.attempt, finish: resolve });
                attempts.run(request.agentId, request, resolve);
              }),
          );
          if (running.get(key)?.attempt === request.attempt) running.delete(key);
          return { result: withinLimit(result, request.agentId, task), charged: settleCharges(here) };
        });
        fileCharges(ctx, layout, ran.charged);
        sendAgent(ctx, layout, request.agentId, { type: 'echelon.executed', taskId: task.id, attempt: request.attempt, result: ran.result });
      },
      /**
       * Aborts a running attempt through its signal (its late result is ignored by the agent, as in-process). Restate
       * does not order this call after the attempt it names: one that comes after a newer attempt started is dropped.
       */
      abort: async (_ctx: Context, { agentId, taskId, attempt }: { agentId: string; taskId: string; attempt?: number }): Promise<void> => {
        const key = agentKey(agentId, taskId);
        const entry = running.get(key);
        // `attempt` is absent from an abort sent by an older version: it stops whatever runs, as it did.
        if (entry !== undefined && attempt !== undefined && entry.attempt !== attempt) return;
        running.delete(key);
        const reason = new EchelonError('cancelled', `${agentId} stopped this attempt.`);
        attempts.abort(agentId, taskId, reason);
        entry?.finish(cancelled(reason));
      },
    },
  });
}
