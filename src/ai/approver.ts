/**
 * `llmApprover`: an approver policy in which an agent's model decides the approval requests
 * sent to it, under a policy written in plain language, always with a stated reason — the
 * reason becomes the decision's note in the approval's record.
 */
import * as z from 'zod/v4';
import type { ApproverContext, ApproverDecision, ApproverPolicy } from '../approval/approvers.js';
import { EchelonError } from '../errors.js';
import type { ApprovalRequest } from '../types.js';
import { describeAgent, describeApprovalRequest } from './describe.js';
import { askForObject, notify, type DecisionModelOptions } from './model.js';

/** Options of {@link llmApprover}. */
export interface LlmApproverOptions extends DecisionModelOptions {
  /** The approval policy in plain language, e.g. "Approve routine changes; reject anything touching production on Fridays." */
  readonly policy: string;
  /** Let the model leave a request to a person (`defer`) instead of deciding (default true). */
  readonly allowDefer?: boolean;
  /** Told every decision the model makes, deferrals included, with its reason. */
  readonly onDecision?: (decision: ApproverModelDecision) => void;
}

/** A decision the model made, as `onDecision` hears it. */
export interface ApproverModelDecision {
  readonly approvalId: string;
  readonly taskId: string;
  /** The agent deciding. */
  readonly agent: string;
  readonly decision: 'approve' | 'reject' | 'defer';
  readonly reason: string;
}

/**
 * An approver whose decisions come from a model.
 *
 * The model sees its policy, who it is, and the request (task, requester, why approval is needed,
 * payload), and answers `{ decision: 'approve' | 'reject' | 'defer', reason }`. Approvals carry the
 * reason as their comment, rejections as their reason: either way it is the decision's `note` in
 * `outcome.approvals[].decisions` and in the `approval.decided` event. `defer` leaves the request to
 * a person (`org.approvals.approve/reject`) or to its expiry. An answer that is not a decision with
 * a reason, or a call that fails, is reported as an `agent.fault` with code `policy_error`, and the
 * request likewise waits for a person: a model never approves by accident.
 *
 * @example
 * ```ts
 * import { llmApprover } from 'echelon/ai';
 *
 * createOrchestrator({
 *   hierarchy: developmentTeam(),
 *   executors,
 *   approvals: { approvers: { byRole: { manager: llmApprover({ model, policy: 'Approve routine work; reject production deploys.' }) } } },
 * });
 * ```
 */
export function llmApprover(options: LlmApproverOptions): ApproverPolicy {
  if (typeof options !== 'object' || options === null || options.model === undefined || options.model === null) {
    throw new EchelonError('invalid_option', 'llmApprover needs { model, policy }: an AI SDK language model and the approval policy in words.');
  }
  if (typeof options.policy !== 'string' || options.policy.trim() === '') {
    throw new EchelonError('invalid_option', 'llmApprover needs a policy: say in words what to approve and what to reject.');
  }
  const allowDefer = options.allowDefer ?? true;
  const decisions = allowDefer ? (['approve', 'reject', 'defer'] as const) : (['approve', 'reject'] as const);
  const schema = z.object({
    decision: z.enum(decisions).describe(allowDefer ? 'approve, reject, or defer to leave it to a person' : 'approve or reject'),
    reason: z.string().describe('Why, in one or two sentences: it is recorded with the decision.'),
  });

  return async (request: ApprovalRequest, context: ApproverContext): Promise<ApproverDecision | undefined> => {
    const { approver, hierarchy } = context;
    const what = `llmApprover at ${approver.id}, deciding approval ${request.id} for "${request.taskType}" (${request.taskId})`;
    const answer = await askForObject(
      options,
      {
        system: [
          options.system ?? `You are ${describeAgent(approver)}. Agents who report to you ask for approval before risky work; you decide by this policy:`,
          options.policy,
        ].join('\n'),
        prompt: describeApprovalRequest(request, hierarchy),
        schema,
        code: 'policy_error',
        what,
        budgeted: request.costBudget !== undefined,
      },
      { kind: 'approve', agent: approver.id, taskId: request.taskId },
      context,
    );
    if (!answer.ok) {
      throw new EchelonError('policy_error', `${what}: the model's answer is not a decision (${answer.problem}): ${answer.message}. The request waits for a person.`, {
        details: { approvalId: request.id, problem: answer.problem },
      });
    }
    const reason = answer.value.reason.trim();
    if (reason === '') {
      throw new EchelonError('policy_error', `${what}: the model decided "${answer.value.decision}" without a reason. The request waits for a person.`, {
        details: { approvalId: request.id },
      });
    }
    notify('onDecision', options.onDecision, { approvalId: request.id, taskId: request.taskId, agent: approver.id, decision: answer.value.decision, reason });
    switch (answer.value.decision) {
      case 'approve':
        return { approve: true, comment: reason };
      case 'reject':
        return { approve: false, reason };
      case 'defer':
        return undefined;
    }
  };
}
