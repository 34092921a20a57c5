/** echelon/ai's values, loaded by `index.ts` once its peers are known to be installed. */
export { llmExecutor, DEFAULT_MAX_STEPS } from './executor.js';
export { llmDelegation } from './delegation.js';
export { llmDecomposer } from './decomposer.js';
export { llmApprover } from './approver.js';
export { isRetryableModelError } from './retry.js';
export { tokenCost, DEFAULT_DECISION_TIMEOUT_MS } from './model.js';
export { AGENT_TOOL_NAMES, MODEL_ESCALATION_REASONS } from './agent-tools.js';
export { organisationUIStream } from './ui-stream.js';
