/**
 * The one error class echelon throws, and the plain-data form errors take when they
 * travel inside task outcomes and events (which must survive JSON and persistence).
 */

/** Every reason echelon reports an error, grouped by where it arises. */
export type EchelonErrorCode =
  // building a hierarchy
  | 'invalid_spec'
  | 'empty_id'
  | 'duplicate_agent'
  | 'invalid_role'
  | 'unknown_parent'
  | 'hierarchy_cycle'
  | 'multiple_roots'
  | 'no_root'
  // configuring an orchestrator
  | 'invalid_option'
  | 'unknown_agent'
  // submitting and routing tasks
  | 'invalid_task'
  | 'duplicate_task'
  | 'unknown_task'
  | 'unroutable'
  | 'invalid_delegate'
  | 'strategy_error'
  | 'policy_error'
  | 'delegation_loop'
  | 'depth_exceeded'
  // decomposition and budgets
  | 'fanout_exceeded'
  | 'decomposer_error'
  | 'subtask_failed'
  | 'budget_exceeded'
  // executing tasks
  | 'executor_error'
  | 'executor_timeout'
  | 'invalid_result'
  | 'invalid_progress'
  | 'cancelled'
  // escalation
  | 'escalation_unresolved'
  | 'invalid_escalation_target'
  | 'unknown_escalation'
  | 'escalation_unauthorized'
  // approvals
  | 'rejected'
  | 'approval_expired'
  | 'unknown_approval'
  | 'approval_unauthorized'
  | 'self_approval'
  | 'duplicate_decision'
  // lifecycle
  | 'orchestrator_stopped'
  | 'events_overflow'
  | 'internal_error'
  // watching and stepping (live view, scenarios, CLI)
  | 'unauthorized'
  | 'invalid_request'
  | 'invalid_scenario'
  | 'scenario_stalled'
  | 'missing_dependency'
  | 'inspector_unreachable'
  // running on an engine (restate-server for echelon/restate)
  | 'engine_unavailable'
  | 'deployment_rejected'
  // persistence
  | 'store_corrupt'
  | 'store_foreign'
  | 'store_version_unsupported'
  | 'store_incompatible'
  | 'store_in_use'
  | 'store_locked'
  | 'store_read_only'
  | 'store_write_failed';

