/**
 * Timers for any delay. A Node timer takes at most 2^31 − 1 ms (about 24.8 days): a longer one
 * fires after 1 ms, with a warning. So a deadline of a month — an approval's `timeoutMs`, a
 * decision's, a task's `budget.timeMs` — expired at once on the process's clock. These wait in
 * steps of at most that long instead, and fire when the whole delay has passed.
 */

/** The longest delay one Node timer takes (2^31 − 1 ms): past it, Node fires after 1 ms. */
export const LONGEST_TIMER_MS = 2_147_483_647;

/** A timer from {@link setLongTimeout}: the step now waiting. */
export interface LongTimeout {
  step: ReturnType<typeof setTimeout>;
}

/**
 * `setTimeout` for any delay, in steps Node can hold; cleared with {@link clearLongTimeout}.
 *
 * @example
 * ```ts
 * const timer = setLongTimeout(() => console.log('a month later'), 30 * 24 * 3_600_000);
 * clearLongTimeout(timer);
 * ```
 */
export function setLongTimeout(callback: () => void, ms: number): LongTimeout {
  const timer = {} as LongTimeout;
  const wait = (left: number) => {
    timer.step = left > LONGEST_TIMER_MS ? setTimeout(() => wait(left - LONGEST_TIMER_MS), LONGEST_TIMER_MS) : setTimeout(callback, left);
  };
  wait(ms);
  return timer;
}

/** Clears a timer from {@link setLongTimeout}, whichever step it is in. */
export function clearLongTimeout(timer: LongTimeout): void {
  clearTimeout(timer.step);
}

/** The process's clock, as the organisation's timers use it: {@link setLongTimeout}, {@link clearLongTimeout}. */
export const processClock = {
  setTimeout: (callback: () => void, ms: number): unknown => setLongTimeout(callback, ms),
  clearTimeout: (id: unknown): void => clearLongTimeout(id as LongTimeout),
};
