/**
 * The orchestrator's lifecycle events — one discriminated union — and the bus that delivers
 * them to `org.on(type, listener)` subscribers.
 */
import { EchelonError, type TaskError } from '../errors.js';
import { closest, readingCaller } from '../shape/index.js';
import { show, thrownMessage } from '../show.js';
import type { Forgotten } from '../store/types.js';
import type { Approval, Escalation, Outcome, Settlement, Task } from '../types.js';
import { callListener } from '../thenable.js';
import { handedOut } from '../sealed-task.js';
import { sealedError, sealedSettlement } from '../sealed-settlement.js';

/** Every lifecycle event, by `type`. `at` is the orchestrator clock's time. */
export type OrchestratorEvent =
  | { readonly type: 'task.submitted'; readonly task: Task; readonly at: number }
  | { readonly type: 'task.delegated'; readonly task: Task; readonly from: string; readonly to: string; readonly at: number }
  | { readonly type: 'task.queued'; readonly task: Task; readonly agent: string; readonly at: number }
  | { readonly type: 'task.started'; readonly task: Task; readonly agent: string; readonly attempt: number; readonly at: number }
  | { readonly type: 'task.retrying'; readonly task: Task; readonly agent: string; readonly attempt: number; readonly delayMs: number; readonly error: TaskError; readonly at: number }
  | { readonly type: 'task.deferred'; readonly task: Task; readonly agent: string; readonly resources: readonly string[]; readonly at: number }
  /**
   * A task ended at `agent`, the one that held it: its executor ran (completed or failed there), or
   * it was rejected or cancelled there. Its result now goes back up; the submitted task's own end is
   * `task.completed` / `task.failed`. A subtask's end at its executor shows here (a split task's join
   * does not: it ends with its submitted task or its parent).
   */
  | { readonly type: 'task.ended'; readonly task: Task; readonly agent: string; readonly settlement: Settlement; readonly at: number }
  /** A task was split into subtasks by `agent`. */
  | { readonly type: 'task.decomposed'; readonly task: Task; readonly agent: string; readonly subtasks: readonly Task[]; readonly at: number }
  /** A submitted task completed. */
  | { readonly type: 'task.completed'; readonly outcome: Outcome; readonly at: number }
  /** A submitted task ended failed, rejected or cancelled (see `outcome.status`). */
  | { readonly type: 'task.failed'; readonly outcome: Outcome; readonly at: number }
  | { readonly type: 'escalation.raised'; readonly escalation: Escalation; readonly at: number }
  | { readonly type: 'escalation.resolved'; readonly escalation: Escalation; readonly at: number }
  | { readonly type: 'approval.requested'; readonly approval: Approval; readonly at: number }
  | { readonly type: 'approval.decided'; readonly approval: Approval; readonly at: number }
  /** A decision on an approval was refused (no authority, self-approval, unknown approval …). */
  | { readonly type: 'approval.refused'; readonly approvalId: string; readonly by: string; readonly error: TaskError; readonly at: number }
  /** An agent's statechart settled in a new state. */
  | { readonly type: 'agent.state'; readonly agent: string; readonly state: string; readonly at: number }
  /** Something went wrong inside an agent (a strategy, policy or approver that threw …). */
  | { readonly type: 'agent.fault'; readonly agent: string; readonly error: TaskError; readonly taskId?: string; readonly at: number }
  /**
   * `org.forget` removed finished submitted tasks (one event per store transaction, none when it
   * removed nothing): every one that settled before `settledBefore` — or, when `forgotten.tasks`
   * reached `limit` (the call's, or a slice's 10,000 for a call without one), the `limit` that settled first (by `settledAt`, then id). Their
   * ids are not listed (a slice holds up to 10,000): a reader that keeps tasks drops those it holds
   * that settled before the time, asking the organisation about each only when the limit was reached.
   */
  | { readonly type: 'tasks.forgotten'; readonly settledBefore: number; readonly limit?: number; readonly forgotten: Forgotten; readonly at: number };

export type OrchestratorEventType = OrchestratorEvent['type'];

/** The event of a given type. */
export type EventOfType<T extends OrchestratorEventType> = Extract<OrchestratorEvent, { type: T }>;

