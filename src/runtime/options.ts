/**
 * What `createOrchestrator` accepts, the defaults it fills in, and the checks that turn bad
 * configuration into clear errors before anything starts.
 */
import type { InspectionEvent, Observer } from 'xstate';
import { EchelonError } from '../errors.js';
import { ROLES } from '../hierarchy/types.js';
import { show } from '../show.js';
import { checkShape, fields, readingCaller, shapeContext } from '../shape/index.js';
import type { ApproverPolicy } from '../approval/approvers.js';
import type { DecomposerSetting } from '../delegation/decomposers.js';
import type { DelegationStrategy } from '../delegation/types.js';
import type { EscalationPolicy } from '../escalation/types.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Escalation, EscalationResolution, ExecutionPolicyInput } from '../types.js';
import type { ApprovalRule } from './decisions/index.js';
import type { Executor } from './executors.js';
import { agentNames, APPROVAL_OPTION_FIELDS, DECISION_OPTION_FIELDS, DEFAULT_LIMITS, EXECUTION_OPTION_FIELDS, LIMIT_OPTION_FIELDS, ORGANISATION_OPTION_FIELDS, type Setting } from '../settings/index.js';
import type { Store } from '../store/types.js';

/** An executor for any payload (typed executors are accepted as they are). */
export type AnyExecutor = Executor<never, unknown>;

/** Timeout and retries for executors, and which failures are worth retrying. */
export type ExecutionOptions = ExecutionPolicyInput & {
  /** Whether a failed attempt may be retried (default: every failure but a cancellation). */
  readonly retryable?: (error: unknown) => boolean;
};

/**
 * A clock for timers (timeouts, backoff, approval expiry); XState's `SimulatedClock` fits. It must
 * take any delay: Node's own `setTimeout` fires one over 2^31 − 1 ms after 1 ms (the default clock,
 * the process's, waits such a delay in steps).
 */
export interface OrchestratorClock {
  setTimeout(fn: () => void, timeout: number): unknown;
  clearTimeout(id: unknown): void;
  /** The current time in ms; `Date.now()` when absent. */
  now?(): number;
}

/** Options of {@link createOrchestrator}. */
export interface OrchestratorOptions {
  readonly hierarchy: Hierarchy;
  /** Who does the work: one executor for all, or per agent id / role / default. Every agent with capabilities needs one. */
  readonly executors: Setting<AnyExecutor>;
  /** How managers pick a child (default: `capabilityMatching()`). */
  readonly strategy?: Setting<DelegationStrategy>;
  /** Who splits which tasks into subtasks (none by default). */
  readonly decomposers?: DecomposerSetting;
  /** When and where agents escalate (default: `defaultEscalationPolicy()`). */
  readonly escalation?: EscalationPolicy;
  /**
   * Called with each escalation that reaches the top without anyone to resolve it. Return a
   * resolution, or nothing and resolve it later with `org.escalations.resolve`. Without this
   * option such escalations fail their task. On Restate its answer is awaited at most
   * `decisions.timeoutMs`; a later one, or one that is not JSON data, is not taken.
   */
  readonly onEscalation?: (escalation: Escalation) => EscalationResolution | void | Promise<EscalationResolution | void>;
  readonly approvals?: {
    /** Which tasks need approval before execution, besides `context.requiresApproval` and `task.approval`. */
    readonly required?: ApprovalRule;
    /** Default time each approver has before a request moves up a level (default: no expiry). */
    readonly timeoutMs?: number;
    /** Agents that decide approval requests themselves (others leave them to people). */
    readonly approvers?: Setting<ApproverPolicy>;
  };
  /** Executor timeout and retries (default: 5 minutes, a single attempt). */
  readonly execution?: Setting<ExecutionOptions>;
  /** Tasks an agent executes at once (default 1); more wait in its queue. */
  readonly concurrency?: Setting<number>;
  /**
   * Decisions that answer with a promise (a strategy, escalation policy, decomposer or approver
   * backed by a model): while one is pending the agent goes on with other tasks.
   */
  readonly decisions?: {
    /** How long one may take before its task fails with `strategy_error` / `policy_error` / `decomposer_error` (default 60 s). */
    readonly timeoutMs?: Setting<number>;
    /** How many an agent waits for at once; more tasks wait their turn to be decided (default 8). */
    readonly concurrency?: Setting<number>;
  };
  readonly limits?: {
    /** Longest delegation chain (default 64). */
    readonly maxDepth?: number;
    /** Most escalations one task may go through (default 32). */
    readonly maxEscalations?: number;
    /** Most subtasks one decomposition may create (default 100). */
    readonly maxFanout?: number;
    /** Most subtasks a submitted task's whole tree may create, unless its budget says otherwise (default 1000). */
    readonly maxSubtasks?: number;
    /** Most levels of decomposition below a submitted task (default 8). */
    readonly maxDecompositionDepth?: number;
  };
  /** The clock for timers; pass `new SimulatedClock()` in tests. */
  readonly clock?: OrchestratorClock;
  /**
   * Deliver every message between agents through the clock after this many ms (0: on the clock's
   * next tick) instead of at once. With a controllable clock this steps a scenario message by
   * message. Default: delivered at once.
   */
  readonly messageDelayMs?: number;
  /** Randomness for backoff jitter (default `Math.random`); pass a seeded one for repeatable runs. */
  readonly random?: () => number;
  /** Finished outcomes and resolved escalations kept for lookup (default 1000). */
  readonly retain?: number;
  /**
   * Where the organisation keeps its state so that it survives a crash: `memoryStore()`, or
   * `sqliteStore(file)` from `echelon/sqlite`. Every change is written at the end of the burst of
   * work that made it, in one transaction; outcomes resolve once written. Payloads and results
   * must be JSON data. Default: nothing is kept.
   */
  readonly store?: Store;
  /**
   * Bring back the organisation the store holds (its agents' states, tasks in flight, pending
   * approvals, escalations waiting for a person) instead of refusing a store that is not empty.
   * On an empty store it starts a new organisation. Default `false`.
   */
  readonly resume?: boolean;
  /** An XState inspection observer (e.g. `@statelyai/inspect`); off by default because it costs throughput. */
  readonly inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void);
}

