/**
 * Waiting on a task that stays active for long — parked for approval, waiting for a person — from a
 * server that asks again at every request: `org.outcome(id)`, `org.cancel(id)` and `org.drain()`
 * each added a waiter kept until the task settled (400 bytes a call: 41 MB after 100,000 polls of
 * one parked task, and as much for drain() under steady load). Everyone awaiting one task now
 * shares one promise, and every drain one promise, made when first asked for.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { flush, orchestrators, rejectionOf } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });

describe('waiting again and again on a long-active task', () => {
  it('hands every caller of one task the same promise (submit, outcome, cancel), and every drain one; each still settles as before', async () => {
    const org = start();
    const submitted = org.submit({ id: 'parked', type: 'python', context: { requiresApproval: true } });
    await flush();
    const polls = Array.from({ length: 100_000 }, () => org.outcome('parked'));
    expect(new Set([submitted, ...polls]).size).toBe(1);
    const drains = Array.from({ length: 100_000 }, () => org.drain());
    expect(new Set(drains).size).toBe(1);
    const approval = org.approvals.pending()[0]!;
    org.approvals.approve(approval.id, { by: 'api_specialist' });
    expect(await polls[99_999]).toMatchObject({ taskId: 'parked', status: 'completed' });
    await drains[0];
    // Once settled, a new wait is a new promise: nothing carries over to the next task of that id.
    const again = org.submit({ id: 'parked', type: 'python', context: { requiresApproval: true } });
    expect(again).not.toBe(submitted);
    const nextDrain = org.drain();
    expect(nextDrain).not.toBe(drains[0]);
    await org.stop();
    expect((await rejectionOf(org.outcome('parked'))).code).toBe('orchestrator_stopped');
    expect((await rejectionOf(again)).code).toBe('orchestrator_stopped');
    expect((await rejectionOf(nextDrain)).code).toBe('orchestrator_stopped');
  });
});
