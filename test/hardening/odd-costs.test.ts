/**
 * Costs an executor reports that a budget cannot hold: `Infinity` is refused where it is reported,
 * and two huge costs that add up past the largest number stay a number — JSON has no `Infinity`,
 * so an outcome's budget (as a store or a client reads it) said `used: null`, `left: null`.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, developmentTeam, memoryStore } from '../../src/index.js';
import { orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), execution: { retry: { attempts: 1 } } });

describe('odd costs reported with context.reportCost', () => {
  it('Infinity fails the attempt with invalid_option, naming it; the organisation goes on', async () => {
    const org = start({ store: memoryStore(), executors: async (task, context) => (task.type === 'python' && context.reportCost(Infinity), 'done') });
    expect(await org.submit({ type: 'python' })).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_option', message: 'reportCost needs a finite number ≥ 0 (what the work cost, tokens say), got Infinity.' },
    });
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed' });
  });

  it('two costs of 1e308 overrun a budget of 1e308 and are reported as a number, through JSON too', async () => {
    const org = start({ store: memoryStore(), executors: async (_task, context) => (context.reportCost(1e308), context.reportCost(1e308), 'done') });
    const outcome = await org.submit({ type: 'python', budget: { cost: 1e308 } });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
    expect(JSON.parse(JSON.stringify(outcome.budget))).toMatchObject({ used: { cost: Number.MAX_VALUE } });
  });
});

describe('costs in fractions', () => {
  it('0.1 reported three times spends a budget of 0.3 exactly, not over it; 0.1 more is over', async () => {
    const org = start({ executors: async (task, context) => {
      for (let index = 0; index < (task.type === 'python' ? 3 : 4); index++) context.reportCost(0.1);
      return 'done';
    } });
    // Before, 0.1 + 0.1 + 0.1 = 0.30000000000000004 failed it: "used 0.30000000000000004 of cost, over its budget of 0.3".
    expect(await org.submit({ type: 'python', budget: { cost: 0.3 } })).toMatchObject({ status: 'completed', budget: { left: { cost: 0 } } });
    expect(await org.submit({ type: 'css', budget: { cost: 0.3 } })).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
  });

  it("a decomposer's subtask costs that sum to its budget in fractions fit it", async () => {
    const split = decomposeWith('feature', () => [0.1, 0.1, 0.1].map((cost, index) => ({ key: `part${index}`, type: 'python', cost })));
    const org = start({ decomposers: { byId: { cto: split } }, executors: async () => 'done' });
    expect(await org.submit({ type: 'feature', budget: { cost: 0.3 } })).toMatchObject({ status: 'completed' });
  });
});
