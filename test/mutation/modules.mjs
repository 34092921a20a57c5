/**
 * What `npm run mutate` mutates, in two Stryker runs (each keeps its own incremental file, and
 * pays for one initial run of the suite, ~4 minutes on a shared 2-core machine):
 * - `decisions`: the pure decision modules — hierarchy, delegation (strategies, routing,
 *   decomposition, joins), escalation (policy, targets, verdicts), approval (authority, approvers);
 * - `lifecycle`: the held-task lifecycle and the agent handlers that decide its moves (the
 *   pipeline, execution with retries and time budgets, approval, escalation, delivery with
 *   fan-in, cancellation), and the budgets and loop limits (the depth, loop and escalation
 *   limits in evaluation and after a failure, and the fan-out's subtask and cost budgets).
 * Left out of `lifecycle`: the handlers that only move data (turn.ts, restore.ts, index.ts).
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
    'machines/core/pipeline.ts',
    'machines/core/execution.ts',
    'machines/core/approval.ts',
    'machines/core/escalation.ts',
    'machines/core/delivery.ts',
    'machines/core/cancel.ts',
    'src/runtime/decisions/index.ts',
    'src/runtime/decisions/evaluate.ts',
    'src/runtime/decisions/fanout.ts',
  ],
};

/** Where a module's reports go (not committed: see .gitignore). */
export const reportDir = (module) => `reports/mutation/${module}`;
