/**
 * The decisions an agent awaits on Restate, in the process that asked (src/restate/pending-decisions.ts):
 * what the decision service is told to send the agent in each case — no server; time is vitest's
 * fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentInternalEvent } from '../../machines/agent.types.js';
import type { Effect } from '../../machines/ports.js';
import { againOf } from '../../src/restate/decision-service.js';
import { PendingDecisions } from '../../src/restate/pending-decisions.js';
import { invocation, portsHost, settleCharges, within } from '../../src/restate/scope.js';
import type { Task } from '../../src/types.js';
import { deferred } from '../support/helpers.js';

type Await = Extract<Effect, { type: 'await' }>;

const rand = { random: () => 0.5, uuidv4: () => '00000000-0000-4000-8000-000000000000' };
const answered = (value: unknown): AgentInternalEvent => ({ type: 'echelon.decided', taskId: 't', token: 1, phase: 'select', step: value as never });
const failed = (error: unknown): AgentInternalEvent => ({ type: 'echelon.decided', taskId: 't', token: 1, phase: 'select', step: { kind: 'fail', error: { code: 'strategy_error', message: String((error as Error).message) } } });
const again: AgentInternalEvent = { type: 'echelon.redecide', taskId: 't', token: 1 };

/** An awaited decision over `promise`, counting its aborts. */
function awaiting(promise: Promise<unknown>, timeoutMs = 1_000) {
  const aborts = { count: 0 };
  const effect: Await = { type: 'await', key: 'dec:t', promise, timeoutMs, abort: () => void aborts.count++, answer: answered, fail: failed, again: () => again };
  return { effect, aborts };
}

