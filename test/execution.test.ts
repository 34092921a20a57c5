import { describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { defineHierarchy, developmentTeam, EchelonError, type Orchestrator, type OrchestratorEvent } from '../src/index.js';
import { backoffDelay } from '../src/charts.js';
import { deferred, flush, seeded, orchestrators } from './support/helpers.js';
import { leadWithTwoWorkers } from './support/hierarchies.js';

const start = orchestrators();

const pair = leadWithTwoWorkers;

const record = (org: Orchestrator, clock: SimulatedClock) => {
  const log: string[] = [];
  org.on('*', (event: OrchestratorEvent) => {
    if (event.type === 'task.started') log.push(`${clock.now()} start ${event.agent} #${event.attempt}`);
    if (event.type === 'task.retrying') log.push(`${clock.now()} retry ${event.agent} #${event.attempt} in ${event.delayMs}ms: ${event.error.message}`);
  });
  return log;
};

describe('executors that fail', () => {
  it('an executor that throws fails the task with its message', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: async () => Promise.reject(new Error('disk full')) });
    const outcome = await org.submit({ type: 'strategy' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: 'disk full' }, executedBy: 'cto', attempts: 1 });
  });

  it.each([
    ['a string', 'plain string', 'plain string'],
    ['undefined', undefined, 'the executor threw undefined'],
    ['an object', { reason: 42 }, 'the executor threw a non-Error value: {"reason":42}'],
    ['null', null, 'the executor threw a non-Error value: null'],
    ['a symbol', Symbol('odd'), 'the executor threw a non-Error value: Symbol(odd)'],
    // Before, these two threw again inside the attempt's bookkeeping: the task never ended, and the process got an uncaught exception.
    ['an Error whose message getter throws', Object.defineProperty(new Error(), 'message', { get: () => { throw new Error('getter'); } }), 'the executor threw a value that cannot be read (reading it threw Error: getter)'],
    ['a Proxy whose traps throw', new Proxy({}, { getPrototypeOf: () => { throw new Error('trap'); }, get: () => { throw new Error('trap'); } }), 'the executor threw a value that cannot be read (reading it threw Error: trap)'],
  ])('an executor that throws %s fails the task cleanly', async (_case, value, message) => {
    const org = start({
      hierarchy: developmentTeam(),
      executors: {
        default: async () => 'fine',
        byId: {
          cto: () => {
            throw value;
          },
        },
      },
    });
    expect((await org.submit({ type: 'strategy' })).error).toEqual({ code: 'executor_error', message });
    expect((await org.submit({ type: 'css' })).status).toBe('completed');
  });

  it('an EchelonError thrown by an executor keeps its code', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: () => Promise.reject(new EchelonError('rejected', 'not allowed here')) });
    expect((await org.submit({ type: 'strategy' })).error).toEqual({ code: 'rejected', message: 'not allowed here' });
  });
});

describe('attempts of different agents', () => {
  it('keep apart when the ids would join into the same key with a slash (agent a, task b/c; agent a/b, task c)', async () => {
    const hierarchy = defineHierarchy({
      id: 'root',
      role: 'manager',
      children: [
        { id: 'a', role: 'worker', capabilities: ['x'] },
        { id: 'a/b', role: 'worker', capabilities: ['y'] },
      ],
    });
    const gate = deferred();
    const org = start({ hierarchy, executors: async (_task, { agent }) => (await gate.promise, `by ${agent.id}`) });
    const first = org.submit({ id: 'b/c', type: 'x' });
    const second = org.submit({ id: 'c', type: 'y' });
    await flush();
    gate.resolve(undefined);
    // Before: the second attempt took the first's key and "replaced" it; the first's result was dropped, and it waited for its timeout.
    expect(await Promise.all([first, second])).toMatchObject([
      { status: 'completed', result: 'by a' },
      { status: 'completed', result: 'by a/b' },
    ]);
  });
});

