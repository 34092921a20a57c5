/**
 * Model-based tests of the execution statechart: every transition — success, failure, retry
 * after backoff, timeout, an executor asking to escalate or for approval — replayed on a live
 * execution actor with a real executor promise and a simulated clock, which must agree with
 * the model and report exactly once, when it is done, to its agent.
 */
import { describe, expect, it } from 'vitest';
import { assign, createActor, setup, SimulatedClock, spawnChild, type AnyActorRef } from 'xstate';
import { TestModel } from 'xstate/graph';
import { ApprovalSignal, EscalationSignal, createExecutionMachine, type Task } from '../../src/index.js';
import { deferred, flush } from '../support/helpers.js';
import { testEnvironment } from '../support/environment.js';
import { replayEveryTransition } from '../support/model.js';

const TIMEOUT = 1_000;
const policy = { timeoutMs: TIMEOUT, retry: { attempts: 3, initialDelayMs: 100, factor: 2, maxDelayMs: 10_000, jitter: 0 } };
const task = { id: 't', type: 'job', chain: ['a'], budget: { account: 't' } } as unknown as Task;
const input = { task, agentId: 'a', policy };

const environment = (clock: { now(): number }, run: () => Promise<unknown>) =>
  testEnvironment({ execute: run, retryable: () => true, random: () => 0.5, now: () => clock.now() });

const FAILURE = new Error('boom');
const ESCALATE = new EscalationSignal('policy_decision', 'needs a decision');
const APPROVE = new ApprovalSignal({ reason: 'needs approval' });
const AFTER_TIMEOUT = 'xstate.after.timeout.execution.running';
const AFTER_BACKOFF = 'xstate.after.backoff.execution.backoff';

type Snap = { value: unknown; context: { attempt: number } };
const key = (snapshot: Snap) => `${JSON.stringify(snapshot.value)}#${snapshot.context.attempt}`;

// The model is the chart alone: its reports to the agent are what the live replay checks.
const chart = createExecutionMachine(environment({ now: () => 0 }, () => new Promise(() => undefined))).provide({ actions: { tellAgent: () => undefined } });
const model = new TestModel(chart, {
  input,
  serializeState: (snapshot) => key(snapshot as unknown as Snap),
  serializeEvent: (event) => `${event.type}:${String((event as { error?: Error }).error?.name ?? '')}`,
  events: (snapshot) => {
    const value = (snapshot as unknown as Snap).value;
    if (value === 'running') {
      return [
        { type: 'xstate.done.actor.executor', output: 'ok' },
        { type: 'xstate.error.actor.executor', error: FAILURE },
        { type: 'xstate.error.actor.executor', error: ESCALATE },
        { type: 'xstate.error.actor.executor', error: APPROVE },
        { type: AFTER_TIMEOUT },
        // What a restore sends when the attempt's stored deadline passed while the process was down.
        { type: 'execution.expire' },
      ] as never;
    }
    if (value === 'backoff') return [{ type: AFTER_BACKOFF }, { type: 'execution.expire' }] as never;
    return [];
  },
});

function liveExecution(start: typeof input = input, clock = new SimulatedClock()) {
  const attempts: Array<ReturnType<typeof deferred>> = [];
  const logic = createExecutionMachine(
    environment(clock, () => {
      const attempt = deferred();
      attempts.push(attempt);
      return attempt.promise;
    }),
  );
  const parent = setup({ types: {} as { context: { reports: string[] } }, actors: { execution: logic } }).createMachine({
    context: { reports: [] },
    entry: spawnChild('execution', { id: 'exec', input: start }),
    on: { '*': { actions: assign({ reports: ({ context, event }) => [...context.reports, event.type] }) } },
  });
  const actor = createActor(parent, { clock }).start();
  const execution = () => actor.getSnapshot().children.exec as AnyActorRef;
  return { actor, clock, attempts, execution };
}
type Live = ReturnType<typeof liveExecution>;

async function play(live: Live, event: { type: string; error?: unknown }): Promise<void> {
  const current = live.attempts.at(-1)!;
  switch (event.type) {
    case 'xstate.done.actor.executor':
      current.resolve('ok');
      break;
    case 'xstate.error.actor.executor':
      current.reject(event.error);
      break;
    case AFTER_TIMEOUT:
      live.clock.increment(TIMEOUT);
      break;
    case AFTER_BACKOFF: {
      const { delayMs } = live.execution().getSnapshot().context as { delayMs: number };
      live.clock.increment(delayMs);
      break;
    }
    case 'execution.expire':
      live.execution().send({ type: 'execution.expire' });
      break;
  }
  await flush(2);
}

