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
import { jsonProblem } from '../json.js';
import type { Durable } from './durability/index.js';
import { anything, checkShape, fields, readingCaller, shapeContext, text, type Shape } from '../shape/index.js';
import type { Approval, ApprovalDecision, Escalation, Task } from '../types.js';
import type { Orchestrator } from './api.js';
import type { Ledger } from './ledger.js';
import type { OrchestratorOptions } from './options.js';
import { logThrown } from '../show.js';

export interface DeskDeps {
  readonly hierarchy: Hierarchy;
  readonly ledger: Ledger;
  readonly durable: Durable | undefined;
  readonly now: () => number;
  readonly send: (agentId: string, message: AgentEvent) => void;
  readonly report: (report: AgentReport) => void;
  readonly onEscalation: OrchestratorOptions['onEscalation'];
  /** Whether the organisation has stopped: a decision then reaches no agent. */
  readonly stopped: () => boolean;
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
        checkResolution(id, resolution);
        const escalation = ledger.escalation(id);
        if (escalation === undefined || escalation.status !== 'active' || escalation.to !== 'human' || escalation.assignedTo !== undefined) {
          throw new EchelonError(
            'unknown_escalation',
            escalation === undefined
              ? `No escalation "${id}".`
              : escalation.status !== 'active'
                ? `Escalation "${id}" ${endedHow(escalation)}.`
                : `Escalation "${id}" is with ${escalation.assignedTo ?? escalation.to}, not waiting for a person.`,
            { details: { escalationId: id } },
          );
        }
        notCancelling(escalation.taskId, 'unknown_escalation', `Escalation "${id}" is being closed`, { escalationId: id });
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
      approve(id, decision) {
        const { by, comment } = checkDecision('approvals.approve', id, decision, APPROVE);
        decide(id, by, 'approved', (requester) => send(requester, { type: 'approval.granted', approvalId: id, by, ...(comment === undefined ? {} : { comment }) }));
      },
      reject(id, decision) {
        const { by, reason } = checkDecision('approvals.reject', id, decision, REJECT);
        decide(id, by, 'rejected', (requester) => send(requester, { type: 'approval.denied', approvalId: id, by, ...(reason === undefined ? {} : { reason }) }));
      },
    },
    askHuman(escalation: Escalation) {
      Promise.resolve()
        // Nobody is asked about one answered or closed in the burst that raised it (a listener of escalation.raised resolved it, its task was cancelled).
        .then(() => (waitsForPerson(escalation.id) ? deps.onEscalation!(escalation) : undefined))
        .then((resolution) => {
          if (deps.stopped()) {
            // As the API refuses it after stop: no agent would act on it, and the store keeps the escalation open for a resume.
            if (resolution) console.error(`echelon: onEscalation answered escalation ${escalation.id} after the organisation stopped; the answer is not taken (resume the organisation and resolve it there).`);
            return;
          }
          // Someone else may have answered meanwhile (through the API, or by cancelling the task).
          if (resolution && waitsForPerson(escalation.id)) desk.escalations.resolve(escalation.id, resolution);
        })
        .catch((error: unknown) => logThrown(`echelon: onEscalation threw for escalation ${escalation.id}:`, error));
    },
  };

  /**
   * Decisions sent that have not reached their agent yet. One made from a listener (or anything else
   * the organisation calls while it hands messages on) waits behind the message in hand; counted as
   * made, a second decision it settles is refused here, as it is a moment later — it used to be
   * taken, then refused by the agent with only an `approval.refused` event. Forgotten once the burst
   * is over (a microtask: by then every message has been handed on).
   */
  const underway = new Map<string, ApprovalDecision[]>();
  const decide = (id: string, by: string, decision: ApprovalDecision['decision'], deliver: (requester: string) => void) => {
    const approval = pendingApproval(id);
    notCancelling(approval.taskId, 'unknown_approval', `Approval "${id}" is being withdrawn`, { approvalId: id });
    const sent = underway.get(id) ?? [];
    const made = [...approval.decisions, ...sent];
    const settling = sent.find((earlier) => earlier.decision === 'rejected') ?? (made.filter((earlier) => earlier.decision === 'approved').length >= approval.quorum ? sent.at(-1) : undefined);
    if (settling !== undefined) {
      throw new EchelonError('unknown_approval', `Approval "${id}" is already ${settling.decision}: "${settling.by}" decided it, and that decision is on its way to ${approval.requester}.`, {
        details: { approvalId: id },
      });
    }
    assertAuthority(hierarchy, approval, made, by);
    deliver(approval.requester);
    const current = ledger.approval(id);
    if (current?.status !== 'pending' || current.decisions.some((taken) => taken.by === by)) return; // it reached its agent at once
    if (underway.size === 0) queueMicrotask(() => underway.clear());
    underway.set(id, [...sent, { by, decision, at: now() }]);
  };

  /**
   * Refuses a decision about a task whose cancellation is on its way (asked for in the same burst):
   * taken, it would reach an agent that has let the task go, and be refused there after the call returned.
   */
  const notCancelling = (taskId: string, code: 'unknown_approval' | 'unknown_escalation', what: string, details: Record<string, string>): void => {
    const reason = ledger.tasks.get(taskId)?.cancel;
    if (reason !== undefined) throw new EchelonError(code, `${what}: its task ${taskId} is being cancelled (${reason}).`, { details });
  };

  const waitsForPerson = (id: string): boolean => {
    const escalation = ledger.escalation(id);
    return escalation?.status === 'active' && escalation.assignedTo === undefined;
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

// ─── what people pass in: refused with invalid_option before anything is looked up ───────────

export const APPROVE = fields({ by: text, comment: text });
export const REJECT = fields({ by: text, reason: text });
const RESOLUTIONS = { result: fields({ result: anything, by: text }), fail: fields({ fail: text, by: text }), assignTo: fields({ assignTo: text, by: text }) };

const refuse = (where: string, message: string): never => {
  throw new EchelonError('invalid_option', `${where}: ${message}`);
};

function checkId(where: string, id: unknown): void {
  if (typeof id !== 'string' || id === '') refuse(where, `the first argument is the id to decide on (a string), got ${typeof id}.`);
}

/** Refuses a decision a person passes in (`invalid_option`), before anything is looked up. */
export function checkDecision<T extends { readonly by: string }>(where: string, id: unknown, decision: T | undefined, shape: Shape): T {
  checkId(where, id);
  const example = `${where}(id, { by: 'agent_id' })`;
  if (typeof decision !== 'object' || decision === null) return refuse(where, `the second argument says who decides: ${example}, got ${decision === null ? 'null' : typeof decision}.`);
  checkShape(decision, shape, '', shapeContext(where, 'invalid_option'));
  if (typeof decision.by !== 'string' || decision.by === '') refuse(where, `say who decides, an agent with authority over the request: ${example}.`);
  return decision;
}

/** Refuses a resolution a person passes in (`invalid_option`), before anything is looked up. */
export function checkResolution(id: unknown, resolution: unknown): void {
  readingCaller('escalations.resolve', 'invalid_option', 'the resolution', () => resolutionProblem(id, resolution));
}

function resolutionProblem(id: unknown, resolution: unknown): void {
  const where = 'escalations.resolve';
  checkId(where, id);
  const example = `${where}(id, { result }), { fail: 'reason' } or { assignTo: 'agent_id' }, each with an optional by`;
  if (typeof resolution !== 'object' || resolution === null) return refuse(where, `the second argument says how: ${example}; got ${resolution === null ? 'null' : typeof resolution}.`);
  const kinds = Object.keys(RESOLUTIONS).filter((kind) => kind in resolution);
  if (kinds.length !== 1) return refuse(where, `give exactly one of result, fail or assignTo (${example}); got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}.`);
  const kind = kinds[0] as keyof typeof RESOLUTIONS;
  checkShape(resolution, RESOLUTIONS[kind], '', shapeContext(where, 'invalid_option'));
  const problem = kind === 'result' && (resolution as { result: unknown }).result !== undefined ? jsonProblem((resolution as { result: unknown }).result, 'result') : undefined;
  if (problem !== undefined) refuse(where, `the result must be JSON data (it is the task's result): ${problem}.`);
}

/**
 * How a closed escalation ended, for the person who tries to resolve it: `failed` also closes one
 * whose task ended otherwise — cancelled or rejected — and "already failed" misled them then.
 */
function endedHow(escalation: Escalation): string {
  const ended = escalation.resolution?.status;
  if (escalation.status === 'failed' && ended !== undefined && ended !== 'failed' && ended !== 'completed') {
    return `is closed: its task ${escalation.taskId} was ${ended}`;
  }
  return `is already ${escalation.status}`;
}
