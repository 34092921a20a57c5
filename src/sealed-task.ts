/**
 * A task as the organisation hands it out — to listeners (`org.on`, `org.events`), executors,
 * strategies, escalation policies and decomposers —
 * is the agent's own record of it: frozen here, with the lists echelon keeps on it, so that a
 * listener setting `type` or pushing onto `chain` cannot reroute or corrupt the task.
 */
import type { Task } from './types.js';

/**
 * Freezes `task` and the lists echelon made for it (chain, escalation hops, agents excluded,
 * approvers); what the submitter gave — payload, context, resources, skills, execution, approval —
 * stays theirs, as it came. Records are replaced, never changed in place, so freezing costs nothing else.
 *
 * @example
 * ```ts
 * sealedTask(task).chain; // frozen: push throws a TypeError
 * ```
 */
export function sealedTask(task: Task): Task {
  if (Object.isFrozen(task)) return task;
  for (const hop of task.escalations) Object.freeze(hop);
  for (const list of [task.chain, task.escalations, task.excluded, task.approvedBy]) Object.freeze(list);
  return Object.freeze(task);
}
