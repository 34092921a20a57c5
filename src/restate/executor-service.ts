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
import { Attempts } from '../runtime/attempts.js';
import type { Task } from '../types.js';
import { abortTimeoutMs, type Organisation } from './organisation.js';
import { accountOf, invocation, within } from './scope.js';
import { callTo, sendAgent, sendTo } from './send.js';

interface Ran {
  readonly result: ExecutionResult;
  readonly charged: ReadonlyArray<{ readonly task: Task; readonly amount: number }>;
}

/** The executor service of one unit. */
export function executorService(org: Organisation, unit: string) {
  const { layout, resolved } = org;
  const attempts = new Attempts({ execute: resolved.execute, retryable: resolved.settings.retryable });
  return service({
    name: layout.executors(unit),
    options: { abortTimeout: abortTimeoutMs(org, unit, 'executors') },
    handlers: {
      attempt: async (ctx: Context, request: ExecutionRequest): Promise<void> => {
        const { task } = request;
        const spent = new Map<string, number>();
        if (task.budget?.cost !== undefined) spent.set(accountOf(task), await callTo<number>(ctx, layout.case, 'spent', task, task.rootId));
        const ran = await ctx.run(`attempt ${request.attempt} ${request.idempotencyKey}`, async (): Promise<Ran> => {
          // Inside the step: the executor's clock is the real one (its result is what the journal keeps).
          const here = invocation(Date.now(), { random: Math.random, uuidv4: randomUUID }, { spent });
          const result = await within(here, () => new Promise<ExecutionResult>((resolve) => attempts.run(request.agentId, request, resolve)));
          return { result, charged: [...here.charged.values()].map(({ task: charged, amount }) => ({ task: charged, amount })) };
        });
        for (const { task: charged, amount } of ran.charged) if (amount > 0) sendTo(ctx, layout.case, 'cost', { task: charged, amount }, charged.rootId);
        sendAgent(ctx, layout, request.agentId, { type: 'echelon.executed', taskId: task.id, attempt: request.attempt, result: ran.result });
      },
    },
  });
}
