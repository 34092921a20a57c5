/** What the people-and-retries crash test's app is given, shared by the child process and the test that checks it. */
import type { TaskInput } from '../../src/index.js';

/** Eight tasks: two that fail their first attempt, one split, two needing approval (one expiring), two only a person can resolve. */
export const PLAN: ReadonlyArray<TaskInput & { readonly id: string }> = [
  { id: 'python', type: 'python' },
  { id: 'flaky-sql', type: 'sql' },
  { id: 'approve-react', type: 'react', context: { requiresApproval: true } },
  { id: 'feature', type: 'full_stack_feature', payload: { feature: 'login' } },
  { id: 'nobody-can', type: 'quantum_physics' },
  { id: 'flaky-css', type: 'css' },
  { id: 'expiring', type: 'sql', approval: { timeoutMs: 30 } },
  { id: 'assign-it', type: 'rocket_science' },
];

/** The tasks that wait for a person. */
export const PEOPLE: readonly string[] = ['approve-react', 'nobody-can', 'expiring', 'assign-it'];
