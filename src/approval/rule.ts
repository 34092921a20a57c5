/**
 * An organisation's `approvals.required` rule's answer, read as the runtime reads it and as the
 * check reads it: no approval, a requirement, or an answer no run can use (a promise, a string)
 * — which fails the task, so the check reports it rather than reading it as no approval.
 */
import type { AgentNode } from '../hierarchy/types.js';
import { show } from '../show.js';
import { isThenable } from '../thenable.js';
import type { ApprovalRequirement, Task } from '../types.js';

export type RuleAnswer =
  | { readonly kind: 'none' }
  | { readonly kind: 'required'; readonly requirement: ApprovalRequirement }
  | { readonly kind: 'invalid'; readonly message: string };

/** No approval: one answer for all, since a rule is read wherever a task is about to run. */
const NONE: RuleAnswer = Object.freeze({ kind: 'none' });

/**
 * What the rule's answer `ruled` for `task` at `node` asks (`true`: the task's own requirement, or
 * the default one). `subject` names the task in a refusal (the check's tasks are probes, their ids its own).
 */
export function readApprovalRule(ruled: unknown, task: Task, node: AgentNode, subject = `"${task.type}" (${task.id})`): RuleAnswer {
  if (isThenable(ruled)) {
    // A promise is an object, but no requirement: what it would answer is never known here.
    ruled.then(undefined, () => undefined);
    return { kind: 'invalid', message: `approvals.required answered a promise for ${subject} at ${node.id}: a rule decides at once, answering true, false, undefined or an approval requirement object.` };
  }
  if (ruled === true) return { kind: 'required', requirement: task.approval ?? {} };
  if (typeof ruled === 'object' && ruled !== null && !Array.isArray(ruled)) return { kind: 'required', requirement: ruled as ApprovalRequirement };
  if (ruled === undefined || ruled === false || ruled === null) return NONE;
  // Any other answer would be spread into a requirement nobody asked for (a string's letters, say).
  return { kind: 'invalid', message: `approvals.required answered ${show(ruled)} for ${subject} at ${node.id}: a rule answers true, false, undefined or an approval requirement object.` };
}
