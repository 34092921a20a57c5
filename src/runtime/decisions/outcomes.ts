/**
 * The steps decisions end in, shared by evaluation and selection: execute (after approval when a
 * flag, the task or the organisation's rule asks for it), hand down, escalate carrying the
 * failure that started it, or end a task nobody can take.
 */
import type { Job, Step } from '../../../machines/ports.js';
import type { Route } from '../../delegation/route.js';
import type { Candidate, Declined } from '../../delegation/types.js';
import type { TaskError } from '../../errors.js';
import type { EscalationVerdict } from '../../escalation/types.js';
import type { AgentNode } from '../../hierarchy/types.js';
import type { ApprovalRequirement, EscalationReason, Task } from '../../types.js';
import { readApprovalRule } from '../../approval/rule.js';
import type { DecisionConfig } from './config.js';

/** A failed step with a code, message and details. */
export function failStep(code: TaskError['code'], message: string, details?: Record<string, unknown>): Step {
  return { kind: 'fail', error: details === undefined ? { code, message } : { code, message, details } };
}

/**
 * An escalation of `task`: a task an executor failed carries that failure up with it, in the
 * escalation's `error` and its message (a policy's "nobody below can do it" is then not the whole story).
 */
export function raise(task: Task, reason: EscalationReason, to: string, message: string, error?: TaskError): Step {
  const cause = task.cause;
  const carried = error ?? cause?.error;
  if (carried === undefined) return { kind: 'escalate', reason, to, message };
  const told = cause === undefined || message.includes(cause.error.message) ? message : `${message} (${cause.by} failed it: ${cause.error.message})`;
  return { kind: 'escalate', reason, to, message: told, error: carried, ...(cause?.error === carried && cause.retryable === false ? { retryable: false as const } : {}) };
}

/** The steps that end a decision, over one organisation's configuration. */
export function outcomes(config: DecisionConfig) {
  /** Nobody can take the task from here: a person decides, or it fails (with the error that started it, if any). */
  const dead = (agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError, declined?: Declined): Step => {
    if (config.human) return raise(task, reason, 'human', message, error);
    if (error !== undefined) return { kind: 'fail', error };
    if (task.cause !== undefined) return { kind: 'fail', error: task.cause.error, executedBy: task.cause.by, attempts: task.cause.attempts ?? 0 };
    if (reason !== 'beyond_capability') {
      // Escalated for something other than capability (an executor asking for a decision, say): say so.
      return failStep('escalation_unresolved', `${message} — ${agentId} escalated "${task.type}" (${reason}) and nobody above it can resolve it.`, {
        taskId: task.id,
        reason,
        agentId,
      });
    }
    const excluded = task.excluded.length > 0 ? ` (besides ${task.excluded.join(', ')}, which could not)` : '';
    if (declined !== undefined) {
      // The capability is there below: the strategy kept the task (it answered undefined), and this agent cannot do it.
      const why = `its strategy "${declined.strategy}" chose none of the children that could (${declined.children.join(', ')}), and ${agentId} cannot do it itself`;
      return failStep('unroutable', `No agent can take "${task.type}" from ${agentId}: ${why}${excluded}.`, { taskId: task.id, type: task.type, agentId, strategy: declined.strategy });
    }
    return failStep('unroutable', `No agent can take "${task.type}" from ${agentId}: nobody there or below has that capability${excluded}.`, {
      taskId: task.id,
      type: task.type,
      agentId,
    });
  };

  /** Execute here — after approval when a flag (`flagged`), the task or the organisation's rule asks for it. */
  const execute = (task: Task, node: AgentNode, flagged: EscalationVerdict | undefined, job: Job | undefined): Step => {
    let requirement: ApprovalRequirement | undefined;
    if (task.approvedBy.length === 0) {
      if (flagged !== undefined) requirement = task.approval ?? {};
      else {
        const ruled = readApprovalRule(config.approvalRule?.(task, node), task, node);
        if (ruled.kind === 'invalid') return { kind: 'fail', error: { code: 'invalid_option', message: ruled.message } };
        if (ruled.kind === 'required') requirement = ruled.requirement;
      }
    }
    const withJob = job === undefined ? {} : { job };
    if (requirement === undefined) return { kind: 'execute', ...withJob };
    const reason = requirement.reason ?? flagged?.message;
    return { kind: 'execute', approval: { ...requirement, ...(reason === undefined ? {} : { reason }) }, ...withJob };
  };

  /** What the route says, when nothing is escalated. */
  const proceed = (agentId: string, node: AgentNode, task: Task, route: Route, candidates: readonly Candidate[], job: Job | undefined, declined?: Declined): Step => {
    const withJob = job === undefined ? {} : { job };
    switch (route) {
      case 'delegate':
        return { kind: 'delegate', candidates, ...withJob };
      case 'execute':
        return execute(task, node, undefined, job);
      case 'none':
        return { ...dead(agentId, task, 'beyond_capability', `Nobody at or below ${agentId} can do "${task.type}".`, undefined, declined), ...withJob };
    }
  };

  return { dead, execute, proceed };
}

export type Outcomes = ReturnType<typeof outcomes>;