describe('the execution statechart, model-based', () => {
  it('covers running, backoff and every ending', () => {
    const states = new Set(Object.values(model.getAdjacencyMap()).map(({ state }) => JSON.stringify((state as unknown as Snap).value)));
    expect(states).toEqual(new Set(['"running"', '"backoff"', '"succeeded"', '"failed"', '"signalled"']));
  });

  it('every transition replays on a live execution with a simulated clock', async () => {
    const replayed = await replayEveryTransition(model, {
      key: (snapshot) => key(snapshot as unknown as Snap),
      start: () => liveExecution(),
      play: (live, event) => play(live, event as { type: string; error?: unknown }),
      check: (live, expected) => {
        const snapshot = live.execution().getSnapshot() as unknown as Snap & { children: Record<string, unknown> };
        const state = (expected as unknown as Snap).value as string;
        expect(key(snapshot)).toBe(key(expected as unknown as Snap));
        // The executor runs only while running; the agent hears exactly once, at the end.
        expect(Object.keys(snapshot.children)).toEqual(state === 'running' ? ['executor'] : []);
        const reports = live.actor.getSnapshot().context.reports.filter((type) => type.startsWith('execution.'));
        if (state === 'signalled') {
          expect(reports).toHaveLength(1);
          expect(['execution.escalate', 'execution.approval']).toContain(reports[0]);
        } else {
          expect(reports).toEqual({ running: [], backoff: [], succeeded: ['execution.succeeded'], failed: ['execution.failed'] }[state]);
        }
        expect(live.attempts).toHaveLength(snapshot.context.attempt);
        // While it waits, it knows until when: the deadline a restore re-arms its timer from.
        const { deadline, delayMs } = snapshot.context as unknown as { deadline: number; delayMs: number };
        if (state === 'backoff') expect(deadline).toBe(live.clock.now() + delayMs);
        if (state === 'running') expect(deadline).toBeGreaterThan(live.clock.now());
      },
      stop: (live) => live.actor.stop(),
    });
    expect(replayed).toBeGreaterThanOrEqual(16);
  });
});

describe('a task whose time budget runs out between attempts', () => {
  const withDeadline = (deadline: number) => ({ ...input, task: { ...task, budget: { account: 't', deadline } } as Task });
  const failure = (live: Live) => live.actor.getSnapshot().context.reports.filter((type) => type.startsWith('execution.'));

  it('is not started once its deadline has passed (queued too long): it fails with budget_exceeded, no attempt made', async () => {
    const clock = new SimulatedClock();
    clock.set(500);
    const live = liveExecution(withDeadline(400), clock);
    await flush(2);
    const snapshot = live.execution().getSnapshot() as unknown as Snap & { context: { error: { code: string } } };
    expect(snapshot.value).toBe('failed');
    expect(snapshot.context).toMatchObject({ attempt: 0, error: { code: 'budget_exceeded' } });
    expect(live.attempts).toHaveLength(0);
    expect(failure(live)).toEqual(['execution.failed']);
  });

  it('is not retried once its deadline passed while it backed off', async () => {
    const live = liveExecution(withDeadline(150));
    live.attempts[0]!.reject(FAILURE);
    await flush(2);
    expect(live.execution().getSnapshot().value).toBe('backoff');
    live.clock.increment(100); // the backoff (100 ms) ends at 100; the deadline is at 150 — the second attempt starts
    await flush(2);
    live.attempts[1]!.reject(FAILURE);
    await flush(2);
    live.clock.increment(200); // the next backoff ends at 300, past the deadline
    await flush(2);
    const snapshot = live.execution().getSnapshot() as unknown as Snap & { context: { error: { code: string } } };
    expect(snapshot.value).toBe('failed');
    expect(snapshot.context).toMatchObject({ attempt: 2, error: { code: 'budget_exceeded' } });
    expect(live.attempts).toHaveLength(2);
    expect(failure(live)).toEqual(['execution.failed']);
  });
});
