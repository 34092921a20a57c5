/**
 * The audit log's lines: what each report from the agents (and each act of a person through
 * the orchestrator) puts in the journal — who did what to which task, when. Entries carry ids
 * and decisions, never payloads or results (those live in the task table and outcomes).
 */
import type { AgentReport } from '../../../machines/ports.js';
import { idempotencyKey } from '../../../machines/core/execution.js';
import type { Approval, Escalation, Settlement, Task } from '../../types.js';
import type { JournalRecord } from '../../store/types.js';

const ofTask = (task: Task) => ({ taskId: task.id, rootId: task.rootId });

const settled = (settlement: Settlement) => ({
  status: settlement.status,
  attempts: settlement.attempts,
  ...(settlement.executedBy === undefined ? {} : { executedBy: settlement.executedBy }),
  ...(settlement.splitBy === undefined ? {} : { splitBy: settlement.splitBy }),
  ...(settlement.error === undefined ? {} : { error: { code: settlement.error.code, message: settlement.error.message } }),
});

/** A `task.ended` entry's data: how the task ended at `agent`, and the attempt's idempotency key when its executor ran there. */
export function endedData(task: Task, agent: string, settlement: Settlement) {
  return { ...settled(settlement), ...(settlement.executedBy === agent ? { idempotencyKey: idempotencyKey(task, agent) } : {}) };
}

/** What the journal looks up in the host's books to file an entry under its task. */
export interface JournalLookup {
  /** The submitted task an active task belongs to. */
  rootOf(taskId: string): string | undefined;
  approval(approvalId: string): Pick<Approval, 'taskId' | 'requester'> | undefined;
  escalation(escalationId: string): Pick<Escalation, 'taskId'> | undefined;
}

/**
 * The journal line for a report, or `undefined` for reports that are not part of the audit
 * (agents' state changes).
 */
export function journalRecord(report: AgentReport, at: number, lookup: JournalLookup): JournalRecord | undefined {
  const filed = (taskId: string | undefined) => {
    if (taskId === undefined) return {};
    const rootId = lookup.rootOf(taskId);
    return rootId === undefined ? { taskId } : { taskId, rootId };
  };
  switch (report.type) {
    case 'task.delegated':
      return { type: 'task.delegated', at, actor: report.from, ...ofTask(report.task), data: { to: report.to } };
    case 'task.queued':
      return { type: 'task.queued', at, actor: report.agent, ...ofTask(report.task) };
    case 'task.started':
      return { type: 'task.started', at, actor: report.agent, ...ofTask(report.task), data: { attempt: report.attempt, idempotencyKey: idempotencyKey(report.task, report.agent) } };
    case 'task.retrying':
      return { type: 'task.retrying', at, actor: report.agent, ...ofTask(report.task), data: { attempt: report.attempt, delayMs: report.delayMs, error: report.error.code } };
    case 'task.deferred':
      return { type: 'task.deferred', at, actor: report.agent, ...ofTask(report.task), data: { resources: report.resources } };
    case 'task.decomposed':
      return { type: 'task.decomposed', at, actor: report.agent, ...ofTask(report.task), data: { subtasks: report.subtasks.map((task) => task.id) } };
    case 'task.ended':
      return { type: 'task.ended', at, actor: report.agent, ...ofTask(report.task), data: endedData(report.task, report.agent, report.settlement) };
    case 'subtask.settled':
      return { type: 'subtask.settled', at, actor: report.task.chain[0] ?? 'orchestrator', ...ofTask(report.task), data: settled(report.settlement) };
    case 'tasks.cancel': {
      // One entry for the set (the losers of one join): filed under their submitted task.
      const rootId = report.taskIds[0] === undefined ? undefined : lookup.rootOf(report.taskIds[0]);
      return { type: 'task.cancelling', at, actor: report.agent, ...(rootId === undefined ? {} : { rootId }), data: { taskIds: report.taskIds, reason: report.reason } };
    }
    case 'task.settled':
      return { type: 'task.settled', at, actor: report.task.chain[0] ?? 'orchestrator', ...ofTask(report.task), data: settled(report.settlement) };
    case 'escalation.raised': {
      const { escalation } = report;
      return {
        type: 'escalation.raised',
        at,
        actor: escalation.from,
        ...ofTask(escalation.task),
        data: { escalationId: escalation.id, reason: escalation.reason, to: escalation.to, message: escalation.message },
      };
    }
    case 'escalation.resolved':
      return {
        type: 'escalation.resolved',
        at,
        actor: report.settlement.executedBy ?? report.settlement.splitBy ?? report.resolvedBy,
        ...filed(lookup.escalation(report.escalationId)?.taskId),
        data: { escalationId: report.escalationId, ...settled(report.settlement) },
      };
    case 'approval.requested': {
      const { approval } = report;
      return {
        type: 'approval.requested',
        at,
        actor: approval.requester,
        ...filed(approval.taskId),
        data: { approvalId: approval.id, approver: approval.approver, quorum: approval.quorum, ...(approval.expiresAt === undefined ? {} : { expiresAt: approval.expiresAt }) },
      };
    }
    case 'approval.decision':
      return {
        type: 'approval.decided',
        at,
        actor: report.decision.by,
        ...filed(lookup.approval(report.approvalId)?.taskId),
        data: { approvalId: report.approvalId, decision: report.decision.decision, ...(report.decision.note === undefined ? {} : { note: report.decision.note }) },
      };
    case 'approval.settled': {
      const approval = lookup.approval(report.approvalId);
      return { type: 'approval.settled', at, actor: approval?.requester ?? 'orchestrator', ...filed(approval?.taskId), data: { approvalId: report.approvalId, status: report.status } };
    }
    case 'approval.refused':
      return { type: 'approval.refused', at, actor: report.by, ...filed(lookup.approval(report.approvalId)?.taskId), data: { approvalId: report.approvalId, error: report.error.code } };
    case 'agent.fault':
      return {
        type: 'agent.fault',
        at,
        actor: report.agent,
        ...(report.task !== undefined ? ofTask(report.task) : report.approvalId !== undefined ? filed(lookup.approval(report.approvalId)?.taskId) : {}),
        data: { error: report.error.code, message: report.error.message, ...(report.approvalId === undefined ? {} : { approvalId: report.approvalId }) },
      };
    case 'agent.state':
      return undefined;
  }
}
