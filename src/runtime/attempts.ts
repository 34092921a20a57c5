/**
 * Executor attempts in flight, as the in-process host runs them: one promise per attempt, its
 * AbortSignal made only when the executor reads it, and its outcome turned into data for the
 * agent — a result (which must be JSON data, or the attempt fails with `invalid_result`), an
 * error (with whether a retry may help), or a request to escalate or to be approved.
 */
import type { ExecutionResult } from '../../machines/agent.types.js';
import type { ExecutionRequest } from '../../machines/ports.js';
import { EchelonError, taskErrorFromUnknown } from '../errors.js';
import { jsonProblem } from '../json.js';
import { ApprovalSignal, EscalationSignal } from '../signals.js';
import { agentKey } from '../show.js';

/** Whether the runtime still waits for an attempt: `false` once it settled, or was timed out, cancelled or replaced. */
export interface AttemptState {
  readonly live: boolean;
}

/** How attempts are run and judged. */
export interface AttemptRunner {
  readonly execute: (request: ExecutionRequest, signal: () => AbortSignal, state: AttemptState) => Promise<unknown>;
  readonly retryable: (agentId: string, thrown: unknown) => boolean;
}

/** An attempt in flight: its signal once read, whether the runtime still waits for it, and who follows its abort without a signal. */
class Running implements AttemptState {
  controller: AbortController | undefined = undefined;
  live = true;
  onAbort: ((reason: EchelonError) => void) | undefined = undefined;
}

/**
 * Aborts an attempt: tells its follower (see {@link followAbort}), then aborts its signal — made
 * now if the executor has not read it yet, so that a first read after the runtime gave up on the
 * attempt (a timeout, a cancellation) finds it aborted, not fresh.
 */
function aborted(attempt: Running, reason: EchelonError): void {
  attempt.live = false;
  const follower = attempt.onAbort;
  attempt.onAbort = undefined;
  try {
    follower?.(reason);
  } catch (error) {
    // Reported as an abort listener's error is (thrown on a microtask): the runtime's abort goes on.
    queueMicrotask(() => {
      throw error;
    });
  }
  (attempt.controller ??= new AbortController()).abort(reason);
}

/**
 * @internal Calls `listener` (once, with the reason) when the runtime aborts this attempt, as an
 * abort listener on its signal would be called, without making the signal: an `AbortController`
 * per attempt was a tenth of a simulation's CPU at 100,000 agents. False when `state` is not an
 * attempt this host runs (or it is over): read the signal then.
 */
export function followAbort(state: AttemptState, listener: (reason: EchelonError) => void): boolean {
  if (!(state instanceof Running) || !state.live || state.onAbort !== undefined) return false;
  state.onAbort = listener;
  return true;
}

/**
 * Executor attempts as a host runs them: `run` calls the executor, makes its `AbortSignal` only if
 * it is read, and hands `done` the attempt's outcome as data for the agent's `echelon.executed`
 * (a result that is not JSON data is `invalid_result`; a thrown `escalate` / `requestApproval` is
 * a request); `abort` aborts one, and a newer attempt of the same task replaces the older.
 */
export class Attempts {
  readonly #running = new Map<string, Running>();
  readonly #runner: AttemptRunner;

  constructor(runner: AttemptRunner) {
    this.#runner = runner;
  }

  /** Attempts running now. */
  get size(): number {
    return this.#running.size;
  }

  /** Runs one attempt; `done` gets its outcome, unless the attempt was aborted or replaced first. */
  run(agentId: string, request: ExecutionRequest, done: (result: ExecutionResult) => void): void {
    const key = agentKey(agentId, request.task.id);
    const attempt = new Running();
    const replaced = this.#running.get(key);
    if (replaced !== undefined) aborted(replaced, new EchelonError('cancelled', 'A newer attempt replaced this one.'));
    this.#running.set(key, attempt);
    const settle = (result: ExecutionResult) => {
      // Its task goes on without it: progress it reports from now on (after returning) belongs to nobody.
      attempt.live = false;
      if (this.#running.get(key) !== attempt) return;
      this.#running.delete(key);
      done(result);
    };
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(this.#runner.execute(request, () => (attempt.controller ??= new AbortController()).signal, attempt));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => settle(this.#result(agentId, request, value)),
      (thrown: unknown) => settle(this.#failure(agentId, thrown)),
    );
  }

  /** Aborts a task's running attempt at an agent; its outcome, when it comes, is dropped. */
  abort(agentId: string, taskId: string, reason: EchelonError): void {
    const key = agentKey(agentId, taskId);
    const attempt = this.#running.get(key);
    this.#running.delete(key);
    if (attempt !== undefined) aborted(attempt, reason);
  }

  /** Aborts every attempt (the organisation stops). */
  abortAll(reason: EchelonError): void {
    for (const attempt of this.#running.values()) aborted(attempt, reason);
    this.#running.clear();
  }

  /** A result must survive the store: one that is not JSON data fails this attempt, not the organisation. */
  #result(agentId: string, request: ExecutionRequest, value: unknown): ExecutionResult {
    const problem = value === undefined ? undefined : jsonProblem(value, 'result');
    if (problem === undefined) return { kind: 'ok', value };
    const { task } = request;
    const error = new EchelonError(
      'invalid_result',
      `The executor of ${agentId} returned a result for "${task.type}" (${task.id}) that is not JSON data: ${problem}. Return plain data (strings, finite numbers, booleans, null, arrays and plain objects).`,
      { details: { taskId: task.id, agentId, attempt: request.attempt } },
    );
    return { kind: 'error', error: error.toJSON(), retryable: this.#runner.retryable(agentId, error) };
  }

  #failure(agentId: string, thrown: unknown): ExecutionResult {
    try {
      if (thrown instanceof EscalationSignal) return { kind: 'escalate', reason: thrown.reason, message: thrown.message };
      if (thrown instanceof ApprovalSignal) return { kind: 'approval', requirement: thrown.requirement };
    } catch {
      // A Proxy whose traps throw is no signal; taskErrorFromUnknown describes it.
    }
    return { kind: 'error', error: taskErrorFromUnknown(thrown, 'executor_error'), retryable: this.#runner.retryable(agentId, thrown) };
  }
}
