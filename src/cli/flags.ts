/** The CLI's flag values, read and checked before a scenario, design or store is opened. */
import { EchelonError } from '../errors.js';
import { LONGEST_TIMER_MS } from '../long-timer.js';

/** A live view's token, checked before the scenario or store is opened (the rule serveLiveView applies). */
export function token(text: string): string {
  if (text.length < 16) throw usage(`--token needs at least 16 characters (a random one, e.g. from crypto.randomUUID()), got ${text.length}.`);
  return text;
}

export function required(file: string | undefined, command: string): string {
  if (file === undefined) throw usage(`echelon ${command} needs a scenario file, e.g. echelon ${command} examples/dev-team.ts.`);
  return file;
}

/**
 * A whole number written in decimal digits, at least `min`. Number() alone takes what nobody means
 * by a count: `1e3`, `0x10`, `' 5 '`, and `''` as 0.
 */
export function count(text: string, flag: string, min: number): number {
  const value = digits(text);
  if (value === undefined || value < min) throw usage(`${flag} needs a whole number ≥ ${min}, got "${text}".`);
  if (!Number.isSafeInteger(value)) throw usage(`${flag} needs a whole number from ${min} to 2^53 − 1, got "${text}".`);
  return value;
}

/** The number `text` writes in decimal digits, and nothing else; `undefined` for any other text. */
function digits(text: string): number | undefined {
  return /^[0-9]+$/.test(text) ? Number(text) : undefined;
}

/** An --auto pace in ms, checked before the scenario or store is opened. */
export function pace(text: string): number {
  const value = digits(text);
  if (value === undefined || value > LONGEST_TIMER_MS) throw usage(`--auto needs a whole number from 0 to ${LONGEST_TIMER_MS} (ms), got "${text}".`);
  return value;
}

/** A TCP port, checked before the scenario or store is opened. */
export function port(text: string): number {
  const value = digits(text);
  if (value === undefined || value > 65_535) throw usage(`--port needs a port from 0 to 65535, got "${text}".`);
  return value;
}

export function usage(message: string): EchelonError {
  return new EchelonError('invalid_option', `${message} Run echelon --help for usage.`);
}
