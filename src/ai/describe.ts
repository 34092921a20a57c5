/**
 * Plain-text descriptions of tasks, agents and approval requests, as the language models see
 * them. Pure functions, shared by every LLM component, so the prompts stay consistent and the
 * tests can check that a prompt says what it should.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { ApprovalRequest, Task } from '../types.js';

/** JSON for a prompt; never throws (a payload with cycles or BigInts is shown as best we can). */
export function json(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One line about an agent: id, role, description, what it can do itself. */
export function describeAgent(agent: AgentNode): string {
  const description = agent.description === undefined ? '' : ` — ${agent.description}`;
  const can = agent.capabilities.length > 0 ? `; can do: ${agent.capabilities.join(', ')}` : '; does no work itself';
  return `${agent.id} (${agent.role}, level ${agent.level})${description}${can}`;
}

/**
 * Everything a model needs to know about a task: type, id, payload, context flags, the
 * delegation chain it came down, its escalations, the failure that sent it here, its approval.
 */
export function describeTask(task: Task, hierarchy: Hierarchy): string {
  const lines = [`Task ${task.id} of type "${task.type}".`, `Payload:\n${json(task.payload ?? null)}`];
  if (Object.keys(task.context).length > 0) lines.push(`Context:\n${json(task.context)}`);
  if (task.requiredSkills.length > 0) lines.push(`Required skills: ${task.requiredSkills.join(', ')}.`);
  if (task.resources.length > 0) lines.push(`Resources it uses: ${task.resources.join(', ')}.`);
  if (task.chain.length > 0) {
    const chain = task.chain.map((id) => (hierarchy.has(id) ? `${id} (${hierarchy.get(id).role})` : id));
    lines.push(`Delegation chain: ${chain.join(' → ')}.`);
  }
  if (task.escalations.length > 0) {
    lines.push(`Escalations so far: ${task.escalations.map((hop) => `${hop.reason} from ${hop.from} to ${hop.to}`).join('; ')}.`);
  }
  if (task.cause !== undefined) lines.push(`It came here because ${task.cause.by} failed it: ${task.cause.error.message}`);
  if (task.approvedBy.length > 0) lines.push('It has been approved: go ahead.');
  return lines.join('\n');
}

/** An approval request, for the approver's model. */
export function describeApprovalRequest(request: ApprovalRequest, hierarchy: Hierarchy): string {
  const requester = hierarchy.find(request.requester);
  const lines = [
    `Approval request ${request.id}: ${request.requester}${requester === undefined ? '' : ` (${requester.role})`} wants to execute task ${request.taskId} of type "${request.taskType}".`,
    `Why approval is needed: ${request.reason}`,
    `Payload:\n${json(request.payload ?? null)}`,
  ];
  if (request.quorum > 1) lines.push(`${request.quorum} approvals are needed in all; yours is one of them.`);
  return lines.join('\n');
}
