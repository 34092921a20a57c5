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
import { cancelled } from './agent.operations.js';
import { NONE, type AgentContext, type PendingStep } from './agent.types.js';
import type { AgentEnvironment, Job, Step } from './environment.js';

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * The signal a decision gets: created only when the decision asks for it (a synchronous
 * strategy never does), and aborted when the agent stops waiting for the answer.
 */
export class DecisionSignal {
  #controller: AbortController | undefined;
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }
  abort(): void {
    this.#controller?.abort(new Error('the agent no longer waits for this decision'));
  }
}

/** A decision in progress: its promise, and how to abort it. */
interface Pending {
  readonly promise: Promise<unknown>;
  readonly control: DecisionSignal;
}

/** The decision plumbing of one organisation's agents. */
export function decisionActors(env: AgentEnvironment) {
  /** Decisions in progress, by key; a restored agent, whose promises are gone, asks again. */
  const inflight = new Map<string, Pending>();

  const attempt = <T>(key: string, run: (control: DecisionSignal) => T | Promise<T>): { value: T } | { pending: true } | { error: unknown } => {
    const control = new DecisionSignal();
    try {
      const value = run(control);
      if (!isPromise(value)) return { value };
      inflight.set(key, { promise: value, control });
      return { pending: true };
    } catch (error) {
      return { error };
    }
  };

  /** The pending decision for `key`, taken out of the map; or a fresh one, asked now. */
  const take = (key: string, ask: (control: DecisionSignal) => unknown): Pending => {
    const pending = inflight.get(key);
    inflight.delete(key);
    if (pending !== undefined) return pending;
    const control = new DecisionSignal();
    return { promise: Promise.resolve().then(() => ask(control)), control };
  };

  const decide = (context: AgentContext, phase: PendingStep['phase']): Step | PendingStep => {
    const job = context.job!;
    if (phase === 'evaluate') {
      // The task's cancellation may have overtaken it on its way here: end it before deciding anything.
      const reason = env.cancellation(job.task);
      if (reason !== undefined) return { kind: 'fail', status: 'cancelled', error: cancelled(context.agentId, reason).error! };
    }
    const key = `${context.agentId}\u0000${job.task.id}\u0000${phase}`;
    const candidates = phase === 'select' && context.step?.kind === 'delegate' ? context.step.candidates : NONE;
    const run = (control: DecisionSignal) =>
      phase === 'evaluate' ? env.evaluate(context.agentId, job, context.load) : env.select(context.agentId, job, candidates, control);
    const result = attempt(key, run);
    if ('value' in result) return result.value;
    if ('pending' in result) return { kind: 'pending', key, phase, candidates };
    return { kind: 'fail', error: taskErrorFromUnknown(result.error, phase === 'evaluate' ? 'policy_error' : 'strategy_error') };
  };

  const consult = fromPromise<Step, { key: string; phase: PendingStep['phase']; agentId: string; job: Job; load: Readonly<Record<string, number>>; candidates: readonly Candidate[] }>(
    async ({ input, signal }) => {
      const { promise, control } = take(input.key, (fresh) =>
        input.phase === 'evaluate' ? env.evaluate(input.agentId, input.job, input.load) : env.select(input.agentId, input.job, input.candidates, fresh),
      );
      // Leaving the state (a cancellation, the organisation stopping) stops the invoke: abort the decision too.
      signal.addEventListener('abort', () => control.abort(), { once: true });
      return (await promise) as Step;
    },
  );

  const approver = fromCallback<EventObject, { key: string; agentId: string; request: ApprovalRequest }>(({ input, sendBack }) => {
    let live = true;
    const { promise, control } = take(input.key, (fresh) => env.decideApproval(input.agentId, input.request, fresh));
    (promise as Promise<ApproverDecision | undefined>).then(
      (decision) => live && sendBack({ type: 'approver.decided', request: input.request, decision }),
      (error: unknown) =>
        live && sendBack({ type: 'approver.decided', request: input.request, decision: undefined, error: taskErrorFromUnknown(error, 'policy_error') }),
    );
    return () => {
      live = false;
      control.abort();
    };
  });

  return { attempt, decide, consult, approver };
}
