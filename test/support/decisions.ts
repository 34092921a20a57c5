/**
 * An organisation's decisions built directly (the policy port without agents), on the
 * development team with the default strategy and policy, for testing the judgement alone.
 */
import { createDecisions, type DecisionConfig } from '../../src/runtime/decisions/index.js';
import { ResourceRegistry } from '../../src/runtime/resources.js';
import { capabilityMatching, defaultEscalationPolicy, developmentTeam } from '../../src/index.js';

export function decisionsFor(config: Partial<DecisionConfig> = {}) {
  return createDecisions({
    hierarchy: developmentTeam(),
    strategyFor: () => capabilityMatching(),
    policy: defaultEscalationPolicy(),
    approvalRule: undefined,
    hasExecutor: () => true,
    resources: new ResourceRegistry(() => undefined),
    maxDepth: 64,
    maxEscalations: 32,
    human: false,
    decomposerFor: () => undefined,
    fanout: { maxFanout: 100, maxDecompositionDepth: 8 },
    reportCost: () => undefined,
    costSpent: () => 0,
    ...config,
  });
}