/** Every option `createOrchestrator` takes, and what kind of value each holds (declared in settings/, held here to the option types). */
const ORCHESTRATOR_OPTIONS = fields(ORGANISATION_OPTION_FIELDS);

/** True when the two have the same keys: the shapes name every option and nothing else. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
true satisfies SameKeys<typeof ORGANISATION_OPTION_FIELDS, OrchestratorOptions>;
true satisfies SameKeys<typeof APPROVAL_OPTION_FIELDS, NonNullable<OrchestratorOptions['approvals']>>;
true satisfies SameKeys<typeof EXECUTION_OPTION_FIELDS, ExecutionOptions>;
true satisfies SameKeys<typeof DECISION_OPTION_FIELDS, NonNullable<OrchestratorOptions['decisions']>>;
true satisfies SameKeys<typeof LIMIT_OPTION_FIELDS, typeof DEFAULT_LIMITS>;

/**
 * Refuses options `createOrchestrator` does not know, anywhere in them, and values of the wrong
 * kind — before anything starts or any store is touched: `invalid_option` with "did you mean"
 * when a known key is close, `unknown_agent` / `invalid_role` for a `byId` / `byRole` key that is
 * not an agent / a role. Options without a hierarchy are left to `createOrchestrator`'s own check.
 *
 * @example
 * ```ts
 * checkOrchestratorOptions({ hierarchy: developmentTeam(), executors, concurency: 5 });
 * // throws invalid_option: 'createOrchestrator: unknown option "concurency" — did you mean "concurrency"? …'
 * ```
 */
export function checkOrchestratorOptions(options: OrchestratorOptions): void {
  readingCaller('createOrchestrator', 'invalid_option', 'its options', () => {
    const hierarchy = (options as Partial<OrchestratorOptions> | null)?.hierarchy;
    if (typeof options !== 'object' || options === null || typeof hierarchy?.nodes !== 'function') return;
    checkShape(options, ORCHESTRATOR_OPTIONS, '', shapeContext('createOrchestrator', 'invalid_option', agentNames(hierarchy), ROLES));
  });
}

/**
 * The organisation's reading of `clock.now` (the system clock without one): read once at the door,
 * where a reading that is no finite number — or a throw — is refused (`invalid_option`); a later
 * one keeps the last good reading, said once. Every time the organisation records would otherwise
 * be NaN or −Infinity (an outcome settled at null, a budget never used up).
 */
export function guardedNow(clock: { readonly now?: () => number } | undefined): () => number {
  const now = clock?.now;
  if (now === undefined) return Date.now;
  /** Whether the last reading threw (a flag, not an object per reading: time is read all the time). */
  let threw = false;
  const read = (): unknown => {
    threw = false;
    try {
      return now.call(clock);
    } catch (error) {
      threw = true;
      return error;
    }
  };
  // show() for what String() cannot convert (an object without a string form threw a TypeError of its own, where time was read).
  const said = (value: unknown): string => {
    const shown = typeof value === 'object' || typeof value === 'function' ? show(value) : String(value);
    return threw ? `an error (${value instanceof Error ? value.message : shown})` : shown;
  };
  const first = read();
  if (!(typeof first === 'number' && Number.isFinite(first))) {
    throw new EchelonError('invalid_option', `createOrchestrator: clock.now() must give the time in milliseconds, a finite number; it gave ${said(first)}.`);
  }
  let last = first;
  let warned = false;
  return () => {
    const value = read();
    if (typeof value === 'number' && Number.isFinite(value)) return (last = value);
    if (!warned) console.error(`echelon: clock.now() gave ${said(value)}, no time in milliseconds; the organisation keeps its last reading (${last}).`);
    warned = true;
    return last;
  };
}

/**
 * The organisation's `random`, guarded: a draw that throws or falls outside [0, 1) would stop the
 * agent drawing it (and with it the organisation), so that draw comes from `Math.random` instead,
 * said once on the console.
 */
export function guardedRandom(random: (() => number) | undefined): () => number {
  if (random === undefined) return Math.random;
  let warned = false;
  return () => {
    let value: unknown;
    try {
      value = random();
    } catch (error) {
      value = error;
    }
    if (typeof value === 'number' && value >= 0 && value < 1) return value;
    if (!warned) console.error(`echelon: the random option must return a number in [0, 1), got ${String(value)}; drawing from Math.random instead.`);
    warned = true;
    return Math.random();
  };
}
