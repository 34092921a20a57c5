/** The runtime: the orchestrator, its options, events and executors. */
export { createOrchestrator, type Orchestrator, type OrchestratorStatus, type AgentStatus } from './orchestrator.js';
export {
  DEFAULT_EXECUTION,
  DEFAULT_LIMITS,
  type OrchestratorOptions,
  type ExecutionOptions,
  type DecomposerSetting,
  type OrchestratorClock,
  type AnyExecutor,
} from './options.js';
export type { Executor, ExecutionContext } from './executors.js';
export type { ApprovalRule } from './decisions/index.js';
export type { PerAgent, Setting } from './per-agent.js';
export type { OrchestratorEvent, OrchestratorEventType, EventOfType, Listener } from './events.js';
export type { EventStreamOptions } from './event-stream.js';
export type { SubmitOptions } from './submit.js';
export type { TaskStream, TaskStreamEvent, TaskLifecycleEvent } from './streaming.js';
export type { ProgressEvent, StreamDropped, TaskStreamOptions } from '../stream/index.js';