export type Listener<T extends OrchestratorEventType | '*'> = (event: T extends OrchestratorEventType ? EventOfType<T> : OrchestratorEvent) => void;

/** Delivers events to listeners; a listener that throws is reported, never breaks the runtime. */
export class EventBus {
  readonly #listeners = new Map<string, Set<(event: OrchestratorEvent) => void>>();
  readonly #onListenerError: (error: unknown, event: OrchestratorEvent) => void;
  /** What to start once someone first listens to a type (events that cost something to watch for). */
  readonly #whenWanted = new Map<OrchestratorEventType, () => void>();

  constructor(onListenerError: (error: unknown, event: OrchestratorEvent) => void) {
    this.#onListenerError = onListenerError;
  }

  on<T extends OrchestratorEventType | '*'>(type: T, listener: Listener<T>): () => void {
    const set = this.#listeners.get(type) ?? new Set();
    const wrapped = listener as (event: OrchestratorEvent) => void;
    set.add(wrapped);
    this.#listeners.set(type, set);
    for (const [wanted, start] of this.#whenWanted) {
      if (type !== wanted && type !== '*') continue;
      this.#whenWanted.delete(wanted);
      start();
    }
    return () => {
      set.delete(wrapped);
    };
  }

  /** Calls `start` once, when someone first listens to `type` (at once if someone already does). */
  whenWanted(type: OrchestratorEventType, start: () => void): void {
    if (this.wants(type)) start();
    else this.#whenWanted.set(type, start);
  }

  /** True when someone listens to `type` (build the event only then). */
  wants(type: OrchestratorEventType): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0 || (this.#listeners.get('*')?.size ?? 0) > 0;
  }

  /**
   * Delivers to those listening when the event starts: one subscribed while it is delivered gets the
   * next events, and one unsubscribed meanwhile (by an earlier listener) does not get this one.
   */
  emit(built: OrchestratorEvent): void {
    const event = handedEvent(built);
    const typed = this.#listeners.get(event.type);
    const all = this.#listeners.get('*');
    const typedNow = typed === undefined ? [] : [...typed];
    const allNow = all === undefined ? [] : [...all];
    if (typed !== undefined) this.#deliver(event, typedNow, typed);
    if (all !== undefined) this.#deliver(event, allNow, all);
  }

  #deliver(event: OrchestratorEvent, listeners: ReadonlyArray<(event: OrchestratorEvent) => void>, still: ReadonlySet<(event: OrchestratorEvent) => void>): void {
    for (const listener of listeners) {
      if (still.has(listener)) callListener(listener, event, (error) => this.#onListenerError(error, event));
    }
  }
}

/** Every event type, once: `satisfies` keeps it in step with the union. */
const EVENT_TYPES = {
  'task.submitted': true, 'task.delegated': true, 'task.queued': true, 'task.started': true, 'task.retrying': true, 'task.deferred': true,
  'task.ended': true, 'task.decomposed': true, 'task.completed': true, 'task.failed': true, 'escalation.raised': true, 'escalation.resolved': true,
  'approval.requested': true, 'approval.decided': true, 'approval.refused': true, 'agent.state': true, 'agent.fault': true, 'tasks.forgotten': true,
} as const satisfies Record<OrchestratorEventType, true>;

/** Refuses (`invalid_option`, with the nearest type) what is no event type; `'*'` too, unless `all` lets it mean every type. */
export function checkEventType(where: string, type: unknown, all: boolean): void {
  if ((all && type === '*') || (typeof type === 'string' && Object.hasOwn(EVENT_TYPES, type))) return;
  const near = typeof type === 'string' ? closest(type, Object.keys(EVENT_TYPES)) : undefined;
  throw new EchelonError('invalid_option', `${where}: ${show(type)} is no event type${near === undefined ? '' : ` — did you mean "${near}"?`} (the types are ${Object.keys(EVENT_TYPES).join(', ')}${all ? ", or '*' for all" : ''}).`);
}

/**
 * Refuses, with `invalid_option`, a subscription the bus would take and never serve: a type that
 * is no event (a typo such as `task.complete` would never fire), a listener that is not a
 * function (it would throw at every event), a signal that is not an `AbortSignal`.
 */
