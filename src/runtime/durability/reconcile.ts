/**
 * Reconciliation after a restore: the host's task table against the agents' statecharts.
 *
 * Writes happen only between bursts of work, when no message is in flight between actors, so
 * in a store written in whole batches every active task is held by an agent: in its inbox,
 * pipeline, queue, an execution, an approval, an escalation it raised, a join, or deferred.
 * A task the table names but no agent holds was lost in flight (a store that tore a batch, say);
 * its holder is the agent the table says it was sent to, and it is sent there again — the same
 * `task.assign`, or the same `escalation.raised` for the task an escalation's target works on.
 * Cancellations asked for are sent again too: an agent ignores one for a task it no longer holds.
 * It decides what to send; the caller journals it, then sends it.
 */
import { escalationOfResolution, type AgentContext, type AgentEvent } from '../../../machines/agent.types.js';
import type { Escalation, EscalationRequest, Task } from '../../types.js';
import type { ActiveTask } from './books.js';

/** Every task id an agent holds: the keys of its table. */
export function heldBy(context: AgentContext): Set<string> {
  return new Set(Object.keys(context.held));
}

/** What reconciling needs to see and do. */
export interface ReconcileHost {
  readonly records: Iterable<ActiveTask>;
  /** The context of each agent, by id. */
  context(agentId: string): AgentContext;
  agentIds(): Iterable<string>;
  escalation(id: string): Escalation | undefined;
}

/** A task sent again, for the journal. */
export interface Redelivery {
  readonly task: Task;
  readonly to: string;
  readonly as: 'task.assign' | 'escalation.raised';
}

/** What to send again: active tasks no agent holds, to their holders, and pending cancellations. */
export function reconcile(host: ReconcileHost): { readonly redelivered: Redelivery[]; readonly messages: Array<readonly [string, AgentEvent]> } {
  const held = new Set<string>();
  for (const id of host.agentIds()) for (const taskId of heldBy(host.context(id))) held.add(taskId);
  const redelivered: Redelivery[] = [];
  const messages: Array<readonly [string, AgentEvent]> = [];
  for (const record of host.records) {
    const { task, holder } = record;
    if (holder === undefined || held.has(task.id)) continue;
    const escalation = escalationFor(task, host);
    const resolving = escalation !== undefined && task.origin.kind === 'escalation' && task.origin.escalationId === escalation.id;
    if (escalation !== undefined && !resolving) {
      // The task an escalation's target is to work on, as the host derived it: the target never got the escalation.
      const raiser = host.context(escalation.from);
      const raisedId = raiser.escalations[escalation.id];
      const raised = raisedId === undefined ? undefined : raiser.held[raisedId]?.task;
      if (raised === undefined) continue; // the raiser lost it too: the raiser's own task is re-sent instead
      const { taskId: _, rootId: ____, taskType: __, status: ___, ...request } = escalation;
      messages.push([holder, { type: 'escalation.raised', escalation: { ...request, task: raised } as EscalationRequest }]);
      redelivered.push({ task, to: holder, as: 'escalation.raised' });
      continue;
    }
    // A person assigned it (`org.escalations.resolve(id, { assignTo })`): the agent executes it, whatever routing says.
    const assigned = resolving && task.chain.length === 1 && task.chain[0] === holder && escalation.to === 'human';
    messages.push([holder, { type: 'task.assign', task, ...(assigned ? { mode: 'execute' as const } : {}) }]);
    redelivered.push({ task, to: holder, as: 'task.assign' });
  }
  for (const record of host.records) {
    if (record.cancel !== undefined && record.holder !== undefined) messages.push([record.holder, { type: 'task.cancel', taskId: record.task.id, reason: record.cancel }]);
  }
  return { redelivered, messages };
}

/** The open escalation `task` resolves (its id is `<taskId>!<escalationId>`), if it is such a task. */
function escalationFor(task: Task, host: ReconcileHost): Escalation | undefined {
  const id = escalationOfResolution(task.id);
  if (id === undefined) return undefined;
  const escalation = host.escalation(id);
  return escalation?.status === 'active' ? escalation : undefined;
}
