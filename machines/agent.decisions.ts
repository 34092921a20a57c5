/**
 * Decisions that take time: a strategy, policy or approver that returns a promise. The agent
 * remembers the promise by key and waits for it in an actor (`consult` for its own pipeline,
 * `approver` for a request it decides); an agent restored from a snapshot, whose promises are
 * gone, asks again.
 */
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import type { ApproverDecision } from '../src/approval/approvers.js';
import type { Candidate } from '../src/delegation/types.js';
import { taskErrorFromUnknown } from '../src/errors.js';
import type { ApprovalRequest } from '../src/types.js';
import { NONE, type AgentContext, type PendingStep } from './agent.types.js';
import type { AgentEnvironment, Job, Step } from './environment.js';

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/** The decision plumbing of one organisation's agents. */
export function decisionActors(env: AgentEnvironment) {
  /** Promises of decisions in progress, by key; a restored agent recomputes a missing one. */
  const inflight = new Map<string, Promise<unknown>>();

  const attempt = <T>(key: string, run: () => T | Promise<T>): { value: T } | { pending: true } | { error: unknown } => {
    try {
      const value = run();
      if (!isPromise(value)) return { value };
      inflight.set(key, value);
      return { pending: true };
    } catch (error) {
      return { error };
    }
  };

  const decide = (context: AgentContext, phase: PendingStep['phase']): Step | PendingStep => {
    const job = context.job!;
    const key = `${context.agentId}\u0000${job.task.id}\u0000${phase}`;
    const candidates = phase === 'select' && context.step?.kind === 'delegate' ? context.step.candidates : NONE;
    const run = () => (phase === 'evaluate' ? env.evaluate(context.agentId, job, context.load) : env.select(context.agentId, job, candidates));
    const result = attempt(key, run);
    if ('value' in result) return result.value;
    if ('pending' in result) return { kind: 'pending', key, phase, candidates };
    return { kind: 'fail', error: taskErrorFromUnknown(result.error, phase === 'evaluate' ? 'policy_error' : 'strategy_error') };
  };

  const consult = fromPromise<Step, { key: string; phase: PendingStep['phase']; agentId: string; job: Job; load: Readonly<Record<string, number>>; candidates: readonly Candidate[] }>(
    async ({ input }) => {
      const promise = inflight.get(input.key);
      inflight.delete(input.key);
      if (promise !== undefined) return (await promise) as Step;
      return input.phase === 'evaluate' ? env.evaluate(input.agentId, input.job, input.load) : env.select(input.agentId, input.job, input.candidates);
    },
  );

  const approver = fromCallback<EventObject, { key: string; agentId: string; request: ApprovalRequest }>(({ input, sendBack }) => {
    let live = true;
    const promise = (inflight.get(input.key) ?? Promise.resolve().then(() => env.decideApproval(input.agentId, input.request))) as Promise<
      ApproverDecision | undefined
    >;
    inflight.delete(input.key);
    promise.then(
      (decision) => live && sendBack({ type: 'approver.decided', request: input.request, decision }),
      (error: unknown) =>
        live && sendBack({ type: 'approver.decided', request: input.request, decision: undefined, error: taskErrorFromUnknown(error, 'policy_error') }),
    );
    return () => {
      live = false;
    };
  });

  return { attempt, decide, consult, approver };
}
