/**
 * Approval requirements no ancestor can satisfy: the approver a requirement names (by id, role
 * or level) asked of `chooseApprover` — the function the agents use — for the agent that would
 * execute the task, and a quorum larger than the ancestors with the authority to decide.
 */
import { chooseApprover } from '../approval/authority.js';
import { readApprovalRule, type RuleAnswer } from '../approval/rule.js';
import { thrownMessage } from '../show.js';
import type { ApprovalRequirement, Task } from '../types.js';
import type { Resolved, Walk } from './probe.js';
import type { Finding } from './types.js';

export function checkApprovals(resolved: Resolved, routes: ReadonlyMap<string, { readonly task: Task; readonly walk: Walk }>): Finding[] {
  const { hierarchy, options } = resolved;
  const findings: Finding[] = [];
  for (const [type, { task, walk }] of routes) {
    if (walk.kind !== 'execute') continue;
    const agent = hierarchy.get(walk.agent);
    const requirement = requirementOf(resolved, task, walk.agent);
    if (requirement === undefined) continue;
    if (typeof requirement === 'string') {
      findings.push({ severity: 'error', code: 'approval_unsatisfiable', agents: [agent.id], taskType: type, message: requirement });
      continue;
    }
    const choice = chooseApprover(hierarchy, agent.id, requirement);
    if ('code' in choice) {
      findings.push({ severity: 'error', code: 'approval_unsatisfiable', agents: [agent.id], taskType: type, message: `"${type}" at ${agent.id} needs approval nobody can give: ${choice.message}` });
      continue;
    }
    const quorum = requirement.quorum ?? 1;
    const eligible = hierarchy.ancestors(agent.id).filter((node) => node.level <= choice.requiredLevel);
    if (quorum > eligible.length) {
      findings.push({
        severity: 'error',
        code: 'approval_quorum_unreachable',
        agents: [agent.id, ...eligible.map((node) => node.id)],
        taskType: type,
        message: `"${type}" at ${agent.id} needs ${quorum} approvals at level ${choice.requiredLevel} or above, and only ${eligible.length} agent(s) above it have that authority (${eligible.map((node) => node.id).join(', ') || 'none'}).`,
      });
    }
  }
  return findings;
}

/**
 * The requirement the runtime would apply to `task` at `agentId` — the task's own, its flag, or the
 * organisation's rule — or, where the rule throws or answers what a run cannot read, why every such task fails.
 */
function requirementOf(resolved: Resolved, task: Task, agentId: string): ApprovalRequirement | string | undefined {
  if (task.approval !== undefined) return task.approval;
  const rule = resolved.options.approvals?.required;
  const node = resolved.hierarchy.get(agentId);
  let ruled: RuleAnswer;
  try {
    ruled = readApprovalRule(rule?.(task, node), task, node, `"${task.type}"`);
  } catch (error) {
    return `approvals.required threw for "${task.type}" at ${agentId}: ${thrownMessage(error)}; a run fails every such task (policy_error). Make the rule answer true, false, undefined or a requirement.`;
  }
  if (ruled.kind === 'invalid') return `${ruled.message} A run fails every such task (invalid_option).`;
  if (ruled.kind === 'required') return ruled.requirement;
  if (task.context.requiresApproval === true) return {};
  return undefined;
}
