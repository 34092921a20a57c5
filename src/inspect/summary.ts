/**
 * One line per lifecycle event, for people: what the live view's event stream and the
 * stepper's trace show. Summaries are plain JSON (no payloads), safe to send to a browser.
 */
import { EchelonError } from '../errors.js';
import { checkEventType, type OrchestratorEvent } from '../runtime/events.js';
import { readingCaller } from '../shape/index.js';
import { show } from '../show.js';
import type { Settlement } from '../types.js';

/** A lifecycle event as the live view lists it. */
export interface EventSummary {
  readonly type: OrchestratorEvent['type'];
  /** The orchestrator clock's time of the event. */
  readonly at: number;
  /** The event in one line, e.g. `python task_1: cto → backend_lead`. */
  readonly text: string;
  /** The task the event is about, if any. */
  readonly taskId?: string;
  /** For `task.ended`: how the task ended there. */
  readonly status?: Settlement['status'];
}

/**
 * Describes a lifecycle event in one line.
 *
 * @example
 * ```ts
 * org.on('*', (event) => console.log(describeEvent(event)));
 * // python task_x1: cto → backend_lead
 * ```
 */
export function describeEvent(event: OrchestratorEvent): string {
  // Public: what a caller hands in may be no event, or half of one (a TypeError deep inside would say neither).
  if (typeof event !== 'object' || event === null) throw new EchelonError('invalid_option', `describeEvent takes an event as org.on and org.events give it, got ${show(event)}.`);
  checkEventType('describeEvent', event.type, false);
  return readingCaller('describeEvent', 'invalid_option', `the ${event.type} event (pass it as org.on and org.events give it)`, () => describeKnown(event));
}

function describeKnown(event: OrchestratorEvent): string {
  switch (event.type) {
    case 'task.submitted':
      return `${label(event.task)} submitted at ${event.task.chain[0] ?? '?'}`;
    case 'task.delegated':
      return `${label(event.task)}: ${event.from} → ${event.to}`;
    case 'task.queued':
      return `${label(event.task)} waits in ${event.agent}'s queue`;
    case 'task.started':
      return `${label(event.task)} executing at ${event.agent}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`;
    case 'task.retrying':
      return `${label(event.task)} at ${event.agent} failed (${event.error.message}); retry ${event.attempt} in ${event.delayMs} ms`;
    case 'task.deferred':
      return `${label(event.task)} at ${event.agent} waits for ${event.resources.join(', ')}`;
    case 'task.ended':
      return `${label(event.task)} ${event.settlement.status} at ${event.agent}${event.settlement.error === undefined ? '' : `: ${event.settlement.error.message}`}`;
    case 'task.decomposed':
      return `${label(event.task)} split by ${event.agent} into ${event.subtasks.map((subtask) => subtask.id).join(', ')}`;
    case 'task.completed':
      return `${event.outcome.type} ${event.outcome.taskId} completed ${event.outcome.splitBy === undefined ? `by ${event.outcome.executedBy ?? 'nobody'}` : `split by ${event.outcome.splitBy}`} via ${event.outcome.delegationChain.join(' → ')}`;
    case 'task.failed':
      return `${event.outcome.type} ${event.outcome.taskId} ${event.outcome.status}: ${event.outcome.error?.message ?? 'no reason given'}`;
    case 'escalation.raised':
      return `${event.escalation.taskType} ${event.escalation.taskId} escalated (${event.escalation.reason}) ${event.escalation.from} → ${event.escalation.to}: ${event.escalation.message}`;
    case 'escalation.resolved':
      return `escalation ${event.escalation.id} of ${event.escalation.taskId} ${event.escalation.status} by ${event.escalation.resolvedBy ?? 'nobody'}`;
    case 'approval.requested':
      return `${event.approval.taskType} ${event.approval.taskId} at ${event.approval.requester} awaits approval by ${event.approval.approver}`;
    case 'approval.decided':
      return `approval ${event.approval.id} of ${event.approval.taskId} ${event.approval.status}${decidedBy(event.approval.decisions)}`;
    case 'approval.refused':
      return `decision by ${event.by} on approval ${event.approvalId} refused: ${event.error.message}`;
    case 'agent.state':
      return `${event.agent} is ${event.state}`;
    case 'agent.fault':
      return `fault at ${event.agent}${event.taskId === undefined ? '' : ` (task ${event.taskId})`}: ${event.error.message}`;
    case 'tasks.forgotten':
      return `forgot ${event.forgotten.tasks.toLocaleString('en-US')} finished task${event.forgotten.tasks === 1 ? '' : 's'} settled before ${event.settledBefore}`;
  }
}

/**
 * The event as the live view sends it to the page: its type, time, one line, and the task it is about.
 *
 * @example
 * ```ts
 * org.on('*', (event) => feed.push(summarizeEvent(event))); // { type: 'task.started', at: 12, text: '…', taskId: 'task_1' }
 * ```
 */
export function summarizeEvent(event: OrchestratorEvent): EventSummary {
  const taskId = taskIdOf(event);
  return { type: event.type, at: event.at, text: describeEvent(event), ...(taskId === undefined ? {} : { taskId }), ...(event.type === 'task.ended' ? { status: event.settlement.status } : {}) };
}

function taskIdOf(event: OrchestratorEvent): string | undefined {
  if ('task' in event) return event.task.id;
  if ('outcome' in event) return event.outcome.taskId;
  if ('escalation' in event) return event.escalation.taskId;
  if ('approval' in event) return event.approval.taskId;
  if ('taskId' in event) return event.taskId;
  return undefined;
}

function label(task: { readonly type: string; readonly id: string }): string {
  return `${task.type} ${task.id}`;
}

function decidedBy(decisions: readonly { readonly by: string; readonly decision: string }[]): string {
  return decisions.length === 0 ? '' : ` (${decisions.map((decision) => `${decision.decision} by ${decision.by}`).join(', ')})`;
}
