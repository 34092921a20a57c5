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
});
