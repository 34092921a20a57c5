/**
 * What `npm run mutate` mutates, in two Stryker runs (each keeps its own incremental file, and
 * pays for one initial run of the suite, ~4 minutes on a shared 2-core machine):
 * - `decisions`: the pure decision modules — hierarchy, delegation (strategies, routing,
 *   decomposition, joins), escalation (policy, targets, verdicts), approval (authority, approvers);
 * - `lifecycle`: the held-task lifecycle chart and the agent handlers that decide a held task's
 *   moves — execution (retries, timeouts, the time budget), escalation (the loop check) and
 *   delivery (fan-in) — and the budgets and loop limits: the loop, depth and escalation limits
 *   in evaluation and after a failure (decisions/evaluate.ts, decisions/index.ts), and the
 *   fan-out's subtask, depth and cost budgets (decisions/fanout.ts).
 * Not mutated yet (time): the pipeline, approval and cancellation handlers, which mostly move
 * records between phases; the handlers that only move data (turn.ts, restore.ts, index.ts).
 */
export const MODULES = {
  decisions: [
    'src/hierarchy/hierarchy.ts',
    'src/hierarchy/capability-index.ts',
    'src/delegation/strategies.ts',
    'src/delegation/route.ts',
    'src/delegation/decomposition.ts',
    'src/delegation/join.ts',
    'src/escalation/policy.ts',
    'src/escalation/target.ts',
    'src/escalation/verdict.ts',
    'src/approval/authority.ts',
    'src/approval/approvers.ts',
  ],
  lifecycle: [
    'machines/task.machine.ts',
    'machines/core/execution.ts',
    'machines/core/escalation.ts',
    'machines/core/delivery.ts',
    'src/runtime/decisions/index.ts',
    'src/runtime/decisions/evaluate.ts',
    'src/runtime/decisions/fanout.ts',
  ],
};

/** Where a module's reports go (not committed: see .gitignore). */
export const reportDir = (module) => `reports/mutation/${module}`;
