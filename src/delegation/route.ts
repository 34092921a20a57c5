/**
 * Routing by subtree: which children could take a task, and whether the agent delegates it,
 * executes it, or has nobody for it. Pure functions of the hierarchy and the agent's load.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Task } from '../types.js';
import type { Candidate } from './types.js';

/** What an agent would do with a task if nothing escalates: the deepest capable agent executes. */
export type Route = 'delegate' | 'execute' | 'none';

/**
 * True when `agentId` itself may execute the task: it has the capability and was not excluded.
 *
 * @example
 * ```ts
 * canExecuteHere(developmentTeam(), 'api_specialist', task); // true for a task of type 'api_design'
 * ```
 */
export function canExecuteHere(hierarchy: Hierarchy, agentId: string, task: Task): boolean {
  return hierarchy.get(agentId).capabilities.includes(task.type) && !task.excluded.includes(agentId);
}

/**
 * The agent's children as delegation candidates: `capable` when the child's subtree has an agent
 * with the task's capability that the task does not exclude.
 *
 * @example
 * ```ts
 * candidatesFor(developmentTeam(), 'cto', pythonTask, {}).map((c) => [c.id, c.capable]);
 * // [['backend_lead', true], ['frontend_lead', false]]
 * ```
 */
export function candidatesFor(
  hierarchy: Hierarchy,
  agentId: string,
  task: Task,
  load: Readonly<Record<string, number>>,
): Candidate[] {
  const candidates: Candidate[] = [];
  hierarchy.eachChild(agentId, task.type, (node, capable) => {
    candidates.push({ id: node.id, node, load: load[node.id] ?? 0, capable: capable && (task.excluded.length === 0 || subtreeHasUnexcluded(hierarchy, node.id, task)) });
  });
  return candidates;
}

/**
 * Delegate when a child's subtree can take the task, else execute when the agent can, else none.
 *
 * @example
 * ```ts
 * const team = developmentTeam();
 * routeOf(team, 'api_specialist', apiDesignTask, candidatesFor(team, 'api_specialist', apiDesignTask, {})); // 'execute'
 * ```
 */
export function routeOf(hierarchy: Hierarchy, agentId: string, task: Task, candidates: readonly Candidate[]): Route {
  if (candidates.some((candidate) => candidate.capable)) return 'delegate';
  return canExecuteHere(hierarchy, agentId, task) ? 'execute' : 'none';
}

/** With agents excluded (the task failed or escalated there): someone in the subtree who has the capability and is not excluded. */
function subtreeHasUnexcluded(hierarchy: Hierarchy, agentId: string, task: Task): boolean {
  return hierarchy.subtree(agentId).some((node) => node.capabilities.includes(task.type) && !task.excluded.includes(node.id));
}
