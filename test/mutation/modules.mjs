/**
 * The modules `npm run mutate` mutates, one Stryker run each (so a run fits in a sitting on a
 * shared machine, and each keeps its own incremental file). Line ranges (`file:from-to`) mutate
 * only the named lines: the budget charge inside the orchestrator, say, not the whole file.
 */
export const MODULES = {
  hierarchy: ['src/hierarchy/hierarchy.ts', 'src/hierarchy/capability-index.ts'],
  strategies: ['src/delegation/strategies.ts'],
  join: ['src/delegation/join.ts'],
  delegation: ['src/delegation/route.ts', 'src/delegation/decomposition.ts'],
  policy: ['src/escalation/policy.ts'],
  escalation: ['src/escalation/target.ts', 'src/escalation/verdict.ts'],
  authority: ['src/approval/authority.ts'],
  approvers: ['src/approval/approvers.ts'],
  lifecycle: [
    'machines/task.machine.ts',
    'machines/core/pipeline.ts',
    'machines/core/execution.ts',
    'machines/core/approval.ts',
    'machines/core/escalation.ts',
    'machines/core/delivery.ts',
    'machines/core/cancel.ts',
  ],
  limits: ['src/runtime/decisions/evaluate.ts', 'src/runtime/decisions/fanout.ts'],
};

/** Where a module's reports go (not committed: see .gitignore). */
export const reportDir = (module) => `reports/mutation/${module}`;
