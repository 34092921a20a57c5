/**
 * echelon — hierarchical multi-agent orchestration on the actor model.
 *
 * The root entry: hierarchies, the orchestrator, strategies, decomposition, escalation and
 * approval policies, errors, the in-memory store and every public type — the values a program
 * that embeds an organisation uses (36 of them). Everything else is on a subpath:
 *
 * | subpath | what |
 * |---|---|
 * | `echelon/charts` | the agent statechart and the task lifecycle chart, their ports, for model tests and custom hosts |
 * | `echelon/scenario` | runnable scenarios: `defineScenario`, `runScenario`, the stepper |
 * | `echelon/diagram` | Mermaid and SVG diagrams of hierarchies and statecharts |
 * | `echelon/replay` | a stored journal as steps with every agent's state |
 * | `echelon/store` | the `Store` contract's helpers: holders and locks, history and forks |
 * | `echelon/store/testing` | the conformance suite a store must pass |
 * | `echelon/simulate` | `checkOrganisation` and `simulate`: static checks and a simulation on a simulated clock, with pictures (ECharts and resvg, optional peers, to draw) |
 * | `echelon/restate` | the organisation on Restate: `restateEndpoint`, `restateOrchestrator`, `startRestateServer` (the Restate SDK, clients and server, optional peers) |
 * | `echelon/sqlite`, `echelon/view`, `echelon/inspector`, `echelon/otel`, `echelon/ai` | optional backends, each with its peer |
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
  SubmitOptions,
  TaskStream,
  TaskStreamEvent,
  TaskLifecycleEvent,
  ProgressEvent,
  StreamDropped,
  TaskStreamOptions,
} from './runtime/index.js';

// Scenarios (the functions are `echelon/scenario`)
export type { Scenario, ScenarioHost, ScenarioContext, ScenarioStep, Stepper, StepperOptions, Delivery, MessageLike } from './scenario/index.js';


// Watching: event summaries (the live view server is `serveLiveView` from `echelon/view`; the Stately inspector `echelon/inspector`)
export { describeEvent } from './inspect/summary.js';
export type { EventSummary } from './inspect/summary.js';
export type { LiveView, LiveViewOptions } from './inspect/options.js';
// Replay (the functions are `echelon/replay`)
export type { ReplayStep, ReplayAgent, ReplayEntry, AgentLink } from './replay/index.js';
// Stores (the SQLite store is `echelon/sqlite`, the store conformance suite `echelon/store/testing`)
export { memoryStore, forkStore, keepHistory } from './store/index.js';
export type {
  ForkOptions,
  ForkPoint,
  KeptBatch,
  StoreHolder,
  Store,
  StoreBatch,
  StoreHeader,
  StoredAgentLink,
  StoredOrganisation,
  StoredTask,
  StoredEscalation,
  StoredApproval,
  TaskBook,
  ResourceState,
  PersistedSnapshot,
  SnapshotPart,
  StoredSnapshot,
  JournalEntry,
  JournalEntryType,
  JournalQuery,
  JournalRecord,
  ForgetQuery,
  Forgotten,
} from './store/index.js';

// Delegation
export { capabilityMatching, loadBalancing, skillBased, delegateWith, requiredSkills } from './delegation/index.js';
export type { Candidate, DelegationContext, DelegationStrategy, SkillScores, Route } from './delegation/index.js';

// Decomposition
export { joinAll, joinAny, joinQuorum, decomposeWith, fullStackFeature } from './delegation/index.js';
export type { Decomposer, Decomposition, DecompositionChild, DecompositionContext, MergeContext, SubtaskSpec } from './delegation/index.js';

// Escalation
export { defaultEscalationPolicy, DEFAULT_RESOLUTIONS } from './escalation/index.js';
export type { EscalationContext, EscalationPolicy, EscalationVerdict, ResolutionMode, ResourceClaim, DefaultEscalationPolicyOptions } from './escalation/index.js';

// Approvals
export { approveWhen } from './approval/index.js';
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

// The statecharts' types (the charts themselves are `echelon/charts`)
export type { AgentMachine, AgentActorRef, AgentContext, AgentEvent, AgentInput, AgentStateName, HeldTask } from '../machines/agent.machine.js';
export type { TaskPhase, TaskMove } from '../machines/task.machine.js';
export type { AgentPorts, PolicyPort, SettingsPort, HostPort, Effect, AgentReport, Job, Step, ExecutionRequest, DecisionControl } from '../machines/ports.js';
