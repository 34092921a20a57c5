/** Escalation: reasons, policies, targets and how targets resolve. */
export type { EscalationContext, EscalationPolicy, EscalationVerdict, ResolutionMode, ResourceClaim } from './types.js';
export { defaultEscalationPolicy, DEFAULT_RESOLUTIONS, toVerdict, type DefaultEscalationPolicyOptions } from './policy.js';
