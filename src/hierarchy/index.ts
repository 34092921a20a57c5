/** Hierarchies: the spec, the immutable tree, validation, metrics and presets. */
export { ROLES, type Role, type AgentSpec, type FlatAgentSpec, type AgentNode } from './types.js';
export { Hierarchy } from './hierarchy.js';
export { defineHierarchy, hierarchyFromList } from './define.js';
export { hierarchyMetrics, checkSpans, TYPICAL_SPANS, type HierarchyMetrics, type SpanRange, type SpanWarning } from './metrics.js';
export { developmentTeam, developmentTeamSpec, referenceExecutors } from './presets.js';
