/**
 * What `npm run mutate` mutates: one Stryker run per module (each with its own incremental
 * file), each against the test files about that module (`tests`) rather than the whole suite.
 * Run against the whole suite, each mutant re-imports every test file that touches its code
 * (the model, property and scale tests among them): on a shared 2-core machine the eleven
 * decision files took 20+ s a mutant, hours for the set. So the scores below are lower bounds —
 * a mutant that only some other test would catch counts as a survivor here.
 *
 * The held-task lifecycle and budgets/limits: the task chart, the handlers that decide a held
 * task's moves (execution with retries, timeouts and the time budget; escalation with its loop
 * check; delivery with fan-in), and the loop, depth, escalation and fan-out limits.
 */
export const MODULES = {
  authority: {
    mutate: ['src/approval/authority.ts', 'src/approval/approvers.ts'],
    tests: ['test/approval.test.ts', 'test/mutation-kills/approval-authority.test.ts'],
  },
  join: {
    mutate: ['src/delegation/join.ts'],
    // The pure join tests only: with decomposition.test.ts, every mutant that keeps a join from
    // finishing hangs an organisation until the timeout (a third of the mutants, 15 s each).
    tests: ['test/mutation-kills/joins.test.ts'],
  },
  strategies: {
    mutate: ['src/delegation/strategies.ts', 'src/delegation/route.ts'],
    tests: ['test/mutation-kills/strategies.test.ts', 'test/mutation-kills/hierarchy-lookups.test.ts', 'test/delegation.test.ts'],
  },
  hierarchy: {
    mutate: ['src/hierarchy/hierarchy.ts', 'src/hierarchy/capability-index.ts'],
    tests: ['test/hierarchy.test.ts', 'test/mutation-kills/hierarchy-lookups.test.ts'],
  },
  policy: {
    mutate: ['src/escalation/policy.ts', 'src/escalation/target.ts', 'src/escalation/verdict.ts'],
    tests: ['test/escalation.test.ts', 'test/mutation-kills/escalation-policy.test.ts', 'test/mutation-kills/verdicts-targets.test.ts'],
  },
  decomposition: {
    mutate: ['src/delegation/decomposition.ts', 'src/delegation/fanout.ts'],
    tests: ['test/decomposition.test.ts', 'test/mutation-kills/fanout.test.ts', 'test/mutation-kills/hierarchy-lookups.test.ts'],
  },
  limits: {
    mutate: ['src/runtime/decisions/index.ts', 'src/runtime/decisions/evaluate.ts'],
    tests: ['test/loop-protection.test.ts', 'test/mutation-kills/limits.test.ts', 'test/mutation-kills/judgement.test.ts', 'test/escalation.test.ts'],
  },
  lifecycle: {
    mutate: ['machines/task.machine.ts', 'machines/core/execution.ts', 'machines/core/escalation.ts', 'machines/core/delivery.ts'],
    // approval.test.ts: an executor asking for approval; store/memory.test.ts: timers re-armed from their stored deadlines.
    tests: [
      'test/machines/task.model.test.ts', 'test/execution.test.ts', 'test/mutation-kills/time-budget.test.ts',
      'test/mutation-kills/lifecycle.test.ts', 'test/mutation-kills/lifecycle-escalations.test.ts',
      'test/loop-protection.test.ts', 'test/decomposition.test.ts', 'test/approval.test.ts', 'test/store/memory.test.ts',
    ],
  },
  pipeline: {
    // What every task goes through at every agent: admission, the decisions (at once or awaited,
    // bounded by the decision concurrency and timeout, asked again when their host lost them)
    // and the step each decision yields.
    mutate: ['machines/core/pipeline.ts'],
    tests: [
      'test/machines/redecide.test.ts', 'test/delegation.test.ts', 'test/decomposition.test.ts', 'test/escalation.test.ts',
      'test/cancellation.test.ts', 'test/loop-protection.test.ts', 'test/mutation-kills/lifecycle.test.ts',
      'test/mutation-kills/pipeline.test.ts', 'test/hardening/who-did-it.test.ts', 'test/hardening/failure-cause.test.ts',
    ],
  },
};

/** Where a module's reports go (not committed: see .gitignore). */
export const reportDir = (module) => `reports/mutation/${module}`;
