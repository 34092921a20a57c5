/**
 * echelon/ai's exports, declared statically: `index.ts` loads the values from here once its peers
 * are known to be installed, and the package's `types` for `./ai` are this module's, so an editor
 * shows each function's documentation (a value taken from `await import()` carries none).
 */
export { llmExecutor, DEFAULT_MAX_STEPS } from './executor.js';
export { llmDelegation } from './delegation.js';
export { llmDecomposer } from './decomposer.js';
export { llmApprover } from './approver.js';
export { isRetryableModelError } from './retry.js';
export { tokenCost, DEFAULT_DECISION_TIMEOUT_MS } from './model.js';
export { AGENT_TOOL_NAMES, MODEL_ESCALATION_REASONS } from './agent-tools.js';
export { organisationUIStream } from './ui-stream.js';
export type { LlmExecutorOptions } from './executor.js';
export type { LlmProgress } from './stream-call.js';
export type { AgentPartData, EchelonUIDataTypes, EchelonUIMessage, OrganisationUIStreamOptions } from './ui-stream.js';
export type { LlmDelegationOptions, DelegationFallback, DelegationProblem } from './delegation.js';
export type { LlmDecomposerOptions } from './decomposer.js';
export type { LlmApproverOptions, ApproverModelDecision } from './approver.js';
export type { CostFunction, DecisionModelOptions, DecisionUsage, ModelSettings } from './model.js';
