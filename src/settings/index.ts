/**
 * Settings: what an organisation is configured with, below the runtime so that the runtime, the static
 * check and hosts read it alike: settings given per agent (by id, by role, or as a default), the
 * default limits and execution policy, and the range checks on configured values.
 */
export { isPerAgent, resolveSetting, type PerAgent, type Setting } from './per-agent.js';
export { DEFAULT_LIMITS, type Limits } from './limits.js';
export { DEFAULT_EXECUTION, EXECUTION_POLICY, mergeExecution } from './execution.js';
export { addCosts, checkCostBudget, costAmount, invalid, nonNegative, overBudget, positive, positiveInteger } from './checks.js';
export { agentNames, APPROVAL_OPTION_FIELDS, DECISION_OPTION_FIELDS, EXECUTION_OPTION_FIELDS, LIMIT_OPTION_FIELDS, ORGANISATION_OPTION_FIELDS } from './options-shape.js';