describe('timeouts, on a simulated clock', () => {
  it('an executor that hangs past its timeout is aborted and fails the task; the agent keeps serving', async () => {
    const clock = new SimulatedClock();
    let aborted: unknown;
    let calls = 0;
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      execution: { timeoutMs: 1_000 },
      executors: (_task, { signal }) => {
        calls += 1;
        if (calls > 1) return 'second one fine';
        signal.addEventListener('abort', () => (aborted = signal.reason));
        return new Promise(() => undefined);
      },
    });
    const hung = org.submit({ type: 'css' });
    const next = org.submit({ type: 'css' });
    await flush();
    expect(org.agentState('frontend_dev_1')).toMatchObject({ state: 'executing', queued: 1 });
    clock.increment(999);
    await flush();
    expect(aborted).toBeUndefined();
    clock.increment(1);
    const outcome = await hung;
    // The executor's signal says why: the agent stopped the attempt (its timeout is the task's error).
    expect(aborted).toBeInstanceOf(EchelonError);
    expect(aborted).toMatchObject({ code: 'cancelled', message: 'frontend_dev_1 stopped this attempt.' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('executor_timeout');
    expect(outcome.error?.message).toMatch(/frontend_dev_1 did not finish "css" .* within 1000 ms \(attempt 1\)/);
    expect((await next).result).toBe('second one fine');
  });

  it('a per-task timeout overrides the agent default', async () => {
    const clock = new SimulatedClock();
    const org = start({ hierarchy: developmentTeam(), clock, executors: () => new Promise(() => undefined) });
    const outcome = org.submit({ type: 'css', execution: { timeoutMs: 50 } });
    await flush();
    clock.increment(50);
    expect((await outcome).error?.code).toBe('executor_timeout');
  });

  it('an executor that rejects after it was abandoned changes nothing', async () => {
    const clock = new SimulatedClock();
    const late = deferred();
    const org = start({ hierarchy: developmentTeam(), clock, execution: { timeoutMs: 10 }, executors: () => late.promise });
    const outcome = org.submit({ type: 'css' });
    await flush();
    clock.increment(10);
    expect((await outcome).error?.code).toBe('executor_timeout');
    late.reject(new Error('too late'));
    await flush();
    expect(org.agentState('frontend_dev_1')).toMatchObject({ state: 'receiving', running: [], queued: 0 });
  });
});

describe('timeouts, on the real clock', () => {
  // The in-process host arms real-time timers once the event loop turns (an attempt that answers
  // at once never costs one): a timer asked for in a burst must still fire, at its own deadline.
  it('an executor that never answers times out, and one retried after a timeout runs again', async () => {
    const org = start({
      hierarchy: developmentTeam(),
      execution: { timeoutMs: 20, retry: { attempts: 2, initialDelayMs: 5, jitter: 0 } },
      executors: (task, { attempt }) => (task.type === 'css' && attempt === 2 ? 'second time' : new Promise(() => undefined)),
    });
    const [slow, other] = await Promise.all([org.submit({ type: 'css' }), org.submit({ type: 'python' })]);
    expect(slow).toMatchObject({ status: 'completed', result: 'second time', attempts: 2 });
    expect(other.status).toBe('failed');
    expect(other.error?.code).toBe('executor_timeout');
  });

  it('a timer asked for and cancelled within one burst never fires', async () => {
    const events: OrchestratorEvent[] = [];
    const org = start({ hierarchy: developmentTeam(), execution: { timeoutMs: 1 }, executors: async () => 'at once' });
    org.on('*', (event) => void events.push(event));
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => org.submit({ type: 'css' })));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(outcomes.every((outcome) => outcome.status === 'completed')).toBe(true);
    expect(events.filter((event) => event.type === 'task.retrying' || event.type === 'task.failed')).toEqual([]);
  });
});

