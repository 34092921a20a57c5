/**
 * Task streams dropped unread: a server that opens `org.stream(id)` for a request and loses the
 * request before reading kept each stream — its buffer, its follower in the hub, its listener on
 * the signal — until the task settled (2 KB a stream on a task parked for approval: 200 MB after
 * 100,000), and told the task's executors someone listened (`context.streaming`). Now a stream with
 * no read waiting is held weakly: collected, it stops following the task at its next event.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../support/collect.js';
import { developmentTeam, type Orchestrator } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

const heard = new Map<string, boolean>();
const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task, { streaming }) => (heard.set(task.id, streaming), 'done') });


/** Submits a task that parks for approval, and resolves once it waits; `approve()` lets it run. */
async function parked(org: Orchestrator, id: string) {
  const outcome = org.submit({ id, type: 'python', context: { requiresApproval: true } });
  for (let turn = 0; turn < 100 && !org.approvals.pending().some((approval) => approval.taskId === id); turn++) await flush(1);
  const approval = org.approvals.pending().find((candidate) => candidate.taskId === id)!;
  return { approve: () => (org.approvals.approve(approval.id, { by: 'api_specialist' }), outcome) };
}

describe('org.stream(id) dropped unread', () => {
  it('is collected with its buffer, stops following the task and leaves its signal; a loop waiting on a stream still reads it to the end', async () => {
    const gc = collectGarbage();
    const org = start();
    const controller = new AbortController();
    const followed = await parked(org, 'followed');
    const alone = await parked(org, 'alone');
    const dropped = [new WeakRef(org.stream('followed', { signal: controller.signal })), new WeakRef(org.stream('alone', { signal: controller.signal }))];
    const reading = (async () => {
      const types: string[] = [];
      for await (const event of org.stream('followed', { signal: controller.signal })) types.push(event.type);
      return types;
    })();
    await flush(1);
    gc();
    expect(dropped.map((ref) => ref.deref())).toEqual([undefined, undefined]);

    expect((await followed.approve()).status).toBe('completed');
    expect((await alone.approve()).status).toBe('completed');
    expect(await reading).toContain('task.completed');
    // Its executor ran with someone listening; the other one's stream was gone.
    expect(Object.fromEntries(heard)).toEqual({ followed: true, alone: false });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
