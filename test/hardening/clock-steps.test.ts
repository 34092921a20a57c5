/**
 * The system clock stepping while the organisation works (NTP correcting it, a VM restored,
 * the date set by hand): the times it records never go back, so no outcome took less than
 * nothing and no budget has more left than it allowed; its timers, on their own clock, wait
 * their delays as set.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { developmentTeam, memoryStore, type OrchestratorClock, type Outcome } from '../../src/index.js';
import { organisations } from '../durability/organisation.js';
import { deferred, flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });
const same = <T>(store: T) => store;
const orgs = organisations({ name: 'memory', create: memoryStore, reopen: same, alongside: same });

/** A simulated clock whose time of day can be stepped apart from its timers, as the system clock is. */
function steppedClock(): OrchestratorClock & { timers: SimulatedClock; step(ms: number): void } {
  const timers = new SimulatedClock();
  timers.increment(1_800_000_000_000);
  let offset = 0;
  return {
    timers,
    setTimeout: (fn, ms) => timers.setTimeout(fn, ms),
    clearTimeout: (id) => timers.clearTimeout(id as number),
    now: () => timers.now() + offset,
    step: (ms) => void (offset += ms),
  };
}

const HOUR = 3_600_000;

describe('the clock stepping back an hour', () => {
  it('while an executor runs: the outcome settles no earlier than it was submitted, its budget used no less than nothing', async () => {
    const clock = steppedClock();
    const work = deferred<string>();
    const org = start({ clock, store: memoryStore(), executors: () => work.promise });
    const outcome = org.submit({ id: 'slow', type: 'python', budget: { timeMs: 60_000 } });
    await flush();
    clock.timers.increment(1_000);
    clock.step(-HOUR);
    work.resolve('done');
    const { status, submittedAt, settledAt, budget } = await outcome;
    expect(status).toBe('completed');
    expect(settledAt - submittedAt).toBeGreaterThanOrEqual(0);
    expect(budget!.used.timeMs).toBeGreaterThanOrEqual(0);
    expect(budget!.left.timeMs).toBeLessThanOrEqual(60_000);
    const times = org.journal({ taskId: 'slow' }).map((entry) => entry.at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('while an approval waits: it moves up when its timeout has passed on the timers, its times never going back', async () => {
    const clock = steppedClock();
    const org = start({ clock, executors: async () => 'done' });
    let settled = false;
    const outcome = org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true }, approval: { timeoutMs: 100 } }).finally(() => void (settled = true));
    await flush();
    const [asked] = org.approvals.pending();
    clock.step(-HOUR);
    clock.timers.increment(99);
    await flush();
    expect(org.approvals.pending()[0]!.askedApprovers).toEqual(['api_specialist']);
    clock.timers.increment(1);
    await flush();
    const [moved] = org.approvals.pending();
    expect(moved!.askedApprovers).toEqual(['api_specialist', 'backend_lead']);
    expect(moved!.requestedAt).toBeGreaterThanOrEqual(asked!.requestedAt);
    for (let i = 0; i < 10 && !settled; i++) {
      clock.timers.increment(100);
      await flush();
    }
    const { error, submittedAt, settledAt } = await outcome;
    expect(error?.code).toBe('approval_expired');
    expect(settledAt).toBeGreaterThanOrEqual(submittedAt);
    const decided = org.approvals.get(asked!.id)!;
    expect(decided.decidedAt! - decided.requestedAt).toBeGreaterThanOrEqual(0);
  });
  it("while a task with a time budget runs: the budget ends when its timer does, not an hour later (attempts and backoffs cut at its end)", async () => {
    for (const stepped of [false, true]) {
      const clock = steppedClock();
      let attempts = 0;
      const org = start({
        clock,
        executors: () => {
          attempts++;
          // The first attempt fails at once, into a backoff the budget cuts short; the second hangs.
          return attempts === 1 ? Promise.reject(new Error('flaky')) : new Promise<never>(() => undefined);
        },
      });
      let outcome: Outcome | undefined;
      const retry = { attempts: 100, initialDelayMs: 2_000, factor: 1, maxDelayMs: 2_000, jitter: 0 };
      void org.submit({ id: 'timed', type: 'python', budget: { timeMs: 1_000 }, execution: { timeoutMs: 60_000, retry } }).then((settled) => (outcome = settled));
      await flush();
      if (stepped) clock.step(-HOUR);
      clock.timers.increment(1_000);
      await flush();
      expect({ stepped, status: outcome?.status, code: outcome?.error?.code, attempts }).toEqual({ stepped, status: 'failed', code: 'budget_exceeded', attempts: 1 });
      const hanging = org.submit({ id: 'hangs', type: 'python', budget: { timeMs: 1_000 }, execution: { timeoutMs: 60_000 } });
      await flush();
      if (stepped) clock.step(-HOUR);
      clock.timers.increment(1_000);
      await flush();
      expect(await hanging).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
    }
  });
});

