/**
 * A task's time budget at the agent executing it, on a simulated clock: an attempt gets no more
 * time than the budget has left (and no more than a timer can hold), and a retry due after the
 * budget ended is not made.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { developmentTeam } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });
const hang = () => new Promise<never>(() => undefined);

describe('the time budget of an executing task', () => {
  it('cuts an attempt short when the budget ends before its timeout', async () => {
    const clock = new SimulatedClock();
    const org = start({ clock, execution: { timeoutMs: 1_000 }, executors: hang });
    const outcome = org.submit({ id: 'c', type: 'css', budget: { timeMs: 300 } });
    await flush();
    clock.increment(299);
    await flush();
    expect(org.agentState('frontend_dev_1').state).toBe('executing');
    clock.increment(1);
    expect(await outcome).toMatchObject({
      status: 'failed',
      // The same error, details and all, as when the budget ends before an attempt.
      error: { code: 'budget_exceeded', message: 'frontend_dev_1 ran out of time for "css" (c): its budget ended at 300.', details: { taskId: 'c', deadline: 300 } },
      executedBy: 'frontend_dev_1',
      attempts: 1,
      escalations: [],
      settledAt: 300,
    });
  });

  it('does not make a retry due after the budget ended', async () => {
    const clock = new SimulatedClock();
    let calls = 0;
    const org = start({
      clock,
      execution: { retry: { attempts: 3, initialDelayMs: 200, jitter: 0 } },
      executors: async () => {
        calls += 1;
        throw new Error('flaky');
      },
    });
    const outcome = org.submit({ id: 'c', type: 'css', budget: { timeMs: 100 } });
    await flush();
    // The backoff (200 ms) would end after the budget (100 ms): the task fails when the budget ends.
    clock.increment(99);
    await flush();
    expect(org.agentState('frontend_dev_1').running).toEqual(['c']);
    clock.increment(1);
    expect(await outcome).toMatchObject({
      settledAt: 100,
      status: 'failed',
      error: { code: 'budget_exceeded', message: 'frontend_dev_1 ran out of time for "css" (c): its budget ended at 100.', details: { taskId: 'c', deadline: 100 } },
      executedBy: 'frontend_dev_1',
      attempts: 1,
    });
    expect(calls).toBe(1);
  });

  it('a timeout longer than a timer can hold is capped to the longest delay, and says so', async () => {
    const clock = new SimulatedClock();
    const org = start({ clock, execution: { timeoutMs: 3e9 }, executors: hang });
    const outcome = org.submit({ id: 'c', type: 'css' });
    await flush();
    clock.increment(2 ** 31 - 2);
    await flush();
    expect(org.agentState('frontend_dev_1').state).toBe('executing');
    clock.increment(1);
    expect((await outcome).error).toEqual({ code: 'executor_timeout', message: 'frontend_dev_1 did not finish "css" (c) within 2147483647 ms (attempt 1).' });
  });
});
