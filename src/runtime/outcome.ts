/** A submitted task's outcome, as its submitter gets it: the settlement, its path, its cases and what its budget was used for. */
import type { Approval, BudgetInput, BudgetReport, Escalation, Outcome, Settlement, Task } from '../types.js';
import { addCosts, overBudget } from '../settings/index.js';
import { sealedSettlement } from '../sealed-settlement.js';

/** The outcome of `task` (the submitted one), settled along `chain`. */
export function outcomeOf(
  task: Task,
  chain: readonly string[],
  settlement: Settlement,
  books: { readonly escalations: readonly Escalation[]; readonly approvals: readonly Approval[]; readonly budget: BudgetReport | undefined },
  now: number,
): Outcome {
  // Built field by field in the outcome's order, not with conditional spreads: one outcome per
  // finished task, and each `...(x === undefined ? {} : { x })` is an object and a copy.
  const outcome: { -readonly [K in keyof Outcome]: Outcome[K] } = { taskId: task.id, type: task.type, status: settlement.status } as Outcome;
  if (settlement.result !== undefined) outcome.result = settlement.result;
  if (settlement.error !== undefined) outcome.error = settlement.error;
  if (settlement.executedBy !== undefined) outcome.executedBy = settlement.executedBy;
  if (settlement.splitBy !== undefined) outcome.splitBy = settlement.splitBy;
  outcome.delegationChain = chain;
  outcome.escalations = books.escalations;
  outcome.approvals = books.approvals;
  if (settlement.subtasks !== undefined) outcome.subtasks = settlement.subtasks;
  if (settlement.failures !== undefined) outcome.failures = settlement.failures;
  if (books.budget !== undefined) outcome.budget = books.budget;
  outcome.attempts = settlement.attempts;
  outcome.submittedAt = task.submittedAt;
  // A task resumed after the clock stepped back between two sessions was submitted 'later' than now.
  outcome.settledAt = Math.max(now, task.submittedAt);
  // Everyone awaiting the task shares this one object (and the task.completed event carries it):
  // one of them changing its status or lists would change what the others, and org.outcome, read.
  // Its result and an error's details are the user's and stay as they came.
  // Each by name, not through an array of them: this runs once for every task.
  Object.freeze(outcome.delegationChain);
  Object.freeze(outcome.escalations);
  Object.freeze(outcome.approvals);
  // Its error, subtask tree and failures are the settlement's own.
  sealedSettlement(settlement);
  if (outcome.budget !== undefined) {
    // The limit too: the door's copy of the budget, which one awaiter could otherwise rewrite for all.
    Object.freeze(outcome.budget.limit);
    Object.freeze(outcome.budget.used);
    Object.freeze(outcome.budget.left);
    Object.freeze(outcome.budget);
  }
  return Object.freeze(outcome);
}

/** What a cost budget has left: never below 0 while it is not over (summed fractions land a hair past it). */
function costLeft(limit: number, used: number): number {
  return overBudget(used, limit) ? limit - used : Math.max(0, limit - used);
}

/** What a budget allowed, what was used (cost reported, subtasks made, time taken) and what is left. */
export function budgetReport(limit: BudgetInput, spent: { readonly costs: ReadonlyMap<string, number>; readonly subtasks: number; readonly task: Task }, now: number): BudgetReport {
  let cost = 0;
  for (const used of spent.costs.values()) cost = addCosts(cost, used);
  const used = { cost, subtasks: spent.subtasks, timeMs: Math.max(0, now - spent.task.submittedAt) };
  return {
    limit,
    used,
    left: {
      ...(limit.cost === undefined ? {} : { cost: costLeft(limit.cost, used.cost) }),
      ...(limit.maxSubtasks === undefined ? {} : { subtasks: limit.maxSubtasks - used.subtasks }),
      ...(limit.timeMs === undefined ? {} : { timeMs: limit.timeMs - used.timeMs }),
    },
  };
}
