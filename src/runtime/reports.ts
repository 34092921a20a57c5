/**
 * The host's side of what agents report: keep the ledger (holders, escalations, approvals,
 * subtasks), the store and the resource registry up to date, cancel what agents no longer
 * need (a join's losers), and turn reports into lifecycle events (agent states coalesced per tick).
 */
import { resolutionTaskId } from '../../machines/agent.machine.js';
import type { AgentReport } from '../../machines/ports.js';
import type { Durable } from './durability/index.js';
import type { Escalation, Settlement, Task } from '../types.js';
import type { EventBus, OrchestratorEvent, OrchestratorEventType } from './events.js';
import type { Ledger } from './ledger.js';
import type { ResourceRegistry } from './resources.js';

export interface ReportDeps {
  readonly ledger: Ledger;
  readonly bus: EventBus;
  readonly durable: Durable | undefined;
  readonly resources: ResourceRegistry;
  readonly now: () => number;
  /** Emits an event built only when someone listens. */
  readonly emit: (type: OrchestratorEventType, build: () => OrchestratorEvent) => void;
  /** A submitted task reached its entry agent with its settlement. */
  readonly finish: (task: Task, settlement: Settlement) => void;
  readonly cancelLineage: (taskId: string, reason: string) => void;
  /** An escalation reached the top: a person decides. */
  readonly askHuman: (escalation: Escalation) => void;
}

/** The function agents report to. */
export function reportHandler(deps: ReportDeps): (report: AgentReport) => void {
  const { ledger, bus, durable, now, emit, finish, cancelLineage, askHuman } = deps;
  const agentStates = new Map<string, string>();
  const shownStates = new Map<string, string>();
  let flushScheduled = false;
  const rootOf = (taskId: string) => ledger.tasks.get(taskId)?.task.rootId ?? taskId;

  const flushStates = () => {
    flushScheduled = false;
    for (const [agent, state] of agentStates) {
      agentStates.delete(agent);
      if ((shownStates.get(agent) ?? 'receiving') === state) continue;
      shownStates.set(agent, state);
      bus.emit({ type: 'agent.state', agent, state, at: now() });
    }
  };

  const onReport = (report: AgentReport): void => {
    const at = now();
    durable?.report(report, ledger, at);
    switch (report.type) {
      case 'task.delegated': {
        // A task already marked for cancellation is ended by the agent it reaches (it asks on arrival).
        ledger.move(report.task, report.to);
        // The reports of every hop and attempt: no event (nor closure) built when nobody listens.
        if (bus.wants('task.delegated')) bus.emit({ type: 'task.delegated', task: report.task, from: report.from, to: report.to, at });
        return;
      }
      case 'task.queued':
        if (bus.wants('task.queued')) bus.emit({ type: 'task.queued', task: report.task, agent: report.agent, at });
        return;
      case 'task.started':
        if (bus.wants('task.started')) bus.emit({ type: 'task.started', task: report.task, agent: report.agent, attempt: report.attempt, at });
        return;
      case 'task.retrying':
        emit('task.retrying', () => ({ ...report, at }));
        return;
      case 'task.deferred':
        deps.resources.wait(report.agent, report.resources);
        emit('task.deferred', () => ({ ...report, at }));
        return;
      case 'task.ended':
        ledger.ended(report.task.id, report.agent);
        if (bus.wants('task.ended')) bus.emit({ type: 'task.ended', task: report.task, agent: report.agent, settlement: report.settlement, at });
        return;
      case 'task.decomposed':
        ledger.decompose(report.subtasks, report.agent);
        emit('task.decomposed', () => ({ type: 'task.decomposed', task: report.task, agent: report.agent, subtasks: report.subtasks, at }));
        return;
      case 'subtask.settled':
        ledger.drop(report.task.id);
        return;
      case 'tasks.cancel':
        for (const taskId of report.taskIds) cancelLineage(taskId, report.reason);
        return;
      case 'task.settled':
        finish(report.task, report.settlement);
        return;
      case 'escalation.raised': {
        const escalation = ledger.raise(report.escalation);
        const { task } = report.escalation;
        ledger.derive({ ...task, id: report.resolutionTaskId, parentId: task.id }, escalation.to === 'human' ? undefined : escalation.to);
        emit('escalation.raised', () => ({ type: 'escalation.raised', escalation, at }));
        if (escalation.to === 'human') askHuman(escalation);
        return;
      }
      case 'escalation.resolved': {
        const escalation = ledger.resolve(report, at);
        if (escalation !== undefined) ledger.drop(resolutionTaskId(escalation.taskId, report.escalationId));
        if (escalation !== undefined) emit('escalation.resolved', () => ({ type: 'escalation.resolved', escalation, at }));
        return;
      }
      case 'approval.requested': {
        const approval = ledger.request(report.approval, report.asked, rootOf(report.approval.taskId));
        emit('approval.requested', () => ({ type: 'approval.requested', approval, at }));
        return;
      }
      case 'approval.decision':
        ledger.decide(report.approvalId, report.decision);
        return;
      case 'approval.settled': {
        const approval = ledger.settleApproval(report.approvalId, report.status, at);
        if (approval !== undefined) emit('approval.decided', () => ({ type: 'approval.decided', approval, at }));
        return;
      }
      case 'approval.refused':
        emit('approval.refused', () => ({ ...report, at }));
        return;
      case 'agent.state':
        if (!bus.wants('agent.state')) return;
        agentStates.set(report.agent, report.state);
        if (!flushScheduled) {
          flushScheduled = true;
          queueMicrotask(flushStates);
        }
        return;
      case 'agent.fault': {
        // An approver's fault is about the requester's task, which goes on (a person may still decide).
        const taskId = report.task?.id ?? (report.approvalId === undefined ? undefined : ledger.approval(report.approvalId)?.taskId);
        emit('agent.fault', () => ({ type: 'agent.fault', agent: report.agent, error: report.error, ...(taskId === undefined ? {} : { taskId }), at }));
        if (report.task !== undefined) {
          const root = ledger.tasks.get(report.task.rootId)?.task;
          if (root !== undefined) finish(root, { status: 'failed', error: report.error, attempts: 0 });
        }
        return;
      }
    }
  };

  return onReport;
}
