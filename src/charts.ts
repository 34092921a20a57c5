/**
 * @module
 * `echelon/charts`: the statecharts an organisation runs, for model tests, inspection and hosts
 * of your own. The agent statechart (`createAgentMachine` over its three ports: policy, settings,
 * host) and the task lifecycle chart its records follow (`taskMachine`, advanced with `advance`);
 * for a host: the policy and settings ports made from an organisation's options (`resolveOptions`),
 * attempts run and judged as the built-in hosts run them (`Attempts`), and tasks made from what a
 * submitter gave (`validateTaskInput`).
 *
 * @example
 * ```ts
 * import { createAgentMachine, emptyContext, AGENT_STATES } from 'echelon/charts';
 * const machine = createAgentMachine({ policy, settings, host });
 * ```
 */
export { emptyContext, AGENT_STATES, resolutionTaskId } from '../machines/agent.machine.js';
export { createAgentMachine } from './runtime/agent-chart.js';
export type { AgentMachine, AgentActorRef, AgentContext, AgentEvent, AgentInput, AgentInternalEvent, AgentStateName, HeldTask } from '../machines/agent.machine.js';
export { taskMachine, advance, TASK_PHASES } from '../machines/task.machine.js';
export type { TaskPhase, TaskMove } from '../machines/task.machine.js';
export { backoffDelay, idempotencyKey } from '../machines/core/execution.js';
export { decisionTimedOut } from '../machines/ports.js';
export type { AgentPorts, PolicyPort, SettingsPort, HostPort, Effect, AgentReport, Job, Step, ExecutionRequest, DecisionControl, Answer } from '../machines/ports.js';
export type { ExecutionResult } from '../machines/agent.types.js';
export { resolveOptions } from './runtime/ports.js';
export type { PortsHost, ResolvedOptions } from './runtime/ports.js';
export { Attempts } from './runtime/attempts.js';
export type { AttemptRunner, AttemptState } from './runtime/attempts.js';
export { validateTaskInput } from './task-input.js';
export type { TaskInputPlace } from './task-input.js';
export type { Join } from './delegation/join.js';
