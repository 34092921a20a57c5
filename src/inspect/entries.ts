/**
 * Lifecycle events as journal-like entries, so that an organisation without a store can still
 * show a task's timeline the way a stored one does (through the same replay steps).
 */
import { endedData } from '../runtime/durability/journal.js';
import type { OrchestratorEvent } from '../runtime/events.js';
import type { ReplayEntry } from '../replay/steps.js';

/** An entry with the submitted task it belongs to. */
export interface TaskEntry extends ReplayEntry {
  readonly rootId?: string;
}

/**
 * The entry a lifecycle event stands for, or `undefined` for events that are about no task.
 *
 * @example
 * ```ts
 * entryOfEvent({ type: 'task.delegated', task, from: 'cto', to: 'backend_lead', at: 5 }, 1);
 * // { seq: 1, session: 1, at: 5, type: 'task.delegated', actor: 'cto', taskId: task.id, rootId: task.rootId, data: { to: 'backend_lead' } }
 * ```
 */
export function entryOfEvent(event: OrchestratorEvent, seq: number): TaskEntry | undefined {
  const base = { seq, session: 1, at: event.at };
  switch (event.type) {
    case 'task.submitted':
      return { ...base, type: event.type, actor: 'submitter', taskId: event.task.id, rootId: event.task.rootId, data: { type: event.task.type, entry: event.task.chain[0] } };
    case 'task.delegated':
      return { ...base, type: event.type, actor: event.from, taskId: event.task.id, rootId: event.task.rootId, data: { to: event.to } };
    case 'task.queued':
      return { ...base, type: event.type, actor: event.agent, taskId: event.task.id, rootId: event.task.rootId };
    case 'task.started':
      return { ...base, type: event.type, actor: event.agent, taskId: event.task.id, rootId: event.task.rootId, data: { attempt: event.attempt } };
    case 'task.retrying':
      return { ...base, type: event.type, actor: event.agent, taskId: event.task.id, rootId: event.task.rootId, data: { attempt: event.attempt, delayMs: event.delayMs, error: event.error.code } };
    case 'task.deferred':
      return { ...base, type: event.type, actor: event.agent, taskId: event.task.id, rootId: event.task.rootId, data: { resources: event.resources } };
    case 'task.ended':
      return { ...base, type: event.type, actor: event.agent, taskId: event.task.id, rootId: event.task.rootId, data: endedData(event.task, event.agent, event.settlement) };
    case 'task.decomposed':
      return { ...base, type: event.type, actor: event.agent, taskId: event.task.id, rootId: event.task.rootId, data: { subtasks: event.subtasks.map((task) => task.id) } };
    case 'task.completed':
    case 'task.failed': {
      const { outcome } = event;
      const error = outcome.error === undefined ? {} : { error: { code: outcome.error.code, message: outcome.error.message } };
      const by = { ...(outcome.executedBy === undefined ? {} : { executedBy: outcome.executedBy }), ...(outcome.splitBy === undefined ? {} : { splitBy: outcome.splitBy }) };
      return { ...base, type: 'task.settled', actor: outcome.delegationChain[0] ?? 'orchestrator', taskId: outcome.taskId, rootId: outcome.taskId, data: { status: outcome.status, ...by, ...error } };
    }
    case 'escalation.raised': {
      const { escalation } = event;
      return { ...base, type: event.type, actor: escalation.from, taskId: escalation.taskId, data: { escalationId: escalation.id, reason: escalation.reason, to: escalation.to, message: escalation.message } };
    }
    case 'escalation.resolved': {
      const { escalation } = event;
      const status = escalation.resolution?.status ?? escalation.status;
      return { ...base, type: event.type, actor: escalation.resolvedBy ?? 'orchestrator', taskId: escalation.taskId, data: { escalationId: escalation.id, status, executedBy: escalation.resolvedBy } };
    }
    case 'approval.requested': {
      const { approval } = event;
      return { ...base, type: event.type, actor: approval.requester, taskId: approval.taskId, data: { approvalId: approval.id, approver: approval.approver, quorum: approval.quorum } };
    }
    case 'approval.decided': {
      const { approval } = event;
      return { ...base, type: 'approval.settled', actor: approval.requester, taskId: approval.taskId, data: { approvalId: approval.id, status: approval.status } };
    }
    case 'approval.refused':
      return { ...base, type: event.type, actor: event.by, data: { approvalId: event.approvalId, error: event.error.code } };
    case 'agent.fault':
      return { ...base, type: event.type, actor: event.agent, ...(event.taskId === undefined ? {} : { taskId: event.taskId }), data: { error: event.error.code, message: event.error.message } };
    case 'agent.state':
    case 'tasks.forgotten':
      return undefined;
    default:
      // Every event has its entry (or none): a new type fails to compile here.
      return event satisfies never;
  }
}