describe('the idempotency key', () => {
  it('is <taskId>@<agentId>, and no two tasks share one when ids have an @ in them', async () => {
    // Before: task "x@y" at agent "z" and task "x" at agent "y@z" were both "x@y@z", and an executor skipping a side effect it had made skipped the other task's.
    const keys: string[] = [];
    const hierarchy = defineHierarchy({ id: 'boss', role: 'manager', children: [{ id: 'z', role: 'worker', capabilities: ['a'] }, { id: 'y@z', role: 'worker', capabilities: ['b'] }, { id: 'q%40r', role: 'worker', capabilities: ['c'] }] });
    const org = start({ hierarchy, executors: async (_task, context) => keys.push(context.idempotencyKey) });
    await Promise.all([org.submit({ id: 'x@y', type: 'a' }), org.submit({ id: 'x', type: 'b' }), org.submit({ id: 'w', type: 'c' })]);
    // An agent id with an @ or a % is URI-encoded; every other key is as it always was.
    expect(keys.sort()).toEqual(['w@q%2540r', 'x@y%40z', 'x@y@z']);
  });
});

describe('retries with exponential backoff', () => {
  it('retries on the schedule 100 ms, 200 ms and succeeds on the third attempt', async () => {
    const clock = new SimulatedClock();
    let attempt = 0;
    const keys = new Set<string>();
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      execution: { retry: { attempts: 3, initialDelayMs: 100, factor: 2, jitter: 0 } },
      executors: async (_task, context) => {
        keys.add(context.idempotencyKey);
        attempt = context.attempt;
        if (context.attempt < 3) throw new Error(`flaky ${context.attempt}`);
        return 'third time lucky';
      },
    });
    const log = record(org, clock);
    const outcome = org.submit({ id: 'r', type: 'css' });
    await flush();
    expect(log).toEqual(['0 start frontend_dev_1 #1', '0 retry frontend_dev_1 #2 in 100ms: flaky 1']);
    clock.increment(99);
    await flush();
    expect(attempt).toBe(1);
    clock.increment(1);
    await flush();
    clock.increment(200);
    expect(await outcome).toMatchObject({ status: 'completed', result: 'third time lucky', attempts: 3 });
    expect(log).toEqual([
      '0 start frontend_dev_1 #1',
      '0 retry frontend_dev_1 #2 in 100ms: flaky 1',
      '100 start frontend_dev_1 #2',
      '100 retry frontend_dev_1 #3 in 200ms: flaky 2',
      '300 start frontend_dev_1 #3',
    ]);
    expect([...keys]).toEqual(['r@frontend_dev_1']);
  });

  it('waits as long as a failure says to (details.retryAfterMs, a rate limit\'s retry-after), at most maxDelayMs, never less than the backoff', async () => {
    const clock = new SimulatedClock();
    const waits = [5_000, 50, 90_000, -1, Number.NaN, '7'];
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      execution: { retry: { attempts: 7, initialDelayMs: 100, factor: 1, maxDelayMs: 60_000, jitter: 0 } },
      executors: async (_task, context) => {
        if (context.attempt > waits.length) return 'through';
        throw new EchelonError('executor_error', `busy ${context.attempt}`, { details: { retryAfterMs: waits[context.attempt - 1] } });
      },
    });
    const delays: number[] = [];
    org.on('task.retrying', (event) => delays.push(event.delayMs));
    const outcome = org.submit({ type: 'css' });
    for (let step = 0; step < 20 && delays.length < waits.length; step++) {
      await flush();
      clock.increment(60_000);
    }
    // 5 s as asked; the backoff when it asks for less; the cap when it asks for more; the backoff for what is no wait.
    expect(delays).toEqual([5_000, 100, 60_000, 100, 100, 100]);
    await flush();
    expect(await outcome).toMatchObject({ status: 'completed', result: 'through', attempts: 7 });
  });

  it('spreads delays with jitter from the injected random, capped at maxDelayMs', () => {
    const policy = { attempts: 10, initialDelayMs: 100, factor: 2, maxDelayMs: 1_000, jitter: 0.5 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 1, () => 0.5)).toBe(100);
    expect(backoffDelay(policy, 3, () => 0.5)).toBe(400);
    expect(backoffDelay(policy, 8, () => 0.5)).toBe(1_000);
    const random = seeded(7);
    const delays = Array.from({ length: 50 }, () => backoffDelay(policy, 2, random));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(100);
    expect(Math.max(...delays)).toBeLessThanOrEqual(300);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('no delay exceeds maxDelayMs, jitter included, whatever the random gives', async () => {
    const policy = { attempts: 10, initialDelayMs: 100, factor: 2, maxDelayMs: 1_000, jitter: 0.5 };
    expect(backoffDelay(policy, 8, () => 0.999)).toBe(1_000);
    expect(backoffDelay(policy, 8, () => 0)).toBe(500);
    expect(backoffDelay(policy, 8, () => 7)).toBe(1_000); // a careless random, out of [0, 1)
    const clock = new SimulatedClock();
    const org = start({ hierarchy: developmentTeam(), clock, random: () => 0.999, executors: async () => Promise.reject(new Error('again')), execution: { retry: { attempts: 3, initialDelayMs: 1_000, maxDelayMs: 100, jitter: 0.5 } } });
    const delays: number[] = [];
    org.on('task.retrying', (event) => delays.push(event.delayMs));
    const outcome = org.submit({ type: 'python' });
    for (let step = 0; step < 20 && delays.length < 2; step++) {
      await flush();
      clock.increment(100);
    }
    await flush();
    expect(delays).toEqual([100, 100]);
    expect((await outcome).status).toBe('failed');
  });

  it('does not retry errors the retryable predicate refuses', async () => {
    const clock = new SimulatedClock();
    class Invalid extends Error {}
    let calls = 0;
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      execution: { retry: { attempts: 5 }, retryable: (error) => !(error instanceof Invalid) },
      executors: async () => {
        calls += 1;
        throw new Invalid('bad input');
      },
    });
    expect((await org.submit({ type: 'strategy' })).error?.message).toBe('bad input');
    expect(calls).toBe(1);
  });

  it('a retryable predicate that says nothing about an error (undefined) leaves it retried, as without one', async () => {
    let calls = 0;
    const org = start({
      hierarchy: developmentTeam(),
      execution: { retry: { attempts: 3, initialDelayMs: 0 }, retryable: (error) => ((error as Error).message === 'fatal' ? false : (undefined as unknown as boolean)) },
      executors: { default: async () => 'fine', byId: { cto: async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'done') } },
    });
    expect(await org.submit({ type: 'strategy' })).toMatchObject({ status: 'completed', result: 'done', attempts: 3 });
    expect(calls).toBe(3);
  });

  it('a retryable predicate that throws fails the task with the executor\'s error, unretried, and the organisation goes on', async () => {
    const clock = new SimulatedClock();
    let calls = 0;
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      execution: {
        retry: { attempts: 5 },
        retryable: () => {
          throw new Error('predicate bug');
        },
      },
      executors: {
        default: async () => 'fine',
        byId: {
          cto: async () => {
            calls += 1;
            throw new Error('bad input');
          },
        },
      },
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await org.submit({ type: 'strategy' })).error).toEqual({ code: 'executor_error', message: 'bad input' });
      expect(calls).toBe(1);
      expect(String(error.mock.calls[0]?.[0])).toContain('execution.retryable threw for cto');
      expect((await org.submit({ type: 'css' })).status).toBe('completed');
    } finally {
      error.mockRestore();
    }
  });

  it.each<[string, () => number]>([
    ['throws', () => {
      throw new Error('rng down');
    }],
    ['returns NaN', () => Number.NaN],
    ['returns 2', () => 2],
  ])('a random option that %s does not stop the organisation: retries still back off, and it goes on', async (_case, random) => {
    const clock = new SimulatedClock();
    let calls = 0;
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      random,
      execution: { retry: { attempts: 3, initialDelayMs: 100, jitter: 1 } },
      executors: {
        default: async () => 'fine',
        byId: {
          cto: async () => {
            calls += 1;
            throw new Error('flaky');
          },
        },
      },
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const outcome = org.submit({ type: 'strategy' });
      for (let i = 0; i < 10 && calls < 3; i += 1) {
        await flush();
        clock.increment(1_000);
      }
      expect(await outcome).toMatchObject({ status: 'failed', attempts: 3 });
      expect(String(error.mock.calls[0]?.[0])).toContain('the random option must return a number in [0, 1)');
      expect((await org.submit({ type: 'css' })).status).toBe('completed');
    } finally {
      error.mockRestore();
    }
  });

  it('times out attempts and retries them', async () => {
    const clock = new SimulatedClock();
    const org = start({
      hierarchy: developmentTeam(),
      clock,
      execution: { timeoutMs: 100, retry: { attempts: 2, initialDelayMs: 10, jitter: 0 } },
      executors: (_task, { attempt }) => (attempt === 1 ? new Promise(() => undefined) : 'ok'),
    });
    const outcome = org.submit({ type: 'strategy' });
    await flush();
    clock.increment(100);
    await flush();
    clock.increment(10);
    expect(await outcome).toMatchObject({ status: 'completed', attempts: 2 });
  });
});

