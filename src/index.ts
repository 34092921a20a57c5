/**
 * echelon — hierarchical multi-agent orchestration on the actor model.
 *
 * This is the only import path users need: hierarchies, the orchestrator, strategies,
 * policies, approvals, the agent statechart and every public type.
 */

// Hierarchies
export {
  ROLES,
  Hierarchy,
  defineHierarchy,
  hierarchyFromList,
  hierarchyMetrics,
  checkSpans,
  TYPICAL_SPANS,
  developmentTeam,
  developmentTeamSpec,
  referenceExecutors,
} from './hierarchy/index.js';
export type { Role, AgentSpec, FlatAgentSpec, AgentNode, HierarchyMetrics, SpanRange, SpanWarning } from './hierarchy/index.js';

// The orchestrator
export { createOrchestrator, DEFAULT_EXECUTION, DEFAULT_LIMITS } from './runtime/index.js';
export type {
  Orchestrator,
  OrchestratorOptions,
  OrchestratorStatus,
  AgentStatus,
  ExecutionOptions,
  DecomposerSetting,
  OrchestratorClock,
  AnyExecutor,
  Executor,
  ExecutionContext,
  ApprovalRule,
  PerAgent,
  Setting,
  OrchestratorEvent,
  OrchestratorEventType,
  EventOfType,
  Listener,
  EventStreamOptions,
} from './runtime/index.js';

// Scenarios: the example format, running one, stepping through one message at a time
export { defineScenario, isScenario, runScenario, isMainModule, createStepper, StepClock, describeMessage } from './scenario/index.js';
export type { Scenario, ScenarioHost, ScenarioContext, ScenarioStep, Stepper, StepperOptions, Delivery, MessageLike } from './scenario/index.js';

// Diagrams: Mermaid text for the hierarchy and the agent statechart
export { hierarchyToMermaid, statechartToMermaid } from './diagram/index.js';

// Watching: event summaries (the live view server is `serveLiveView` from `echelon/view`; the Stately inspector `echelon/inspector`)
export { describeEvent } from './inspect/summary.js';
export type { EventSummary } from './inspect/summary.js';
export type { LiveView, LiveViewOptions } from './inspect/options.js';
// Replay: a journal as steps with every agent's state (what `org.history()` and `echelon replay` show)
export { replaySteps } from './replay/index.js';
export type { ReplayStep, ReplayAgent, ReplayEntry, AgentLink } from './replay/index.js';
// Persistence (the SQLite store is the subpath `echelon/sqlite`)
export * from './persistence/index.js';

// Delegation
export { capabilityMatching, loadBalancing, skillBased, delegateWith, requiredSkills, candidatesFor, routeOf, canExecuteHere } from './delegation/index.js';
export type { Candidate, DelegationContext, DelegationStrategy, SkillScores, Route } from './delegation/index.js';

// Decomposition
export { all, any, quorum, decomposeWith, fullStackFeature } from './delegation/index.js';
export type { Decomposer, Decomposition, DecompositionChild, DecompositionContext, MergeContext, SubtaskSpec } from './delegation/index.js';

// Escalation
export { defaultEscalationPolicy, DEFAULT_RESOLUTIONS } from './escalation/index.js';
export type { EscalationContext, EscalationPolicy, EscalationVerdict, ResolutionMode, ResourceClaim, DefaultEscalationPolicyOptions } from './escalation/index.js';

// Approvals
export { chooseApprover, checkAuthority, approveWhen } from './approval/index.js';
export type { ApproverPolicy, ApproverDecision, ApproverContext, ApproverChoice } from './approval/index.js';

// Errors and signals
export { EchelonError, taskErrorFromUnknown } from './errors.js';
export type { EchelonErrorCode, TaskError } from './errors.js';
export { EscalationSignal, ApprovalSignal } from './signals.js';

// Data: tasks, outcomes, escalations, approvals, messages
export { TERMINAL_STATUSES, ESCALATION_REASONS } from './types.js';
export type {
  Task,
  TaskInput,
  TaskContext,
  TaskOrigin,
  Settlement,
  Outcome,
  TerminalStatus,
  EscalationReason,
  EscalationRequest,
  EscalationHop,
  Escalation,
  EscalationResolution,
  ApprovalRequirement,
  ApprovalRequest,
  ApprovalDecision,
  ApprovalStatus,
  Approval,
  RetryPolicy,
  ExecutionPolicy,
  ExecutionPolicyInput,
  BudgetInput,
  TaskBudget,
  TaskCause,
  BudgetReport,
  JoinPolicy,
  PartialFailurePolicy,
  SubtaskOutcome,
  SubtaskFailure,
  AgentMessage,
  AgentMessageType,
} from './types.js';

// The statecharts, for model tests, inspection and custom hosts
export { createAgentMachine, emptyContext, AGENT_STATES } from '../machines/agent.machine.js';
export type { AgentMachine, AgentActorRef, AgentContext, AgentEvent, AgentInput, AgentStateName, HeldTask } from '../machines/agent.machine.js';
export { taskMachine, advance, TASK_PHASES } from '../machines/task.machine.js';
export type { TaskPhase, TaskMove } from '../machines/task.machine.js';
export { backoffDelay } from '../machines/core/execution.js';
export type { AgentPorts, PolicyPort, SettingsPort, HostPort, Effect, AgentReport, Job, Step, ExecutionRequest, DecisionControl } from '../machines/ports.js';
