/**
 * Decompositions, planned for real: each decomposer a route reaches is asked to split a probe
 * task, its answer goes through the runtime's own `fanoutStep` (`delegation/fanout.ts`) (fan-out, depth, subtask and cost
 * limits, and the task's budget), and every subtask is routed from the agent that split it —
 * down the tree, level by level, as far as the splits go.
 */
import { isThenable } from '../thenable.js';
import type { Decomposer } from '../delegation/decomposition.js';
import { fanoutStep } from '../delegation/fanout.js';
import type { Task } from '../types.js';
import { keptBy, walk, type Resolved, type Walk } from './probe.js';
import type { Finding } from './types.js';

export function checkDecompositions(resolved: Resolved, routes: ReadonlyMap<string, { readonly task: Task; readonly walk: Walk }>): Finding[] {
  const findings: Finding[] = [];
  for (const { task, walk: route } of routes.values()) {
    if (route.kind !== 'split') continue;
    split(resolved, task, route.agent, route.decomposer, { created: 0 }, findings);
  }
  return findings;
}

function split(resolved: Resolved, task: Task, agentId: string, decomposer: Decomposer, tree: { created: number }, findings: Finding[]): void {
  const { hierarchy } = resolved;
  let answer: ReturnType<Decomposer['decompose']>;
  try {
    answer = decomposer.decompose(task, {
      agent: hierarchy.get(agentId),
      hierarchy,
      children: hierarchy.children(agentId).map((node) => ({ id: node.id, node, capabilities: hierarchy.subtreeCapabilities(node.id), load: 0 })),
      signal: new AbortController().signal,
      reportCost: () => undefined,
    });
  } catch (error) {
    findings.push({ severity: 'note', code: 'unchecked_decision', agents: [agentId], taskType: task.type, message: `Decomposer "${decomposer.name}" at ${agentId} threw on a "${task.type}" with this payload (${(error as Error).message}); its split is not checked.` });
    return;
  }
  if (isThenable(answer)) {
    Promise.resolve(answer).catch(() => undefined);
    findings.push({ severity: 'note', code: 'unchecked_decision', agents: [agentId], taskType: task.type, message: `Decomposer "${decomposer.name}" at ${agentId} plans "${task.type}" with a promise (a model, say); its split is not checked.` });
    return;
  }
  const step = fanoutStep(hierarchy, resolved.limits, agentId, task, decomposer, answer, 0);
  if (step === undefined) return;
  if (step.kind === 'fail') {
    findings.push({ severity: 'error', code: 'decomposition_impossible', agents: [agentId], taskType: task.type, message: `Splitting "${task.type}" at ${agentId} cannot work: ${step.error.message}` });
    return;
  }
  if (step.kind !== 'fanout') return;
  tree.created += step.subtasks.length;
  for (const { task: subtask, to } of step.subtasks) {
    const route = walk(resolved, subtask, to ?? agentId);
    if (route.kind === 'none') {
      findings.push({
        severity: 'error',
        code: 'decomposition_unroutable',
        agents: [agentId],
        taskType: subtask.type,
        message: `Decomposer "${decomposer.name}" at ${agentId} splits "${task.type}" into "${subtask.type}" (${subtask.id}), which ${keptBy(route) ?? `nobody ${to === undefined ? `at or below ${agentId}` : `under ${to}`} can do`}.`,
      });
    } else if (route.kind === 'split') {
      split(resolved, subtask, route.agent, route.decomposer, tree, findings);
    }
  }
  const allowed = Math.min(resolved.limits.maxSubtasks, task.budget?.maxSubtasks ?? Infinity);
  if (task.depth === 0 && tree.created > allowed) {
    findings.push({ severity: 'error', code: 'decomposition_impossible', agents: [agentId], taskType: task.type, message: `"${task.type}" would create ${tree.created} subtasks in all; its tree may create at most ${allowed} (limits.maxSubtasks or the task's budget.maxSubtasks).` });
  }
}
