/**
 * What an escalation policy's `shouldEscalate` may answer, checked: nothing (go on), a reason, or
 * a verdict with a reason and a message. A reason that is not one of the seven is the policy's
 * mistake, refused at once with `policy_error` — never taken as an escalation going nowhere.
 */
import { EchelonError } from '../errors.js';
import { ESCALATION_REASONS, type EscalationReason } from '../types.js';
import type { EscalationVerdict } from './types.js';

const REASONS: ReadonlySet<string> = new Set(ESCALATION_REASONS);

/**
 * The verdict a policy's answer stands for, or `undefined` for "no escalation".
 *
 * @example
 * ```ts
 * checkVerdict('emergency');                 // { reason: 'emergency' }
 * checkVerdict({ reason: 'cross_team', message: 'needs both teams' });
 * checkVerdict('panic');                     // throws policy_error
 * ```
 */
export function checkVerdict(answer: unknown): EscalationVerdict | undefined {
  if (answer === null || answer === undefined) return undefined;
  const verdict: { reason?: unknown; message?: unknown } = typeof answer === 'string' ? { reason: answer } : (answer as { reason?: unknown; message?: unknown });
  const reason = typeof verdict === 'object' ? verdict.reason : undefined;
  if (typeof reason !== 'string' || !REASONS.has(reason)) {
    throw new EchelonError(
      'policy_error',
      `The escalation policy answered ${describe(answer)}, which is not an escalation reason (${ESCALATION_REASONS.join(', ')}), a verdict { reason, message? }, or nothing.`,
      { details: { answer: describe(answer) } },
    );
  }
  if (verdict.message !== undefined && typeof verdict.message !== 'string') {
    throw new EchelonError('policy_error', `The escalation policy's verdict has a message that is not a string: ${describe(verdict.message)}.`);
  }
  return verdict.message === undefined ? { reason: reason as EscalationReason } : { reason: reason as EscalationReason, message: verdict.message };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return typeof (value as { then?: unknown }).then === 'function' ? 'a promise' : 'an object';
  return String(value);
}
