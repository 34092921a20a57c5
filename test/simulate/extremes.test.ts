/**
 * Models and workloads at the edges of numbers: each is refused at the door, saying what to
 * change, or runs to a report without Infinity, NaN or null in it — never to a wrong one.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { latency, simulate, type SimulationOptions } from '../../src/simulate/index.js';

const hierarchy = developmentTeam();
const options = (more: Partial<SimulationOptions>): SimulationOptions => ({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', everyMs: 60_000 }], durationMs: 600_000 }, ...more });

describe('simulate at the edges of numbers', () => {
  it('refuses a latency model whose samples reach Infinity or pass 2^53 ms (before: an attempt of Infinity ms ended at once)', async () => {
    // A log-normal's largest sample is median × e^(6.7 σ): σ = 1e6 gives Infinity half the time; the clock read it as 0 ms and every task completed instantly.
    await expect(simulate(options({ agents: { default: { latency: { kind: 'lognormal', medianMs: 1_000, sigma: 1e6 } } } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^agents\.default\.latency: .*at most 2\^53 − 1.*sigma/) });
    expect(() => latency.exponential(1e307)).toThrow(/latency\.exponential: .*at most 2\^53 − 1/);
    expect(() => latency.fixed(1e300)).toThrow(/latency\.fixed: .*at most 2\^53 − 1/);
    await expect(simulate(options({ people: { approvals: { responseMs: { kind: 'uniform', minMs: 0, maxMs: 1e20 } } } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('people.approvals.responseMs') });
    // Wide but finite, within the bound: a report, every number in it finite.
    const report = await simulate(options({ agents: { default: { latency: latency.lognormal(1_000, 3) } } }));
    expect(JSON.stringify(report)).not.toMatch(/null|NaN|Infinity/);
  });

  it('refuses a cost past 2^53 − 1 (before: 1e308 a task summed to Infinity, written to JSON as null)', async () => {
    await expect(simulate(options({ agents: { default: { cost: 1e308 } } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^agents\.default\.cost must be a number ≥ 0 up to 2\^53 − 1/) });
    await expect(simulate(options({ agents: { byRole: { worker: { cost: { kind: 'lognormal', medianMs: 1e300, sigma: 10 } } } } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('agents.byRole.worker.cost') });
    const report = await simulate(options({ agents: { default: { cost: Number.MAX_SAFE_INTEGER } } }));
    expect(report.cost.total).toBeGreaterThanOrEqual(report.tasks.submitted * Number.MAX_SAFE_INTEGER);
    expect(JSON.stringify(report)).not.toMatch(/null|NaN|Infinity/);
  });

  it("refuses a latency model's misspelt or foreign key, and a misspelt kind, with “did you mean” (before: the key was left out)", async () => {
    // Before: { kind: 'uniform', minMs: 1_000, maxMs: 2_000, maxMS: 60_000 } ran as 1–2 s, the intended 60 s dropped without a word.
    await expect(simulate(options({ agents: { default: { latency: { kind: 'uniform', minMs: 1_000, maxMs: 2_000, maxMS: 60_000 } as never } } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^agents\.default\.latency: unknown key "maxMS" — did you mean "maxMs"\? \(a uniform latency has kind, minMs, maxMs\)/) });
    // A key of another kind (a fixed latency has no sigma), and a misspelt key whose value would have been missed.
    await expect(simulate(options({ people: { approvals: { responseMs: { kind: 'fixed', ms: 5, sigma: 2 } as never } } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('people.approvals.responseMs: unknown key "sigma" (a fixed latency has kind, ms)') });
    await expect(simulate(options({ agents: { default: { latency: { kind: 'fixed', msx: 5 } as never } } }))).rejects.toMatchObject({ message: expect.stringContaining('unknown key "msx" — did you mean "ms"?') });
    await expect(simulate(options({ agents: { default: { cost: { kind: 'lognorml', medianMs: 5, sigma: 1 } as never } } }))).rejects.toMatchObject({ message: expect.stringContaining('did you mean "lognormal"?') });
  });

  it('refuses a maxTasks that is not a whole number (before: 1.5 submitted 2 tasks)', async () => {
    await expect(simulate(options({ workload: { arrivals: [{ task: 'python', everyMs: 1_000 }], durationMs: 600_000, maxTasks: 1.5 } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^workload\.maxTasks must be a whole number ≥ 0/) });
    const report = await simulate(options({ workload: { arrivals: [{ task: 'python', everyMs: 1_000 }], durationMs: Number.POSITIVE_INFINITY, maxTasks: 2 } }));
    expect(report.tasks.submitted).toBe(2);
  });

  it("refuses a recorded submission without its task type or with an entry that is no agent's id (before: left out of the workload without a word)", async () => {
    const submitted = (data: unknown) => ({ seq: 1, at: 0, type: 'task.submitted', actor: 'submitter', taskId: 't1', rootId: 't1', data });
    const replay = (journal: unknown[]) => simulate(options({ workload: { journal: journal as never } }));
    await expect(replay([submitted({ type: 'python' }), submitted({ type: 42 })])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^workload\.journal\[1\]: a task\.submitted entry has its task's type \(data\.type, a string\)/) });
    await expect(replay([submitted(undefined)])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('workload.journal[0]') });
    await expect(replay([submitted({ type: 'python', entry: 7 })])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('data.entry') });
    // An empty recording is an empty run: a report of nothing, every number in it a number.
    const empty = await replay([]);
    expect(empty.tasks.submitted).toBe(0);
    expect(JSON.stringify(empty)).not.toMatch(/null|NaN|Infinity/);
  });

  it('refuses times past 2^53 − 1 ms in a workload: a duration, an interval, a rate that slow, a recording that long (before: a task at 1e300 ms timed out at once, 1e300 + 300,000 being 1e300)', async () => {
    const submitted = (at: number, id: string) => ({ seq: 1, session: 1, at, type: 'task.submitted' as const, actor: 'submitter', taskId: id, rootId: id, data: { type: 'python' } });
    await expect(simulate(options({ workload: { journal: [submitted(0, 'a'), submitted(1e300, 'b')] } }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^workload\.journal: its submissions span 1\.00e\+300 ms .*journal\[1\]/) });
    await expect(simulate(options({ workload: { arrivals: [{ task: 'python', everyMs: 1e20 }], durationMs: 1e300, maxTasks: 2 } }))).rejects.toMatchObject({ message: expect.stringMatching(/^workload\.durationMs must be .*2\^53 − 1/) });
    await expect(simulate(options({ workload: { arrivals: [{ task: 'python', everyMs: 1e20 }], durationMs: Number.POSITIVE_INFINITY, maxTasks: 2 } }))).rejects.toMatchObject({ message: expect.stringMatching(/^workload\.arrivals\[0\]: one every 1\.00e\+20 ms/) });
    await expect(simulate(options({ workload: { arrivals: [{ task: 'python', perSecond: 1e-300 }], durationMs: Number.POSITIVE_INFINITY, maxTasks: 2 } }))).rejects.toMatchObject({ message: expect.stringContaining('workload.arrivals[0]: one every') });
    // A recording of years replays (its times from its first submission).
    const years = await simulate(options({ workload: { journal: [submitted(1.7e12, 'a'), submitted(1.7e12 + 5 * 3.15e10, 'b')] } }));
    expect(years.tasks).toMatchObject({ submitted: 2, completed: 2 });
  });

  it('refuses an infinite sampleEveryMs (before: the queue series said intervalMs null, and its one point null)', async () => {
    await expect(simulate(options({ sampleEveryMs: Number.POSITIVE_INFINITY }))).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^simulate: sampleEveryMs must be a positive number up to 2\^53 − 1, got Infinity/) });
    const report = await simulate(options({ sampleEveryMs: 1e15, agents: { default: { latency: latency.fixed(120_000) } } }));
    expect(report.queues[0]).toMatchObject({ intervalMs: 1e15, points: [[0, expect.any(Number)]] });
  });
});