describe('the clock an hour behind when the organisation comes back', () => {
  it('a task submitted before the crash settles no earlier than it was submitted, its budget used no less than nothing', async () => {
    const clock = steppedClock();
    const work = deferred<string>();
    const first = orgs.start({ clock, executors: () => new Promise<never>(() => undefined) });
    void first.org.submit({ id: 'slow', type: 'python', budget: { timeMs: 60_000 } }).catch(() => undefined);
    await first.org.flush();
    clock.step(-HOUR);
    const second = await orgs.resume(first, { clock, executors: () => work.promise });
    const outcome = second.org.outcome('slow');
    await flush();
    work.resolve('done');
    const { status, submittedAt, settledAt, budget } = await outcome;
    expect(status).toBe('completed');
    expect(settledAt).toBeGreaterThanOrEqual(submittedAt);
    expect(budget!.used.timeMs).toBeGreaterThanOrEqual(0);
  });
});

describe('a clock that gives no time', () => {
  const timers = () => {
    const clock = new SimulatedClock();
    return { setTimeout: (fn: () => void, ms: number) => clock.setTimeout(fn, ms), clearTimeout: (id: unknown) => clock.clearTimeout(id as number) };
  };

  it.each([
    ['NaN', () => Number.NaN, 'it gave NaN'],
    ['Infinity', () => Number.POSITIVE_INFINITY, 'it gave Infinity'],
    ['a string', () => '12' as unknown as number, 'it gave 12'],
    ['an error', () => {
      throw new Error('no time server');
    }, 'it gave an error (no time server)'],
    // Said with String(), these threw a TypeError of their own, and a thrown string read as a reading.
    ['an object without a string form', () => Object.create(null) as number, 'it gave {}'],
    ['a thrown string', () => {
      throw 'no time server';
    }, 'it gave an error (no time server)'],
  ])('is refused at the door when its first reading is %s', (_case, now, message) => {
    expect(() => start({ clock: { ...timers(), now } })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining(`clock.now() must give the time in milliseconds, a finite number; ${message}`) }));
  });

  /** Runs an organisation whose clock reads 5,000 once and then `later`, one task through it; what it said on stderr. */
  const saidOnStderr = async (later: unknown, budget?: { timeMs: number }): Promise<string[]> => {
    let readings = 0;
    const errors: string[] = [];
    const original = console.error;
    console.error = (line: string) => void errors.push(line);
    try {
      const org = start({ clock: { ...timers(), now: () => (++readings <= 1 ? 5_000 : (later as number)) }, executors: async () => 'done' });
      const outcome = await org.submit({ id: 't', type: 'python', ...(budget === undefined ? {} : { budget }) });
      expect(outcome).toMatchObject({ status: 'completed', submittedAt: 5_000, settledAt: 5_000, ...(budget === undefined ? {} : { budget: { used: { timeMs: 0 } } }) });
      await org.stop();
    } finally {
      console.error = original;
    }
    return errors;
  };

  it('keeps its last reading when a later one is no number, and says so once: every recorded time stays a time', async () => {
    expect(await saidOnStderr(Number.NaN, { timeMs: 1_000 })).toEqual([expect.stringContaining('clock.now() gave NaN, no time in milliseconds; the organisation keeps its last reading (5000)')]);
  });

  it('keeps its last reading when a later one is an object without a string form: saying so does not throw where time is read', async () => {
    expect(await saidOnStderr(Object.create(null))).toEqual([expect.stringContaining('clock.now() gave {}, no time in milliseconds; the organisation keeps its last reading (5000)')]);
  });
});