export function checkSubscription(where: string, subscription: { readonly type?: unknown; readonly listener?: unknown; readonly signal?: unknown; readonly needsListener: boolean }): void {
  const { type, listener, signal } = subscription;
  if (type !== undefined) checkEventType(where, type, true);
  if (subscription.needsListener && typeof listener !== 'function') throw new EchelonError('invalid_option', `${where}: the listener must be a function, got ${listener === null ? 'null' : typeof listener}.`);
  // Read as the event stream reads it (aborted, an abort listener added and removed): a polyfilled or another realm's signal serves as well.
  const like = signal as Partial<AbortSignal> | null | undefined;
  // A signal-like object whose getters throw is refused as one that is none.
  const usable = readingCaller(where, 'invalid_option', 'its signal', () => signal instanceof AbortSignal || (typeof like?.aborted === 'boolean' && typeof like.addEventListener === 'function' && typeof like.removeEventListener === 'function'));
  if (signal !== undefined && !usable) throw new EchelonError('invalid_option', `${where}: signal must be an AbortSignal.`);
}

/**
 * The event as listeners are handed it: one frozen object for all of them, with a copy of the task it
 * carries (`handedOut`) and its settlement or error frozen — none is theirs to change, and the task is the agent's own record. Every
 * event is built afresh for its delivery (a literal, which V8 freezes cheaply), so it is changed in place.
 */
function handedEvent(event: OrchestratorEvent): OrchestratorEvent {
  const built = event as { task?: Task; subtasks?: readonly Task[]; settlement?: Settlement; error?: TaskError };
  if (built.task !== undefined) built.task = handedOut(built.task);
  if (built.subtasks !== undefined) built.subtasks = Object.freeze(built.subtasks.map(handedOut));
  // The settlement travels on up (a listener setting its status failed a task that completed), the error with the task.
  if (built.settlement !== undefined) sealedSettlement(built.settlement);
  sealedError(built.error);
  return Object.freeze(event);
}

/**
 * Who follows each signal, behind one abort listener of echelon's per signal: twenty `org.events()` /
 * `org.stream()` readers on one app-wide signal, or twenty live views ending with one organisation's
 * `org.signal`, are no leak, but twenty listeners on it would have Node warn of one
 * (`MaxListenersExceededWarning` past ten).
 */
const following = new WeakMap<AbortSignal, { readonly ends: Set<() => void>; readonly listener: () => void }>();

/** Stops calling `end` when `signal` aborts; the last reader to go takes echelon's listener off it (a signal-like object that throws there keeps it: it only ends what has ended). */
export function unfollow(signal: AbortSignal | undefined, end: () => void): void {
  const followers = signal === undefined ? undefined : following.get(signal);
  if (followers === undefined || !followers.ends.delete(end) || followers.ends.size > 0) return;
  following.delete(signal!);
  try {
    signal!.removeEventListener('abort', followers.listener);
  } catch {
    // Refused when it was given (whenAborted), or it turned hostile later.
  }
}

/**
 * Calls `end` once `signal` aborts (at once if it has), through the one listener echelon keeps on it;
 * `unfollow(signal, end)` stops that. What a signal-like object throws is thrown.
 */
export function follow(signal: AbortSignal, end: () => void): void {
  if (signal.aborted) return end();
  const followers = following.get(signal);
  if (followers !== undefined) {
    followers.ends.add(end);
    return;
  }
  const ends = new Set([end]);
  const listener = () => {
    // Each as if it were a listener of its own: one that throws does not keep the others from ending,
    // and one unfollowed meanwhile (by an earlier one) is not called, as a listener removed then is not.
    for (const ended of [...ends]) {
      if (!ends.has(ended)) continue;
      try {
        ended();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
    following.delete(signal);
  };
  signal.addEventListener('abort', listener, { once: true });
  following.set(signal, { ends, listener });
}

/**
 * Calls `end` when `signal` aborts (at once if it has). A signal-like object that throws there is
 * refused, once `undo` has let go of what the caller set up for it: nothing stays subscribed.
 */
export function whenAborted(where: string, signal: AbortSignal | undefined, end: () => void, undo: () => void): void {
  if (signal === undefined) return;
  try {
    follow(signal, end);
  } catch (error) {
    undo();
    throw new EchelonError('invalid_option', `${where}: signal must be an AbortSignal; reading it threw: ${thrownMessage(error)}.`, { cause: error });
  }
}
