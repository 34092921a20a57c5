/**
 * echelon/ai — language-model agents through the Vercel AI SDK (`ai`, with `zod`): executors
 * that do the work, a delegation strategy that routes, a decomposer that plans, an approver
 * that decides. The core (`echelon`) never imports this: install `ai` and `zod` to use it.
 */
export { llmExecutor, DEFAULT_MAX_STEPS } from './executor.js';
export type { LlmExecutorOptions } from './executor.js';
export { llmDelegation } from './delegation.js';
export type { LlmDelegationOptions, DelegationFallback, DelegationProblem } from './delegation.js';
export { llmDecomposer } from './decomposer.js';
export type { LlmDecomposerOptions } from './decomposer.js';
export { llmApprover } from './approver.js';
export type { LlmApproverOptions, ApproverModelDecision } from './approver.js';
export { isRetryableModelError } from './retry.js';
export { tokenCost, DEFAULT_DECISION_TIMEOUT_MS } from './model.js';
export type { CostFunction, DecisionModelOptions, DecisionUsage, ModelSettings } from './model.js';
export { AGENT_TOOL_NAMES, MODEL_ESCALATION_REASONS } from './agent-tools.js';
