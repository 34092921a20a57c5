/**
 * Approvals, on both sides. The requester parks its task with the request in the task's record:
 * it asks the approver, collects decisions from those with authority until the quorum approves
 * or one rejects, and moves the request one level up each time it expires undecided (at the root
 * it is rejected as expired). The approver, asked, decides with its policy (at once, or later),
 * or leaves the decision to a person.
 */
import { isThenable } from '../../src/thenable.js';
import type { ApproverDecision } from '../../src/approval/approvers.js';
import { taskErrorFromUnknown, type TaskError } from '../../src/errors.js';
import type { AgentMessage, ApprovalDecision, ApprovalRequest, ApprovalRequirement } from '../../src/types.js';
import type { AgentInternalEvent, HeldTask } from '../agent.types.js';
import { end } from './delivery.js';
import { claim, control, move, report, send, token, type Turn } from './turn.js';
import { table } from './tables.js';

const timerKey = (approvalId: string) => `apv:${approvalId}`;

/** Parks a task until an approval settles; rejects it when no approval can be requested. */
export function park(t: Turn, record: HeldTask, requirement: ApprovalRequirement): void {
  const { host, policy, settings } = t.ports;
  const approvalId = host.newId('apv');
  // One reading of the clock: the request's deadline is exactly its timeout after it was made, on any host.
  const now = host.now();
  const request = policy.approvalRequest(t.me, record.task, requirement, approvalId, now);
  if (!('id' in request)) {
    end(t, record, { status: 'rejected', error: request, attempts: 0 });
    return;
  }
  claim(t, record.task);
  move(t, record, 'park');
  record.approval = { request, decisions: [], asked: [], timeoutMs: requirement.timeoutMs ?? settings.approvalTimeoutMs };
  table(t.ctx, 'approvals')[approvalId] = record.task.id;
  ask(t, record, now);
}

/** Asks the current approver (now, as the clock read it), with a deadline when the request has a timeout. */
function ask(t: Turn, record: HeldTask, now: number): void {
  const approval = record.approval!;
  if (approval.timeoutMs !== undefined) {
    approval.request = { ...approval.request, expiresAt: now + approval.timeoutMs };
    const tag = token(t);
    record.attempt = tag;
    t.effects.push({ type: 'arm', key: timerKey(approval.request.id), delayMs: approval.timeoutMs, event: { type: 'echelon.timer', taskId: record.task.id, token: tag, what: 'approval' } });
  }
  if (approval.asked.at(-1) !== approval.request.approver) approval.asked = [...approval.asked, approval.request.approver];
  send(t, approval.request.approver, { type: 'approval.requested', approval: approval.request });
  report(t, { type: 'approval.requested', approval: approval.request, asked: approval.asked });
}

/** The approver asked now need not decide any more (a decision ended the request, or it moved up). */
function withdraw(t: Turn, request: ApprovalRequest): void {
  send(t, request.approver, { type: 'approval.withdrawn', approvalId: request.id });
}

/**
 * A decision reached the requester: checked for authority, recorded, and the request settled when
 * it can be. Returns the task when the request is approved: the caller takes it for execution.
 */
export function decided(t: Turn, event: Extract<AgentMessage, { type: 'approval.granted' | 'approval.denied' }>): HeldTask | undefined {
  const taskId = t.ctx.approvals[event.approvalId];
  const record = taskId === undefined ? undefined : t.ctx.held[taskId];
  if (record?.approval === undefined || record.phase !== 'parked') {
    report(t, {
      type: 'approval.refused',
      approvalId: event.approvalId,
      by: event.by,
      error: { code: 'unknown_approval', message: `${t.me} has no pending approval ${event.approvalId}.` },
    });
    return undefined;
  }
  const approval = record.approval;
  const refusal = t.ports.policy.authorize(approval.request, approval.decisions, event.by);
  if (refusal !== undefined) {
    report(t, { type: 'approval.refused', approvalId: event.approvalId, by: event.by, error: refusal });
    return undefined;
  }
  const at = t.ports.host.now();
  const decision: ApprovalDecision =
    event.type === 'approval.granted'
      ? { by: event.by, decision: 'approved', ...(event.comment === undefined ? {} : { note: event.comment }), at }
      : { by: event.by, decision: 'rejected', ...(event.reason === undefined ? {} : { note: event.reason }), at };
  approval.decisions = [...approval.decisions, decision];
  report(t, { type: 'approval.decision', approvalId: event.approvalId, decision });
  if (event.type === 'approval.denied') {
    const why = event.reason ? `: ${event.reason}` : '.';
    settle(t, record, { code: 'rejected', message: `${event.by} rejected approval ${event.approvalId}${why}` });
    return undefined;
  }
  if (approval.decisions.filter((d) => d.decision === 'approved').length < approval.request.quorum) return undefined;
  settle(t, record, undefined);
  return record;
}

