/**
 * Which submitted task each report of an agent belongs to: its books (`case-object.ts`) are kept
 * per submitted task, so every report goes to the case of its root task. Reports that name a task
 * carry its root; the others (an approval's decision, an escalation's resolution) are found
 * through what the agent held before and after the message, and the message itself.
 */
import type { AgentContext, AgentEvent } from '../../machines/agent.machine.js';
import { escalationOfResolution } from '../../machines/agent.types.js';
import type { AgentReport } from '../../machines/ports.js';
import type { ApprovalRequest, Task } from '../types.js';

/** Finds the root task of every report one turn produced. */
export interface RootIndex {
  rootOf(report: AgentReport): string | undefined;
}

/** The index over the agent's table before and after a turn, and the message the turn handled. */
export function rootIndex(contexts: readonly (AgentContext | undefined)[], event: AgentEvent): RootIndex {
  const tasks = new Map<string, string>();
  const escalations = new Map<string, string>();
  const approvals = new Map<string, string>();
  const note = (task: Task) => {
    tasks.set(task.id, task.rootId);
    const escalation = escalationOfResolution(task.id);
    if (escalation !== undefined) escalations.set(escalation, task.rootId);
  };
  if ('task' in event && event.task !== undefined) note(event.task);
  if (event.type === 'escalation.raised') {
    note(event.escalation.task);
    // Its resolution task may end in this very turn (nobody can take it), held neither before nor after.
    escalations.set(event.escalation.id, event.escalation.task.rootId);
  }
  for (const context of contexts) {
    if (context === undefined) continue;
    for (const record of Object.values(context.held)) {
      note(record.task);
      // A split task's subtasks have left for their agents, but its join still names them (a join's losers are cancelled by id).
      if (record.join !== undefined) for (const part of record.join.parts) tasks.set(part.taskId, record.task.rootId);
    }
    if (context.current !== null) note(context.current.task);
  }
  // The submitted task a request belongs to. A request stored before requests named it (`rootId`,
  // still in an agent's Restate state after an upgrade) is found by its task, as before.
  const rootOfRequest = (request: ApprovalRequest): string => (request as { readonly rootId?: string }).rootId ?? tasks.get(request.taskId) ?? request.taskId;
  // An approver holds nothing of the request it decides: the request names its submitted task.
  if (event.type === 'approval.requested') approvals.set(event.approval.id, rootOfRequest(event.approval));
  if (event.type === 'echelon.approver') approvals.set(event.request.id, rootOfRequest(event.request));
  for (const context of contexts) {
    if (context === undefined) continue;
    for (const [approvalId, taskId] of Object.entries(context.approvals)) {
      const root = tasks.get(taskId);
      if (root !== undefined) approvals.set(approvalId, root);
    }
    for (const [escalationId, taskId] of Object.entries(context.escalations)) {
      const root = tasks.get(taskId);
      if (root !== undefined) escalations.set(escalationId, root);
    }
  }
  return {
    rootOf(report) {
      switch (report.type) {
        case 'escalation.raised':
          return report.escalation.task.rootId;
        case 'escalation.resolved':
          return escalations.get(report.escalationId);
        case 'approval.requested': {
          const root = rootOfRequest(report.approval);
          approvals.set(report.approval.id, root);
          return root;
        }
        case 'approval.decision':
        case 'approval.settled':
        case 'approval.refused':
          return approvals.get(report.approvalId);
        case 'tasks.cancel':
          return report.taskIds[0] === undefined ? undefined : tasks.get(report.taskIds[0]);
        case 'agent.state':
          return undefined;
        case 'agent.fault':
          return report.task?.rootId ?? (report.approvalId === undefined ? undefined : approvals.get(report.approvalId));
        default:
          return report.task.rootId;
      }
    },
  };
}
