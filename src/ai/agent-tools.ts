/**
 * The two tools every LLM agent gets besides its own: `escalate` (hand the task up, with a
 * reason) and `requestApproval` (park it until someone with authority approves). They have no
 * `execute`, so a call ends the model's turn; the executor then turns it into the runtime's
 * escalation or approval through `context.escalate` / `context.requestApproval`.
 */
import { tool, type ToolSet } from 'ai';
import * as z from 'zod/v4';
import type { ExecutionContext } from '../runtime/index.js';

/**
 * Tool names echelon reserves for its own tools: user tools may not use them.
 *
 * @example
 * ```ts
 * AGENT_TOOL_NAMES.includes('escalate'); // true: name your own tools otherwise
 * ```
 */
export const AGENT_TOOL_NAMES = ['escalate', 'requestApproval'] as const;

/** The escalation reasons a model may give (approval has its own tool; resource conflicts are the runtime's to detect). */
export const MODEL_ESCALATION_REASONS = ['beyond_capability', 'policy_decision', 'cross_team', 'emergency', 'execution_failed'] as const;

const escalateInput = z.object({
  reason: z
    .enum(MODEL_ESCALATION_REASONS)
    .describe(
      'beyond_capability: the task is outside what you can do; policy_decision: it needs a decision above you; ' +
        'cross_team: it needs other teams; emergency: it is urgent and must go to the executive; execution_failed: you tried and could not do it.',
    ),
  message: z.string().describe('What the agent above you needs to know, in one or two sentences.'),
});

const approvalInput = z.object({
  reason: z.string().describe('Why this needs approval before you do it, for the approver.'),
});

/** The agent tools for one attempt: no `requestApproval` once the task has been approved. */
export function agentTools(approved: boolean): ToolSet {
  const escalate = tool({
    description: 'Hand this task back up the hierarchy instead of answering, when you cannot or should not do it yourself.',
    inputSchema: escalateInput,
  });
  if (approved) return { escalate };
  const requestApproval = tool({
    description: 'Ask for approval before doing this task (it is risky, costly or irreversible). You will be asked again once it is approved.',
    inputSchema: approvalInput,
  });
  return { escalate, requestApproval };
}

/** What the executor's instructions say about the agent tools. */
export function agentToolInstructions(approved: boolean): string {
  const lines = ['If you cannot or should not do the task, call the `escalate` tool with a reason and a message instead of answering.'];
  lines.push(
    approved
      ? 'The task has been approved: do not ask for approval again.'
      : 'If the task needs approval before you do it (it is risky, costly or irreversible), call the `requestApproval` tool with the reason instead of answering.',
  );
  return lines.join('\n');
}

/** A tool call as the AI SDK reports it (static or dynamic, possibly invalid). */
export interface ReportedToolCall {
  readonly toolName: string;
  readonly input: unknown;
  readonly invalid?: boolean;
}

/**
 * Follows the first `escalate` or `requestApproval` call among `calls`: throws the runtime's
 * signal through the context (never returns in that case). Returns when there is none.
 */
export function followAgentToolCalls(calls: readonly ReportedToolCall[], context: ExecutionContext): void {
  for (const call of calls) {
    if (call.invalid === true) continue;
    if (call.toolName === 'escalate') {
      const input = escalateInput.safeParse(call.input);
      if (input.success) context.escalate(input.data.reason, input.data.message);
    } else if (call.toolName === 'requestApproval' && !context.approved) {
      const input = approvalInput.safeParse(call.input);
      if (input.success) context.requestApproval({ reason: input.data.reason });
    }
  }
}
