/**
 * Timers after a restore. XState brings back every execution and approval actor in the state
 * it was in, but not their `after` timers; each of them stored its deadline (an attempt's
 * timeout, a backoff's end, an approver's expiry), so each gets a timer again for the time
 * left — or, when the deadline passed while the process was down, its `*.expire` event at once.
 */
import type { AnyActorRef } from 'xstate';
import type { ExecutionMachineContext } from '../../machines/execution.machine.js';
import type { ApprovalContext } from '../../machines/approval.machine.js';

/** The clock the organisation's timers run on. */
export interface TimerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** What a helper actor waits for now: when, and a key that changes whenever the wait does. */
type Wait = { readonly at: number; readonly key: string } | undefined;

interface HelperSnapshot {
  readonly value: unknown;
  readonly status: string;
  readonly context: unknown;
}

const executionWait = (snapshot: HelperSnapshot): Wait => {
  const context = snapshot.context as ExecutionMachineContext;
  if ((snapshot.value !== 'running' && snapshot.value !== 'backoff') || context.deadline === undefined) return undefined;
  return { at: context.deadline, key: `${String(snapshot.value)}#${context.attempt}@${context.deadline}` };
};

const approvalWait = (snapshot: HelperSnapshot): Wait => {
  const { request } = snapshot.context as ApprovalContext;
  const value = snapshot.value as { pending?: string } | string;
  if (typeof value !== 'object' || value.pending !== 'timed' || request.expiresAt === undefined) return undefined;
  return { at: request.expiresAt, key: `${request.approver}@${request.expiresAt}` };
};

/**
 * Re-arms the timers of every execution and approval the agents hold. Returns a function that
 * cancels the timers still pending (when the organisation stops).
 *
 * @example
 * ```ts
 * const cancel = rearmTimers(agents, clock, () => clock.now());
 * ```
 */
export function rearmTimers(agents: Iterable<AnyActorRef>, clock: TimerClock, now: () => number): () => void {
  const pending = new Set<() => void>();

  const arm = (ref: AnyActorRef, waitOf: (snapshot: HelperSnapshot) => Wait, event: { type: string }) => {
    const wait = waitOf(ref.getSnapshot() as HelperSnapshot);
    if (wait === undefined) return;
    const left = wait.at - now();
    if (left <= 0) {
      ref.send(event);
      return;
    }
    // The actor may leave this wait by itself (its executor answers, a person decides): the timer goes with it.
    const stillWaiting = (snapshot: HelperSnapshot) => snapshot.status === 'active' && waitOf(snapshot)?.key === wait.key;
    let subscription: { unsubscribe(): void } | undefined;
    const cancel = () => {
      clock.clearTimeout(handle);
      subscription?.unsubscribe();
      pending.delete(cancel);
    };
    const handle = clock.setTimeout(() => {
      cancel();
      if (stillWaiting(ref.getSnapshot() as HelperSnapshot)) ref.send(event);
    }, left);
    pending.add(cancel);
    subscription = ref.subscribe({
      next: (snapshot) => {
        if (!stillWaiting(snapshot as HelperSnapshot)) cancel();
      },
      error: cancel,
      complete: cancel,
    });
  };

  for (const agent of agents) {
    const children = (agent.getSnapshot() as { children: Record<string, AnyActorRef> }).children;
    for (const id in children) {
      if (id.startsWith('exec:')) arm(children[id]!, executionWait, { type: 'execution.expire' });
      else if (id.startsWith('approval:')) arm(children[id]!, approvalWait, { type: 'approval.expire' });
    }
  }
  return () => {
    for (const cancel of [...pending]) cancel();
  };
}
