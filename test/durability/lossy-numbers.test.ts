/**
 * A task's numbers are kept as JSON by a store, and JSON has no Infinity (it writes null). Read back
 * after a restart, null was a limit of nothing: a budget's cost of Infinity failed the task with
 * budget_exceeded ("over its budget of null") at its first cost, an approval's timeoutMs expired
 * the request at once at every level up to the root (approval_expired), and a retry's maxDelayMs
 * failed the task with invalid_option before it ran. So with a store such a task is refused at the
 * door, as on Restate; without one Infinity still means no limit.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, developmentTeam, memoryStore, type TaskInput } from '../../src/index.js';
import { orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (_task, context) => (context.reportCost(1), 'ok') });

const UNBOUNDED: ReadonlyArray<readonly [string, Partial<TaskInput>]> = [
  ['budget.cost', { budget: { cost: Infinity } }],
  ['budget.timeMs', { budget: { timeMs: Infinity } }],
  ['execution.timeoutMs', { execution: { timeoutMs: Infinity } }],
  ['execution.retry.maxDelayMs', { execution: { retry: { maxDelayMs: Infinity } } }],
  ['approval.timeoutMs', { approval: { timeoutMs: Infinity } }],
];

describe('a task holding Infinity, which a store keeps as null', () => {
  it.each(UNBOUNDED)('with a store, %s of Infinity is refused at submit with invalid_task naming it, and nothing is recorded', async (field, fields) => {
    const store = memoryStore();
    const org = start({ store });
    const refused = await (async () => org.submit({ id: 'unbounded', type: 'python', ...fields }))().catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'invalid_task', details: { taskId: 'unbounded', field }, message: expect.stringContaining(`${field} is Infinity, which a store keeps as null`) });
    await org.flush();
    expect(store.journal({ taskId: 'unbounded' })).toEqual([]);
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed' });
  });

  it('without a store, Infinity is no limit', async () => {
    const org = start();
    expect(await org.submit({ type: 'python', budget: { cost: Infinity, timeMs: Infinity }, execution: { timeoutMs: Infinity } })).toMatchObject({ status: 'completed' });
  });

  it("a decomposer's subtask with a cost of Infinity fails the split with decomposer_error", async () => {
    const org = start({ decomposers: { byType: { split: decomposeWith('split', () => [{ type: 'python', cost: Infinity }, { type: 'javascript' }]) } } });
    const outcome = await org.submit({ type: 'split' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'decomposer_error', message: expect.stringContaining("subtask 0's cost must be a finite number ≥ 0 (its cost limit), got Infinity.") } });
  });
});
