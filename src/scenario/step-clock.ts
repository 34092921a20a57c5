/**
 * A clock that only moves when told to: timers wait in a queue (by due time, then in the order
 * they were set) and `fire()` releases exactly one. Unlike XState's `SimulatedClock`, whose
 * `increment` runs every due timer including those set meanwhile, this lets a scenario advance
 * one message at a time.
 */
import type { OrchestratorClock } from '../runtime/index.js';
import { EchelonError } from '../errors.js';

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: () => void;
  /** Set by `sleep`: someone's code waits on it (not one of the organisation's own timers). */
  readonly sleeper: boolean;
}

/**
 * A controllable clock for `createOrchestrator({ clock, messageDelayMs: 0 })`.
 *
 * @example
 * ```ts
 * const clock = new StepClock();
 * const org = createOrchestrator({ hierarchy, executors, clock, messageDelayMs: 0 });
 * org.submit({ type: 'python' });  // the CTO delegates; the message waits in the clock
 * clock.fire();                    // backend_lead receives it, and so on, one message per fire()
 * ```
 */
export class StepClock implements OrchestratorClock {
  #now: number;
  #nextId = 1;
  /** Sorted by due time, then by id (the order they were set). */
  #timers: Timer[] = [];
  readonly #listeners = new Set<() => void>();

  constructor(start = 0) {
    if (typeof start !== 'number' || !Number.isFinite(start)) throw new EchelonError('invalid_option', `StepClock: start must be a finite number (ms), got ${String(start)}.`);
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    return this.#add(callback, ms, false);
  }

  /** Resolves after `ms` of this clock's time (for executors that pretend to work); rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal, (resolve) => this.#add(resolve, ms, true));
  }

  #add(callback: () => void, ms: number, sleeper: boolean): number {
    const timer: Timer = { id: this.#nextId++, due: this.#now + Math.max(0, Number.isFinite(ms) ? ms : 0), callback, sleeper };
    let at = this.#timers.length;
    while (at > 0 && this.#timers[at - 1]!.due > timer.due) at--;
    this.#timers.splice(at, 0, timer);
    for (const listener of this.#listeners) listener();
    return timer.id;
  }

  clearTimeout(id: unknown): void {
    const at = this.#timers.findIndex((timer) => timer.id === id);
    if (at >= 0) this.#timers.splice(at, 1);
  }

  /** Timers waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  /** When the next timer is due, or `undefined` when none is set. */
  nextDue(): number | undefined {
    return this.#timers[0]?.due;
  }

  /** True when code waits in `sleep` (rather than only the organisation's own timers being set). */
  hasSleeper(): boolean {
    return this.#timers.some((timer) => timer.sleeper);
  }

  /** True when a timer is due without moving the time (a message waiting for delivery). */
  hasDue(): boolean {
    return this.#timers.length > 0 && this.#timers[0]!.due <= this.#now;
  }

  /** Runs the next timer, moving the time to when it is due; false when no timer is set. */
  fire(): boolean {
    const timer = this.#timers.shift();
    if (timer === undefined) return false;
    this.#now = Math.max(this.#now, timer.due);
    timer.callback();
    return true;
  }

  /** Calls `listener` whenever a timer is set; returns the unsubscribe function. */
  onSchedule(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/**
 * Waits `ms` on a clock, giving up with the signal's reason when it aborts (and clearing the timer,
 * so nothing is left waiting in the clock).
 */
export function sleepOn(
  clock: Pick<OrchestratorClock, 'setTimeout' | 'clearTimeout'>,
  ms: number,
  signal: AbortSignal | undefined,
  schedule: (resolve: () => void) => unknown = (resolve) => clock.setTimeout(resolve, ms),
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const abort = () => {
      clock.clearTimeout(id);
      reject(signal!.reason);
    };
    const id = schedule(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    });
    signal?.addEventListener('abort', abort, { once: true });
  });
}
