/**
 * Where escalations go, asked of the organisation's own policy through `escalationTarget` (the
 * function agents use): an emergency must reach an executive that can act on it, a policy
 * decision someone with an executor, a cross-team task a common ancestor whose subtree can route
 * it — and no policy may send an escalation sideways.
 */
import { escalationTarget } from '../escalation/target.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { Task } from '../types.js';
import type { Resolved } from './probe.js';
import type { Finding } from './types.js';

/** The flags that make an agent about to execute a task escalate it, per reason. */
const FLAGS = {
  emergency: { isEmergency: true },
  policy_decision: { requiresPolicyDecision: true },
} as const;

export function checkEscalations(resolved: Resolved, tasks: ReadonlyMap<string, Task>): Finding[] {
  const { hierarchy } = resolved;
  const findings: Finding[] = [];
  for (const agent of hierarchy.nodes()) {
    const type = agent.capabilities[0];
    if (type === undefined) continue;
    for (const reason of Object.keys(FLAGS) as (keyof typeof FLAGS)[]) {
      const task = resolved.task({ type, context: FLAGS[reason] }, agent.id);
      const finding = checkTarget(resolved, agent, reason, task);
      if (finding !== undefined) findings.push(finding);
    }
  }
  for (const task of tasks.values()) {
    if (task.context.requiresCrossTeam !== true) continue;
    findings.push(...checkCrossTeam(resolved, task));
  }
  return findings;
}

function checkTarget(resolved: Resolved, agent: AgentNode, reason: 'emergency' | 'policy_decision', task: Task): Finding | undefined {
  const { hierarchy } = resolved;
  const choice = escalationTarget(hierarchy, resolved.policy, agent, reason, task, { hierarchy, route: 'execute', claims: [] });
  if (choice.kind === 'refused') {
    return { severity: 'error', code: 'escalation_refused', agents: [agent.id], message: `${reason} from ${agent.id}: ${choice.error.message}` };
  }
  // The root has nobody above it: a flag there is decided by a person or fails, by design.
  if (choice.kind === 'nobody') return undefined;
  const target = choice.kind === 'self' ? agent : hierarchy.get(choice.to);
  if (reason === 'emergency' && target.role !== 'executive') {
    return {
      severity: 'error',
      code: 'escalation_dead_end',
      agents: [...new Set([agent.id, target.id])],
      message: emergencyMessage(hierarchy, agent, target),
    };
  }
  if (resolved.resolution(reason) === 'execute' && resolved.executorFor !== undefined && resolved.executorFor(target.id) === undefined) {
    return {
      severity: 'error',
      code: 'escalation_dead_end',
      agents: [...new Set([target.id, agent.id])],
      message: `A task escalated from ${agent.id} as ${reason} is decided by ${target.id} with its own executor, but ${target.id} has none. Give ${target.id} an executor.`,
    };
  }
  return undefined;
}

/** Why an emergency at `agent` that goes to `target`, no executive, is a dead end: no executive above, or a policy that stops short of one. */
function emergencyMessage(hierarchy: Resolved['hierarchy'], agent: AgentNode, target: AgentNode): string {
  const goes = target.id === agent.id ? `stays at ${agent.id} (a ${agent.role}): the escalation policy keeps it instead of sending it up to an executive` : `goes to ${target.id} (a ${target.role}), not to an executive`;
  const executive = hierarchy.ancestors(agent.id).find((node) => node.role === 'executive');
  if (executive === undefined) return `An emergency at ${agent.id} ${goes}, and nobody on its way to the root is one. Put an executive above it, or give the policy an emergency target.`;
  return `An emergency at ${agent.id} ${goes}. Have the policy send emergencies to an executive above it (${executive.id}).`;
}

/** A cross-team task: its teams must be agents, and their common ancestor's subtree must be able to route it. */
function checkCrossTeam(resolved: Resolved, task: Task): Finding[] {
  const { hierarchy } = resolved;
  const teams = task.context.teams ?? [];
  const unknown = teams.filter((id) => !hierarchy.has(id));
  const findings: Finding[] = unknown.map((id) => ({
    severity: 'error' as const,
    code: 'escalation_dead_end' as const,
    agents: [id],
    taskType: task.type,
    message: `A cross-team "${task.type}" names the team "${id}", which is no agent: the escalation goes to the parent instead of the teams' common ancestor.`,
  }));
  const known = teams.filter((id) => hierarchy.has(id));
  if (known.length === 0) return findings;
  const ancestor = hierarchy.nearestCommonAncestor(...known);
  if (!hierarchy.canHandle(ancestor.id, task.type)) {
    findings.push({
      severity: 'error',
      code: 'escalation_dead_end',
      agents: [ancestor.id, ...known],
      taskType: task.type,
      message: `A cross-team "${task.type}" for ${known.join(' and ')} goes to their common ancestor ${ancestor.id}, and nobody under ${ancestor.id} can do "${task.type}".`,
    });
  }
  return findings;
}