describe('echelon/restate: decisions awaited beside the agent', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('answers with the decision once it settles, and then no longer holds it', async () => {
    const decisions = new PendingDecisions();
    const answer = deferred<unknown>();
    decisions.register('cto', 'one', awaiting(answer.promise).effect, invocation(0, rand));
    expect(decisions.size).toBe(1);
    const told = decisions.settle('cto', 'dec:t', 'one', 1_000, again);
    answer.resolve({ kind: 'assign', childId: 'backend_lead' });
    expect(await told).toEqual({ event: answered({ kind: 'assign', childId: 'backend_lead' }), charged: [] });
    expect(decisions.size).toBe(0);
  });

  it('answers a rejection or a timeout with the failure the agent prepared, aborting the decision at its timeout', async () => {
    const decisions = new PendingDecisions();
    decisions.register('cto', 'one', awaiting(Promise.reject(new Error('model down'))).effect, invocation(0, rand));
    expect((await decisions.settle('cto', 'dec:t', 'one', 1_000, again)).event).toEqual(failed(new Error('model down')));
    const never = awaiting(new Promise(() => undefined), 150);
    decisions.register('cto', 'two', never.effect, invocation(0, rand));
    const told = decisions.settle('cto', 'dec:t', 'two', 150, again);
    await vi.advanceTimersByTimeAsync(149);
    expect(never.aborts.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect((await told).event).toEqual(failed(new Error('cto waited 150 ms for a decision that did not answer.')));
    expect(never.aborts.count).toBe(1);
  });

  it('waits a timeout past 2^31 − 1 ms (a month, or Infinity) for as long as it says, where a Node timer fires after 1 ms', async () => {
    const month = 30 * 24 * 3_600_000;
    for (const timeoutMs of [month, Number.POSITIVE_INFINITY]) {
      const decisions = new PendingDecisions();
      const never = awaiting(new Promise(() => undefined), timeoutMs);
      decisions.register('cto', 'long', never.effect, invocation(0, rand));
      let told: unknown;
      void decisions.settle('cto', 'dec:t', 'long', timeoutMs, again).then((answer) => (told = answer));
      await vi.advanceTimersByTimeAsync(month - 1);
      expect({ timeoutMs, told, aborts: never.aborts.count }).toEqual({ timeoutMs, told: undefined, aborts: 0 });
      await vi.advanceTimersByTimeAsync(1);
      expect({ timeoutMs, aborted: never.aborts.count }).toEqual({ timeoutMs, aborted: timeoutMs === month ? 1 : 0 });
      decisions.forget('cto', 'dec:t');
    }
  });

  it('answers nothing for a decision the agent forgot, before or while it is waited for, and aborts it once', async () => {
    const decisions = new PendingDecisions();
    const early = awaiting(new Promise(() => undefined));
    decisions.register('cto', 'one', early.effect, invocation(0, rand));
    decisions.forget('cto', 'dec:t');
    expect(await decisions.settle('cto', 'dec:t', 'one', 1_000, again)).toEqual({ charged: [] });
    const late = awaiting(new Promise(() => undefined));
    decisions.register('cto', 'two', late.effect, invocation(0, rand));
    const told = decisions.settle('cto', 'dec:t', 'two', 1_000, again);
    decisions.forget('cto', 'dec:t');
    decisions.forget('cto', 'dec:t');
    expect(await told).toEqual({ charged: [] });
    expect([early.aborts.count, late.aborts.count]).toEqual([1, 1]);
    expect(decisions.size).toBe(0);
  });

  it('tells the agent to ask again when this process does not have the decision, and nothing for one a newer replaced', async () => {
    const decisions = new PendingDecisions();
    expect(await decisions.settle('cto', 'dec:t', 'one', 1_000, again)).toEqual({ event: again, charged: [] });
    const older = awaiting(new Promise(() => undefined));
    decisions.register('cto', 'one', older.effect, invocation(0, rand));
    decisions.register('cto', 'two', awaiting(Promise.resolve('newer')).effect, invocation(0, rand));
    expect(older.aborts.count).toBe(1);
    expect(await decisions.settle('cto', 'dec:t', 'one', 1_000, again)).toEqual({ charged: [] });
    expect((await decisions.settle('cto', 'dec:t', 'two', 1_000, again)).event).toEqual(answered('newer'));
  });

  it('holds a decision that rejects before anyone waits for it without an unhandled rejection, and answers its failure later', async () => {
    vi.useRealTimers();
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      const decisions = new PendingDecisions();
      decisions.register('cto', 'one', awaiting(Promise.reject(new Error('model down'))).effect, invocation(0, rand));
      // Node reports a rejection nobody handled once the macrotask it happened in is over.
      await new Promise((resolve) => setTimeout(resolve, 1));
      expect(unhandled).toEqual([]);
      expect((await decisions.settle('cto', 'dec:t', 'one', 1_000, again)).event).toEqual(failed(new Error('model down')));
    } finally {
      process.off('unhandledRejection', note);
    }
  });

  it('keeps the first registration of a replayed turn and aborts the replay’s decision', async () => {
    const decisions = new PendingDecisions();
    const first = awaiting(Promise.resolve('first'));
    const replay = awaiting(Promise.resolve('replay'));
    decisions.register('cto', 'one', first.effect, invocation(0, rand));
    decisions.register('cto', 'one', replay.effect, invocation(0, rand));
    expect([first.aborts.count, replay.aborts.count]).toEqual([0, 1]);
    expect((await decisions.settle('cto', 'dec:t', 'one', 1_000, again)).event).toEqual(answered('first'));
  });

  it('files what the decision charged after its turn, and counts what the turn charged in its budget checks', async () => {
    const decisions = new PendingDecisions();
    const task = { id: 't', rootId: 't', budget: { cost: 10 } } as unknown as Task;
    const here = invocation(0, rand, { spent: new Map([['t', 2]]) });
    const gate = deferred();
    const promise = within(here, async () => {
      portsHost.reportCost(task, 3);
      await gate.promise;
      portsHost.reportCost(task, 4);
      return portsHost.costSpent(task);
    });
    decisions.register('cto', 'one', awaiting(promise).effect, here);
    // What the turn charged (3) is filed by the agent object when the turn ends…
    expect(settleCharges(here)).toEqual([{ task, amount: 3 }]);
    const told = decisions.settle('cto', 'dec:t', 'one', 1_000, again);
    gate.resolve(undefined);
    // …and what the decision charged later (4) by the decision service, its check counting all 9.
    expect(await told).toEqual({ event: answered(9), charged: [{ task, amount: 4 }] });
  });

  it('a wait journaled by a version before `again` existed (it carries `lost`) is told that failure, not nothing', async () => {
    const lost = failed(new Error('the process that asked for this decision stopped'));
    const old = { agentId: 'cto', key: 'dec:t', id: 'gone', timeoutMs: 1_000, lost };
    expect(againOf(old)).toEqual(lost);
    expect(againOf({ agentId: 'cto', key: 'dec:t', id: 'gone', timeoutMs: 1_000, again })).toEqual(again);
    // Settled in a process that does not have it: the old wait's failure reaches the agent, so its task does not wait forever.
    expect(await new PendingDecisions().settle('cto', 'dec:t', 'gone', 1_000, againOf(old))).toEqual({ event: lost, charged: [] });
  });

  it('a decision the agent stopped waiting for before this process had it (a withdrawal first, after a restart) is not asked again', async () => {
    const decisions = new PendingDecisions();
    decisions.forget('cto', 'dec:t');
    expect(await decisions.settle('cto', 'dec:t', 'gone', 1_000, again)).toEqual({ charged: [] });
    // Only once: a later wait for a decision this process never had is asked again, as before.
    expect(await decisions.settle('cto', 'dec:t', 'gone', 1_000, again)).toEqual({ event: again, charged: [] });
    // A new registration under the key clears what was forgotten of it.
    decisions.forget('cto', 'dec:t');
    const { effect } = awaiting(Promise.resolve('kid1'));
    decisions.register('cto', 'fresh', effect, invocation(0, rand));
    expect(await decisions.settle('cto', 'dec:t', 'fresh', 1_000, again)).toEqual({ event: answered('kid1'), charged: [] });
  });
});
