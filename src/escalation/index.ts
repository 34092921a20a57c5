/** Escalation: reasons, policies, targets and how targets resolve. */
export type { EscalationContext, EscalationPolicy, EscalationVerdict, ResolutionMode, ResourceClaim } from './types.js';
export { defaultEscalationPolicy, DEFAULT_RESOLUTIONS, type DefaultEscalationPolicyOptions } from './policy.js';
export { checkVerdict } from './verdict.js';
export { escalationTarget, type TargetChoice } from './target.js';