describe('supervision: failures escalate', () => {
  it('after the last retry the task escalates and the parent reassigns it to a capable sibling', async () => {
    const org = start({
      hierarchy: pair(),
      executors: { byId: { w1: async () => Promise.reject(new Error('w1 is broken')), w2: async () => 'w2 did it' } },
    });
    const outcome = await org.submit({ type: 'job' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'w2 did it', executedBy: 'w2', delegationChain: ['lead', 'w1'] });
    expect(outcome.escalations).toHaveLength(1);
    expect(outcome.escalations[0]).toMatchObject({
      reason: 'execution_failed',
      from: 'w1',
      to: 'lead',
      status: 'resolved',
      resolvedBy: 'w2',
      error: { code: 'executor_error', message: 'w1 is broken' },
    });
  });

  it('when nobody else can do it, the task fails with the original error, escalated up to the root', async () => {
    const org = start({ hierarchy: developmentTeam(), executors: async () => Promise.reject(new Error('segfault')) });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: 'segfault' }, executedBy: 'backend_dev_1' });
    expect(outcome.escalations.map((escalation) => `${escalation.reason} ${escalation.from}→${escalation.to} ${escalation.status}`)).toEqual([
      'execution_failed backend_dev_1→api_specialist failed',
      'beyond_capability api_specialist→backend_lead failed',
      'beyond_capability backend_lead→cto failed',
    ]);
    expect(org.status()).toMatchObject({ activeEscalations: 0, resolvedEscalations: 3 });
  });

  it("an executor's escalation that nobody above can resolve fails the task with its reason and message", async () => {
    const org = start({ hierarchy: developmentTeam(), executors: async (_task, context) => context.escalate('policy_decision', 'needs the board') });
    const outcome = await org.submit({ type: 'strategy' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'escalation_unresolved', details: { reason: 'policy_decision', agentId: 'cto' } });
    expect(outcome.error?.message).toBe('needs the board — cto escalated "strategy" (policy_decision) and nobody above it can resolve it.');
  });

  it('an executor can escalate its task itself', async () => {
    const org = start({
      hierarchy: pair(),
      executors: {
        byId: {
          w1: async (_task, context) => context.escalate('policy_decision', 'needs a lead'),
          lead: async () => 'lead decided',
          w2: async () => 'unused',
        },
      },
    });
    const outcome = await org.submit({ type: 'job' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'lead decided', executedBy: 'lead' });
    expect(outcome.escalations[0]).toMatchObject({ reason: 'policy_decision', from: 'w1', to: 'lead', message: 'needs a lead' });
  });
});
