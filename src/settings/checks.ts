/**
 * Range checks on configured values — a positive timeout, a whole number of attempts — that turn a
 * bad value into `invalid_option` with a message naming the setting. Which keys an option object
 * may hold is the shapes' business (`src/shape/`); these check the values the code then uses.
 */
import { EchelonError } from '../errors.js';

/**
 * Refuses a setting: throws `invalid_option` with `message`.
 *
 * @example
 * ```ts
 * if (port < 0) invalid(`serve: port must be ≥ 0, got ${port}.`);
 * ```
 */
export function invalid(message: string): never {
  throw new EchelonError('invalid_option', message);
}

/** Refuses anything but a number > 0. */
export function positive(value: unknown, name: string): void {
  if (typeof value !== 'number' || !(value > 0)) invalid(`${name} must be a positive number, got ${String(value)}.`);
}

/** Refuses anything but a whole number ≥ 1. */
export function positiveInteger(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) invalid(`${name} must be a whole number ≥ 1, got ${String(value)}.`);
}

/** Refuses anything but a number ≥ 0. */
export function nonNegative(value: unknown, name: string): void {
  if (typeof value !== 'number' || !(value >= 0)) invalid(`${name} must be a number ≥ 0, got ${String(value)}.`);
}

/**
 * Refuses a cost that is not a finite number ≥ 0 (`context.reportCost`'s argument, on every host):
 * `Infinity` would leave a budget's `used` and `left` unreadable in an outcome (JSON has no
 * `Infinity`: it is written `null`).
 */
export function costAmount(amount: unknown): void {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
    invalid(`reportCost needs a finite number ≥ 0 (what the work cost, tokens say), got ${typeof amount === 'number' ? String(amount) : typeof amount}.`);
  }
}

/**
 * How far past a cost budget a sum may land and still be within it: costs in fractions (0.1 three
 * times) add up a few units of the last place past what they are (0.30000000000000004), and a
 * budget of 0.3 failed a task that spent exactly it. 2^−42 of the limit is far under one unit of a
 * whole-number budget up to 4 × 10^12, so a token over such a budget is still over.
 */
const COST_SLACK = 2 ** -42;

/**
 * Whether `used` is over a cost budget of `limit` by more than the rounding of summed fractions.
 *
 * @example
 * ```ts
 * overBudget(0.1 + 0.1 + 0.1, 0.3); // false
 * overBudget(1_001, 1_000);         // true
 * ```
 */
export function overBudget(used: number, limit: number): boolean {
  return used - limit > Math.abs(limit) * COST_SLACK;
}

/**
 * Refuses (`budget_exceeded`) a charge that took `task`'s cost account to `used`, over its cost
 * budget: `context.reportCost`'s rule on every host.
 */
export function checkCostBudget(task: { readonly id: string; readonly budget?: { readonly cost?: number } }, used: number): void {
  const limit = task.budget?.cost;
  if (limit !== undefined && overBudget(used, limit)) {
    throw new EchelonError('budget_exceeded', `Task ${task.id} used ${used} of cost, over its budget of ${limit}.`, { details: { taskId: task.id, used, limit } });
  }
}

/** Two costs summed: at most `Number.MAX_VALUE` (Infinity, which JSON writes as null, would leave a budget unreadable). */
export const addCosts = (a: number, b: number): number => Math.min(a + b, Number.MAX_VALUE);
