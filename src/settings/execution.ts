/**
 * An executor's timeout and retries: the defaults every agent starts from, the shape of the
 * overrides that options and tasks give, and the merge that checks every number of the result.
 */
import { fields, number, type Shape } from '../shape/index.js';
import type { ExecutionPolicy, ExecutionPolicyInput, RetryPolicy } from '../types.js';
import { invalid, nonNegative, positive } from './checks.js';

/** Execution defaults: 5-minute timeout, one attempt; retries back off 100 ms × 2ⁿ up to 30 s, ±20 %. */
export const DEFAULT_EXECUTION = {
  timeoutMs: 300_000,
  retry: { attempts: 1, initialDelayMs: 100, factor: 2, maxDelayMs: 30_000, jitter: 0.2 },
} as const satisfies ExecutionPolicy;

const RETRY: Shape = fields({ attempts: number, initialDelayMs: number, factor: number, maxDelayMs: number, jitter: number } satisfies Record<keyof RetryPolicy, Shape>);

/** An execution policy's overrides, as options and tasks give them. */
export const EXECUTION_POLICY: Readonly<Record<keyof ExecutionPolicyInput, Shape>> = { timeoutMs: number, retry: RETRY };

/**
 * Merges overrides into a policy, checking every number (`invalid_option` naming `where`).
 *
 * @example
 * ```ts
 * mergeExecution(DEFAULT_EXECUTION, { retry: { attempts: 3 } }, 'execution'); // 3 attempts, the rest default
 * ```
 */
export function mergeExecution(base: ExecutionPolicy, override: ExecutionPolicyInput | undefined, where: string): ExecutionPolicy {
  if (override === undefined) return base;
  const retry: RetryPolicy = { ...base.retry, ...override.retry };
  const policy: ExecutionPolicy = { timeoutMs: override.timeoutMs ?? base.timeoutMs, retry };
  positive(policy.timeoutMs, `${where}.timeoutMs`);
  if (!Number.isInteger(retry.attempts) || retry.attempts < 1) invalid(`${where}.retry.attempts must be a whole number ≥ 1, got ${retry.attempts}.`);
  nonNegative(retry.initialDelayMs, `${where}.retry.initialDelayMs`);
  nonNegative(retry.maxDelayMs, `${where}.retry.maxDelayMs`);
  if (!(retry.factor >= 1)) invalid(`${where}.retry.factor must be ≥ 1, got ${retry.factor}.`);
  if (!(retry.jitter >= 0 && retry.jitter <= 1)) invalid(`${where}.retry.jitter must be between 0 and 1, got ${retry.jitter}.`);
  return policy;
}