/** The request's deadline passed undecided: it moves one level up, or at the root it expires. */
export function expired(t: Turn, event: Extract<AgentInternalEvent, { type: 'echelon.timer' }>): void {
  const record = t.ctx.held[event.taskId];
  if (record?.approval === undefined || record.phase !== 'parked' || record.attempt !== event.token) return;
  const { request } = record.approval;
  const next = t.ports.policy.nextApprover(request);
  if (next === undefined) {
    settle(t, record, { code: 'approval_expired', message: `Approval ${request.id} expired undecided; nobody above ${request.approver} is left to ask.` });
    return;
  }
  withdraw(t, request);
  record.approval.request = { ...request, ...next };
  ask(t, record, t.ports.host.now());
}

/** Ends a request: approved (the task is marked approved by it), or rejected / expired (the task is rejected). */
function settle(t: Turn, record: HeldTask, error: TaskError | undefined): void {
  const { request } = record.approval!;
  t.effects.push({ type: 'disarm', key: timerKey(request.id) });
  withdraw(t, request);
  delete t.ctx.approvals[request.id];
  report(t, { type: 'approval.settled', approvalId: request.id, status: error === undefined ? 'approved' : error.code === 'approval_expired' ? 'expired' : 'rejected' });
  record.approval = undefined;
  if (error !== undefined) {
    end(t, record, { status: 'rejected', error, attempts: 0 });
    return;
  }
  record.task = { ...record.task, approvedBy: [...record.task.approvedBy, request.id] };
}

/** Cancels a parked task's request: its approver need not decide, its timer goes. */
export function withdrawRequest(t: Turn, record: HeldTask): void {
  const { request } = record.approval!;
  t.effects.push({ type: 'disarm', key: timerKey(request.id) });
  withdraw(t, request);
  delete t.ctx.approvals[request.id];
  record.approval = undefined;
  report(t, { type: 'approval.settled', approvalId: request.id, status: 'cancelled' });
}

/** The message that carries an approver's decision back to the requester. */
export function decisionMessage(request: ApprovalRequest, by: string, decision: ApproverDecision): AgentMessage {
  return decision.approve
    ? { type: 'approval.granted', approvalId: request.id, by, ...(decision.comment === undefined ? {} : { comment: decision.comment }) }
    : { type: 'approval.denied', approvalId: request.id, by, reason: decision.reason };
}

/** This agent was asked to decide a request: with its policy, now or later, or it leaves it to a person. */
export function requested(t: Turn, request: ApprovalRequest): void {
  const meter = control(t, { id: request.taskId });
  let answer: ReturnType<typeof t.ports.policy.decideApproval>;
  try {
    answer = t.ports.policy.decideApproval(t.me, request, meter);
  } catch (error) {
    report(t, { type: 'agent.fault', agent: t.me, error: taskErrorFromUnknown(error, 'policy_error'), approvalId: request.id });
    return;
  }
  if (isThenable(answer)) {
    t.effects.push({
      type: 'await',
      key: `apr:${request.id}`,
      promise: Promise.resolve(answer), // a host may use all of a promise (catch, finally), not only then
      timeoutMs: t.ports.settings.decisionTimeoutMs(t.me),
      abort: () => meter.abort(),
      answer: (decision) => ({ type: 'echelon.approver', request, decision: decision as ApproverDecision | undefined }),
      fail: (error) => ({ type: 'echelon.approver', request, decision: undefined, error: taskErrorFromUnknown(error, 'policy_error') }),
      // Asked again, as the requester asks again after a restore.
      again: () => ({ type: 'approval.requested', approval: request }),
    });
  } else if (answer !== undefined) {
    send(t, request.requester, decisionMessage(request, t.me, answer));
  }
}

/** This agent's policy decided later. */
export function approverDecided(t: Turn, event: Extract<AgentInternalEvent, { type: 'echelon.approver' }>): void {
  if (event.error !== undefined) report(t, { type: 'agent.fault', agent: t.me, error: event.error, approvalId: event.request.id });
  if (event.decision !== undefined) send(t, event.request.requester, decisionMessage(event.request, t.me, event.decision));
}
