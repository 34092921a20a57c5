/**
 * Results going back: a settled task travels one step back along its delegation chain; at its
 * entry agent it reaches its origin — the submitter, the join of the task it was split from, or
 * the agent whose escalation it resolves.
 */
import { cancelJoin, joinAfter, type JoinProgress } from '../../src/delegation/join.js';
import type { TaskError } from '../../src/errors.js';
import type { Settlement, Task } from '../../src/types.js';
import type { HeldTask } from '../agent.types.js';
import { move, release, report, send, type Turn } from './turn.js';

/** Delivers a settled task one step back along its chain, or to its origin at the entry agent. */
export function deliver(t: Turn, task: Task, settlement: Settlement): void {
  const { me } = t;
  const at = task.chain.indexOf(me);
  if (at > 0) {
    send(t, task.chain[at - 1]!, { type: settlement.status === 'completed' ? 'task.completed' : 'task.failed', task, settlement });
    return;
  }
  const origin = task.origin;
  if (at === 0 && origin.kind === 'submitter') {
    report(t, { type: 'task.settled', task, settlement });
  } else if (at === 0 && origin.kind === 'subtask' && origin.agent === me) {
    report(t, { type: 'subtask.settled', task, settlement });
    const parent = t.ctx.held[origin.parentId];
    if (parent?.join !== undefined) progress(t, parent, joinAfter(parent.join, task.id, settlement, task.chain));
  } else if (at === 0 && origin.kind === 'escalation') {
    const { escalationId, raisedBy } = origin;
    send(t, raisedBy, { type: 'escalation.resolved', escalationId, resolvedBy: me, settlement });
    report(t, { type: 'escalation.resolved', escalationId, resolvedBy: me, settlement });
  } else {
    report(t, {
      type: 'agent.fault',
      agent: me,
      task,
      error: { code: 'delegation_loop', message: `${me} received a result for task ${task.id}, whose chain (${task.chain.join(' → ')}) does not include it.` },
    });
  }
}

/** Ends a held task here (executed, failed, rejected or cancelled here) and delivers it. */
export function end(t: Turn, record: HeldTask, settlement: Settlement): void {
  move(t, record, 'leave');
  release(t, record.task);
  report(t, { type: 'task.ended', task: record.task, agent: t.me, settlement });
  deliver(t, record.task, settlement);
}

/** A split task's join moved on: cancel the subtasks it no longer needs, deliver it once done. */
export function progress(t: Turn, record: HeldTask, next: JoinProgress): void {
  const parentId = record.task.id;
  if (next.cancel.length > 0) report(t, { type: 'tasks.cancel', agent: t.me, taskIds: next.cancel, reason: `${parentId} no longer needs it` });
  record.join = next.join;
  if (!next.done) return;
  move(t, record, 'leave');
  deliver(t, record.task, t.ports.policy.settleJoin(t.me, next.join));
}

/** Cancels a split task: its subtasks still running are cancelled, and it ends once they have. */
export function cancelSplit(t: Turn, record: HeldTask, error: TaskError): void {
  progress(t, record, cancelJoin(record.join!, error));
}
