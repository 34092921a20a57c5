/** A submitted task's outcome, as its submitter gets it: the settlement, its path, its cases and what its budget was used for. */
import type { Approval, BudgetInput, BudgetReport, Escalation, Outcome, Settlement, Task } from '../types.js';

/** The outcome of `task` (the submitted one), settled along `chain`. */
export function outcomeOf(
  task: Task,
  chain: readonly string[],
  settlement: Settlement,
  books: { readonly escalations: readonly Escalation[]; readonly approvals: readonly Approval[]; readonly budget: BudgetReport | undefined },
  now: number,
): Outcome {
  return {
    taskId: task.id,
    type: task.type,
    status: settlement.status,
    ...(settlement.result === undefined ? {} : { result: settlement.result }),
    ...(settlement.error === undefined ? {} : { error: settlement.error }),
    ...(settlement.executedBy === undefined ? {} : { executedBy: settlement.executedBy }),
    ...(settlement.splitBy === undefined ? {} : { splitBy: settlement.splitBy }),
    delegationChain: chain,
    escalations: books.escalations,
    approvals: books.approvals,
    ...(settlement.subtasks === undefined ? {} : { subtasks: settlement.subtasks }),
    ...(settlement.failures === undefined ? {} : { failures: settlement.failures }),
    ...(books.budget === undefined ? {} : { budget: books.budget }),
    attempts: settlement.attempts,
    submittedAt: task.submittedAt,
    settledAt: now,
  };
}

/** What a budget allowed, what was used (cost reported, subtasks made, time taken) and what is left. */
export function budgetReport(limit: BudgetInput, spent: { readonly costs: ReadonlyMap<string, number>; readonly subtasks: number; readonly task: Task }, now: number): BudgetReport {
  let cost = 0;
  for (const used of spent.costs.values()) cost += used;
  const used = { cost, subtasks: spent.subtasks, timeMs: now - spent.task.submittedAt };
  return {
    limit,
    used,
    left: {
      ...(limit.cost === undefined ? {} : { cost: limit.cost - used.cost }),
      ...(limit.maxSubtasks === undefined ? {} : { subtasks: limit.maxSubtasks - used.subtasks }),
      ...(limit.timeMs === undefined ? {} : { timeMs: limit.timeMs - used.timeMs }),
    },
  };
}