/** An error as plain data: what outcomes and events carry. */
export interface TaskError {
  readonly code: EchelonErrorCode;
  readonly message: string;
  /** Extra facts about the error (the agent, the offending value, …). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The mark every copy of echelon puts on its errors (a registered symbol is the same in all of them). */
const ECHELON_ERROR = Symbol.for('echelon.EchelonError');

/**
 * The error echelon throws. `code` says what went wrong in a stable, machine-readable
 * way; `message` says it for people, including how to fix it.
 *
 * @example
 * ```ts
 * try {
 *   defineHierarchy({ id: '', role: 'executive' });
 * } catch (error) {
 *   if (error instanceof EchelonError && error.code === 'empty_id') console.error(error.message);
 * }
 * ```
 */
export class EchelonError extends Error {
  /**
   * `instanceof EchelonError` holds for an error of another copy of echelon too: a scenario the
   * CLI loads through tsx gets its own copy of the modules, and its refusals are still echelon's.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // A subclass keeps the ordinary test: only EchelonError itself recognises the other copies.
    if (this !== EchelonError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { readonly [ECHELON_ERROR]?: unknown })[ECHELON_ERROR] === true;
  }

  override readonly name = 'EchelonError';
  readonly code: EchelonErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: EchelonErrorCode, message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details;
  }

  /** The plain-data form of this error, as outcomes carry it. */
  toJSON(): TaskError {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

Object.defineProperty(EchelonError.prototype, ECHELON_ERROR, { value: true });

/**
 * A part's refusal handed on by what checked it: the same code and details (with `details` added),
 * the message after `where: `, and the part's refusal as its cause.
 *
 * @example
 * ```ts
 * throw refusalAt('workload.arrivals[0]', error); // "workload.arrivals[0]: A task needs a type …"
 * ```
 */
export function refusalAt(where: string, error: EchelonError, details?: Record<string, unknown>): EchelonError {
  const merged = details === undefined ? error.details : { ...error.details, ...details };
  return new EchelonError(error.code, `${where}: ${error.message}`, { ...(merged === undefined ? {} : { details: merged }), cause: error });
}

/**
 * Turns anything thrown — an `EchelonError`, an `Error`, a string, `undefined` — into a
 * {@link TaskError}, using `fallback` as the code for anything that is not an `EchelonError`.
 * It never throws itself: a thrown value that cannot even be read (a `message` getter that
 * throws, a `Proxy` whose traps throw) is described as such, so the task it failed still ends.
 *
 * @example
 * ```ts
 * taskErrorFromUnknown(new Error('boom'), 'executor_error'); // { code: 'executor_error', message: 'boom' }
 * taskErrorFromUnknown('nope', 'executor_error');            // { code: 'executor_error', message: 'nope' }
 * ```
 */
export function taskErrorFromUnknown(thrown: unknown, fallback: EchelonErrorCode): TaskError {
  try {
    if (thrown instanceof EchelonError) return storable(thrown.toJSON());
    if (thrown instanceof Error) return storable({ code: fallback, message: String(thrown.message || thrown.name) });
    return storable({ code: fallback, message: describeThrown(thrown, thrower(fallback)) });
  } catch (unreadable) {
    return { code: fallback, message: `${thrower(fallback)} threw a value that cannot be read (reading it threw ${describeUnreadable(unreadable)})` };
  }
}

/** The most characters of a failure's message an outcome keeps; the rest is cut, saying how much. */
export const MAX_MESSAGE_CHARACTERS = 64 * 1024;
/** The most characters of JSON a failure's details may take; larger details are replaced by a note. */
export const MAX_DETAILS_CHARACTERS = 1024 * 1024;

/**
 * A failure as a store can write it: outcomes, escalations and the journal repeat a failure's
 * message and details, so a thrown value must not bring what `JSON.stringify` refuses (a BigInt
 * or a cycle in its details) or more text than a record can hold — a failed write would stop the
 * whole organisation, where only this task's attempt failed.
 */
function storable(error: TaskError): TaskError {
  const { message, details } = error;
  const cut = message.length <= MAX_MESSAGE_CHARACTERS ? message : `${message.slice(0, MAX_MESSAGE_CHARACTERS)}… (${(message.length - MAX_MESSAGE_CHARACTERS).toLocaleString('en-US')} more characters cut)`;
  const problem = details === undefined ? undefined : unstorable(details);
  if (cut === message && problem === undefined) return error;
  return { code: error.code, message: cut, ...(problem === undefined ? (details === undefined ? {} : { details }) : { details: { unstorable: problem } }) };
}

/**
 * Why a failure's details cannot be stored as they are, or `undefined` when they can. Asked of
 * `JSON.stringify` itself (what a store's write runs), not `jsonProblem`: json.ts sits above this
 * module (it quotes thrown values through show.ts, which reads them here), and only a failure
 * pays for it.
 */
function unstorable(details: Readonly<Record<string, unknown>>): string | undefined {
  let json: string | undefined;
  try {
    json = JSON.stringify(details);
  } catch (error) {
    // V8 explains a cycle over several lines: the first says what it is.
    return `the details could not be stored as JSON (${describeUnreadable(error).split('\n')[0]!}), so they were left out`;
  }
  if (json !== undefined && json.length > MAX_DETAILS_CHARACTERS) {
    return `the details took ${json.length.toLocaleString('en-US')} characters as JSON, more than the ${MAX_DETAILS_CHARACTERS.toLocaleString('en-US')} kept, so they were left out`;
  }
  return undefined;
}

/** Who threw, named by the code its failure gets. */
function thrower(code: EchelonErrorCode): string {
  switch (code) {
    case 'executor_error':
      return 'the executor';
    case 'strategy_error':
      return 'the strategy';
    case 'decomposer_error':
      return 'the decomposer';
    case 'policy_error':
      return 'the policy';
    default:
      return 'the code echelon called';
  }
}

function describeThrown(thrown: unknown, who: string): string {
  if (typeof thrown === 'string') return thrown;
  if (thrown === undefined) return `${who} threw undefined`;
  try {
    // JSON has no text for a symbol or a function (stringify gives undefined): String does.
    return `${who} threw a non-Error value: ${JSON.stringify(thrown) ?? String(thrown)}`;
  } catch {
    return `${who} threw a non-Error value: ${String(thrown)}`;
  }
}

function describeUnreadable(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${String(error.message)}` : String(error);
  } catch {
    return 'a value that cannot be read either';
  }
}
