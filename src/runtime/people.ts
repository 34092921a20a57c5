/**
 * The people's desk: escalations that reached the top and wait for a person, and approvals a
 * person decides for an agent with the authority — checked here with the same rules agents
 * are held to, so a refused decision throws and changes nothing.
 */
import { resolutionTaskId, type AgentEvent } from '../../machines/agent.machine.js';
import type { AgentReport } from '../../machines/ports.js';
import { assertAuthority } from '../approval/authority.js';
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Durable } from '../persistence/durable.js';
import type { Approval, Escalation, Task } from '../types.js';
import type { Orchestrator } from './api.js';
import type { Ledger } from './ledger.js';
import type { OrchestratorOptions } from './options.js';

export interface DeskDeps {
  readonly hierarchy: Hierarchy;
  readonly ledger: Ledger;
  readonly durable: Durable | undefined;
  readonly now: () => number;
  readonly send: (agentId: string, message: AgentEvent) => void;
  readonly report: (report: AgentReport) => void;
  readonly onEscalation: OrchestratorOptions['onEscalation'];
}

export interface Desk {
  readonly escalations: Orchestrator['escalations'];
  readonly approvals: Orchestrator['approvals'];
  /** Hands an escalation that reached the top to `onEscalation`, applying what it answers. */
  askHuman(escalation: Escalation): void;
}

export function peopleDesk(deps: DeskDeps): Desk {
  const { hierarchy, ledger, durable, now, send } = deps;
  const desk: Desk = {
    escalations: {
      active: () => ledger.activeEscalations(),
      resolved: () => ledger.resolvedEscalations(),
      get: (id) => ledger.escalation(id) ?? durable?.escalation(id),
      resolve(id, resolution) {
        const escalation = ledger.escalation(id);
        if (escalation === undefined || escalation.status !== 'active' || escalation.to !== 'human' || escalation.assignedTo !== undefined) {
          throw new EchelonError(
            'unknown_escalation',
            escalation === undefined
              ? `No escalation "${id}".`
              : escalation.status !== 'active'
                ? `Escalation "${id}" is already ${escalation.status}.`
                : `Escalation "${id}" is with ${escalation.assignedTo ?? escalation.to}, not waiting for a person.`,
            { details: { escalationId: id } },
          );
        }
        const by = `human:${resolution.by ?? 'operator'}`;
        if ('assignTo' in resolution) {
          hierarchy.get(resolution.assignTo);
          const record = ledger.tasks.get(resolutionTaskId(escalation.taskId, id));
          if (record === undefined) throw new EchelonError('unknown_escalation', `Escalation "${id}" has no task left to assign.`);
          const task: Task = { ...record.task, origin: { kind: 'escalation', escalationId: id, raisedBy: escalation.from }, chain: [resolution.assignTo] };
          ledger.move(task, resolution.assignTo);
          ledger.assign(id, resolution.assignTo);
          durable?.note({ type: 'escalation.assigned', at: now(), actor: by, taskId: escalation.taskId, rootId: task.rootId, data: { escalationId: id, to: resolution.assignTo } });
          send(resolution.assignTo, { type: 'task.assign', task, mode: 'execute' });
          return;
        }
        const settlement =
          'result' in resolution
            ? { status: 'completed' as const, result: resolution.result, executedBy: by, attempts: 0 }
            : { status: 'failed' as const, error: { code: 'escalation_unresolved' as const, message: `${by} ended escalation ${id}: ${resolution.fail}` }, executedBy: by, attempts: 0 };
        deps.report({ type: 'escalation.resolved', escalationId: id, resolvedBy: by, settlement });
        send(escalation.from, { type: 'escalation.resolved', escalationId: id, resolvedBy: by, settlement });
      },
    },
    approvals: {
      pending: () => ledger.pendingApprovals(),
      get: (id) => ledger.approval(id) ?? durable?.approval(id),
      approve(id, { by, comment }) {
        const approval = pendingApproval(id);
        assertAuthority(hierarchy, approval, approval.decisions, by);
        send(approval.requester, { type: 'approval.granted', approvalId: id, by, ...(comment === undefined ? {} : { comment }) });
      },
      reject(id, { by, reason }) {
        const approval = pendingApproval(id);
        assertAuthority(hierarchy, approval, approval.decisions, by);
        send(approval.requester, { type: 'approval.denied', approvalId: id, by, ...(reason === undefined ? {} : { reason }) });
      },
    },
    askHuman(escalation: Escalation) {
      Promise.resolve()
        .then(() => deps.onEscalation!(escalation))
        .then((resolution) => {
          const now = ledger.escalation(escalation.id);
          // Someone else may have answered meanwhile (through the API, or by cancelling the task).
          if (resolution && now?.status === 'active' && now.assignedTo === undefined) desk.escalations.resolve(escalation.id, resolution);
        })
        .catch((error: unknown) => console.error(`echelon: onEscalation threw for escalation ${escalation.id}:`, error));
    },
  };

  const pendingApproval = (id: string): Approval => {
    const approval = ledger.approval(id);
    if (approval === undefined || approval.status !== 'pending') {
      throw new EchelonError('unknown_approval', approval === undefined ? `No approval "${id}".` : `Approval "${id}" is already ${approval.status}.`, {
        details: { approvalId: id },
      });
    }
    return approval;
  };

  return desk;
}
