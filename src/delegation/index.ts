/** Delegation: strategies that pick a child, and routing by subtree capability. */
export type { Candidate, DelegationContext, DelegationStrategy } from './types.js';
export { capabilityMatching, loadBalancing, skillBased, delegateWith, requiredSkills, type SkillScores } from './strategies.js';
export type { Route } from './route.js';
export {
  joinAll,
  joinAny,
  joinQuorum,
  decomposeWith,
  fullStackFeature,
  type Decomposer,
  type Decomposition,
  type DecompositionChild,
  type DecompositionContext,
  type MergeContext,
  type SubtaskSpec,
} from './decomposition.js';
export { withoutResults } from './join.js';
