/**
 * Deadlines longer than a Node timer holds (2^31 − 1 ms, about 24.8 days), on the process's own
 * clock (no `clock` option). Node fires a longer timer after 1 ms, so a month's approval expiry,
 * decision timeout or time budget used to end its task at once. Time here is vitest's fake
 * timers, which take an overlong delay as 1 ms just as Node does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { developmentTeam, type DelegationStrategy } from '../../src/index.js';
import { LONGEST_TIMER_MS } from '../../src/long-timer.js';
import { deferred, orchestrators } from '../support/helpers.js';

const DAY = 86_400_000;
const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });

beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'Date'] }));
afterEach(() => void vi.useRealTimers());

describe('a deadline past the longest Node timer, on the process clock', () => {
  it("an approval's month-long expiry has not passed after 25 days, and has after 30", async () => {
    const org = start();
    const outcome = org.submit({ type: 'css', approval: { timeoutMs: 30 * DAY } });
    await vi.advanceTimersByTimeAsync(25 * DAY);
    expect(LONGEST_TIMER_MS).toBeLessThan(25 * DAY);
    expect(org.approvals.pending()).toMatchObject([{ approver: 'react_specialist' }]);
    await vi.advanceTimersByTimeAsync(5 * DAY);
    expect(org.approvals.pending()).toMatchObject([{ approver: 'frontend_lead' }]);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'frontend_lead' });
    expect(await outcome).toMatchObject({ status: 'completed' });
  });

  it("a decision's month-long timeout lets a strategy answer after 25 days", async () => {
    const answer = deferred<string | undefined>();
    const slow: DelegationStrategy = { name: 'slow', select: (task, candidates) => (task.type === 'python' ? answer.promise : candidates.find((c) => c.capable)?.id) };
    const org = start({ strategy: { byId: { cto: slow } }, decisions: { timeoutMs: 30 * DAY } });
    const outcome = org.submit({ type: 'python' });
    await vi.advanceTimersByTimeAsync(25 * DAY);
    answer.resolve('backend_lead');
    expect(await outcome).toMatchObject({ status: 'completed' });
  });

  it("a month's time budget lets a task wait 25 days for a person; org.stop() leaves no timer", async () => {
    const org = start();
    const outcome = org.submit({ type: 'css', context: { requiresApproval: true }, budget: { timeMs: 30 * DAY } });
    await vi.advanceTimersByTimeAsync(25 * DAY);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'react_specialist' });
    expect(await outcome).toMatchObject({ status: 'completed' });
    const waiting = org.submit({ type: 'css', approval: { timeoutMs: 300 * DAY } }).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await org.stop();
    await waiting;
    expect(vi.getTimerCount()).toBe(0);
  });
});
