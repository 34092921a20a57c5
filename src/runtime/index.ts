/** The runtime: the orchestrator, its options, events and executors. */
export { createOrchestrator, type Orchestrator, type OrchestratorStatus, type AgentStatus } from './orchestrator.js';
export type { OrchestratorOptions, ExecutionOptions, OrchestratorClock, AnyExecutor } from './options.js';
// What the options are made of, from the layers below (so a client of the runtime finds them here).
export { DEFAULT_EXECUTION, DEFAULT_LIMITS, type PerAgent, type Setting } from '../settings/index.js';
export type { DecomposerSetting } from '../delegation/decomposers.js';
export type { Executor, ExecutionContext } from './executors.js';
/** @internal For the simulator's modelled executors; not exported from the root entry. */
export { followAttemptAbort } from './executors.js';
export type { ApprovalRule } from './decisions/index.js';
export type { OrchestratorEvent, OrchestratorEventType, EventOfType, Listener } from './events.js';
export type { EventStreamOptions } from './event-stream.js';
export type { SubmitOptions } from './submit.js';
export type { TaskStream, TaskStreamEvent, TaskLifecycleEvent } from './streaming.js';
export type { ProgressEvent, StreamDropped, TaskStreamOptions } from '../stream/index.js';
