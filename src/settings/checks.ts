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
