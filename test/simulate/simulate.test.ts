/**
 * `simulate`: deterministic by seed, faithful to a real run's routing and outcomes, and in
 * agreement with queueing theory where the answer is known (M/M/1).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawCharts, latency, latencyFromJournal, renderReportHtml, simulate, writeChartPngs, type SimulationOptions } from '../../src/simulate/index.js';
import { createOrchestrator, defineHierarchy, developmentTeam, EchelonError, fullStackFeature, memoryStore, referenceExecutors } from '../../src/index.js';

const mixed = (seed: number): SimulationOptions => ({
  organisation: { hierarchy: developmentTeam(), decomposers: { byType: { full_stack_feature: fullStackFeature() } }, approvals: { timeoutMs: 120_000 } },
  agents: { byRole: { worker: { latency: latency.lognormal(20_000, 0.6), failureRate: 0.05, cost: latency.uniform(500, 1500) } }, default: { latency: latency.uniform(2_000, 8_000), cost: 200 } },
  people: { approvals: { responseMs: latency.exponential(90_000), rejectRate: 0.2 } },
  workload: {
    arrivals: [
      { task: 'python', perSecond: 0.035 },
      { task: 'react', perSecond: 0.01 },
      { task: 'full_stack_feature', perSecond: 0.005 },
      { task: { type: 'sql', context: { requiresApproval: true } }, everyMs: 300_000 },
      { task: { type: 'css', context: { isEmergency: true } }, everyMs: 900_000 },
    ],
    durationMs: 4 * 3_600_000,
  },
  seed,
});

describe('simulate', () => {
  it('gives the same report for the same seed, and another for another seed', async () => {
    const first = await simulate(mixed(7));
    const again = await simulate(mixed(7));
    expect(again).toEqual(first);
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
    const other = await simulate(mixed(8));
    expect(other.byType).not.toEqual(first.byType);
    // Seeds that differ only above 32 bits are other seeds too (they ran as the same one).
    expect((await simulate(mixed(7 + 2 ** 32))).byType).not.toEqual(first.byType);
    expect((await simulate(mixed(-7))).byType).not.toEqual((await simulate(mixed(2 ** 32 - 7))).byType);
    // The run exercised what the report describes.
    expect(first.tasks.submitted).toBeGreaterThan(300);
    expect(first.tasks.submitted).toBe(first.tasks.completed + first.tasks.failed + first.tasks.rejected + first.tasks.cancelled);
    expect(first.approvals.requested).toBe(48);
    expect(first.approvals.rejected).toBeGreaterThan(0);
    expect(first.rejectionRate).toBeGreaterThan(0);
    expect(first.escalations.byReason.emergency).toBe(16);
    expect(first.cost.total).toBeGreaterThan(0);
    const sql = first.byType.find((type) => type.type === 'sql')!;
    expect(sql.spent.awaitingApproval).toBeGreaterThan(10_000);
    const python = first.byType.find((type) => type.type === 'python')!;
    expect(python.latency.p50).toBeLessThanOrEqual(python.latency.p95);
    expect(python.latency.p95).toBeLessThanOrEqual(python.latency.p99);
    expect(python.histogram.counts.reduce((a, b) => a + b, 0)).toBe(python.latency.count);
    const worker = first.agents.find((agent) => agent.id === 'backend_dev_1')!;
    expect(worker.states.executing).toBeCloseTo(worker.utilisation, 1);
    expect(first.bottlenecks[0]?.agent).toBe('backend_dev_1');
  });

  it('draws histogram bounds that rise even when every task takes under 20 ms', async () => {
    const report = await simulate({
      organisation: { hierarchy: developmentTeam() },
      agents: { default: { latency: latency.uniform(1, 9) } },
      workload: { arrivals: [{ task: 'python', everyMs: 50 }], durationMs: 5_000 },
    });
    const { bounds, counts } = report.byType.find((type) => type.type === 'python')!.histogram;
    expect(bounds).toHaveLength(21);
    for (let i = 1; i < 20; i++) expect(bounds[i]!).toBeGreaterThan(bounds[i - 1]!);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it("routes and ends every task as a real run of the same organisation does", async () => {
    const types = ['api_design', 'python', 'react', 'database', 'sql', 'css', 'strategy', 'full_stack_feature', 'deploy'];
    const options = { hierarchy: developmentTeam(), decomposers: { byType: { full_stack_feature: fullStackFeature() } } };
    const report = await simulate({ organisation: options, workload: { arrivals: types.map((task) => ({ task, everyMs: 10_000 })), durationMs: 60_000 }, outcomes: true, seed: 3 });
    const org = createOrchestrator({ ...options, executors: { byRole: referenceExecutors() } });
    try {
      // The same tasks in the same order, with the same ids.
      const real = [];
      for (const outcome of report.outcomes!) real.push(await org.submit({ id: outcome.id, type: outcome.type }));
      expect(report.outcomes!.map(({ id, type, status, executedBy, chain }) => ({ id, type, status, executedBy, chain }))).toEqual(
        real.map((outcome) => ({ id: outcome.taskId, type: outcome.type, status: outcome.status, executedBy: outcome.executedBy, chain: outcome.delegationChain })),
      );
      // Nobody can deploy: every deploy fails, in the simulation as in the real run.
      const deploys = report.outcomes!.filter((outcome) => outcome.type === 'deploy').map((outcome) => outcome.status);
      expect(deploys.length).toBeGreaterThan(0);
      expect(new Set(deploys)).toEqual(new Set(['failed']));
    } finally {
      await org.stop();
    }
  });

  it('agrees with queueing theory: one M/M/1 worker spends 1/(μ−λ) in the system on average', async () => {
    const mu = 1; // per second
    const lambda = 0.5;
    const report = await simulate({
      organisation: { hierarchy: defineHierarchy({ id: 'worker', role: 'worker', capabilities: ['job'] }) },
      agents: { default: { latency: latency.exponential(1000 / mu) } },
      workload: { arrivals: [{ task: 'job', perSecond: lambda }], durationMs: 40_000_000 },
      trackStates: false,
      seed: 1,
    });
    const expected = 1000 / (mu - lambda);
    const { mean, count } = report.byType[0]!.latency;
    expect(count).toBeGreaterThan(19_000);
    expect(Math.abs(mean - expected) / expected).toBeLessThan(0.05);
    expect(report.agents[0]!.utilisation).toBeCloseTo(lambda / mu, 1);
  });

  it('a queued task that never starts (out of time when its turn comes) leaves the queue when it settles', async () => {
    // One worker, 10 s per task. At 1 s a task without a budget starts; at 1.5 s one with 3 s to live
    // queues, and at 2 s another without a budget. At 11 s the second is out of time (it fails, never
    // started) and the third starts.
    const report = await simulate({
      organisation: { hierarchy: defineHierarchy({ id: 'worker', role: 'worker', capabilities: ['job'] }) },
      agents: { default: { latency: latency.fixed(10_000) } },
      workload: {
        arrivals: [
          { task: 'job', everyMs: 1_000 },
          { task: { type: 'job', budget: { timeMs: 3_000 } }, everyMs: 1_500 },
        ],
        maxTasks: 3,
      },
      seed: 1,
    });
    const worker = report.agents.find((agent) => agent.id === 'worker')!;
    expect(report.tasks).toMatchObject({ submitted: 3, completed: 2, failed: 1 });
    expect(worker.maxQueue).toBe(2);
    // Both queued tasks left the queue at 11 s: 9.5 s + 9 s of waiting (the one out of time is not
    // counted as waiting until the run ends).
    expect(worker.meanQueue * report.simulatedMs).toBeCloseTo(18_500, 6);
  });

  it('replays a recorded journal: its arrivals and its executors’ times', async () => {
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: { byRole: referenceExecutors() }, store: memoryStore() });
    await Promise.all(['python', 'react', 'sql'].map((type) => org.submit({ type })));
    const journal = org.journal();
    await org.stop();
    const models = latencyFromJournal(journal);
    expect(Object.keys(models).sort()).toEqual(['backend_dev_1', 'db_specialist', 'react_specialist']);
    const report = await simulate({ organisation: { hierarchy: developmentTeam() }, workload: { journal }, agents: { byId: Object.fromEntries(Object.entries(models).map(([id, model]) => [id, { latency: model }])) } });
    expect(report.byType.map((type) => [type.type, type.completed]).sort()).toEqual([['python', 1], ['react', 1], ['sql', 1]]);
  });

  it('refuses bad models and workloads at the door', async () => {
    const hierarchy = developmentTeam();
    await expect(simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python' }] } })).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(simulate({ organisation: { hierarchy }, agents: { default: { latency: { kind: 'uniform', minMs: 5, maxMs: 1 } } }, workload: {} })).rejects.toThrow(/0 ≤ minMs ≤ maxMs/);
    await expect(simulate({ organisation: { hierarchy }, agents: { byId: { nobody: {} } }, workload: {} })).rejects.toMatchObject({ code: 'unknown_agent' });
    await expect(simulate({ organisation: { hierarchy }, agents: { default: { failureRate: 2 } }, workload: {} })).rejects.toBeInstanceOf(EchelonError);
    await expect(simulate({} as never)).rejects.toMatchObject({ code: 'invalid_option' });
    // The latency constructors refuse what they cannot build where it is built.
    expect(() => latency.fixed(-1)).toThrow('latency.fixed: a fixed latency needs ms ≥ 0, got {"kind":"fixed","ms":-1}.');
    expect(() => latency.uniform(5, 1)).toThrow(/^latency\.uniform: a uniform latency needs 0 ≤ minMs ≤ maxMs/);
    expect(() => latency.lognormal(0, 1)).toThrow(/^latency\.lognormal:/);
    expect(() => latency.exponential(Number.NaN)).toThrow(/^latency\.exponential:/);
    expect(() => latency.samples([])).toThrow(/^latency\.samples:/);
    await expect(simulate({ organisation: { hierarchy }, workload: {}, sed: 3 } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^simulate: unknown option "sed" — did you mean "seed"\?/) });
    await expect(simulate({ organisation: { hierarchy }, workload: {}, outcomes: 'yes' } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('outcomes') });
    await expect(simulate({ organisation: { hierarchy }, people: { approvals: { responseMs: latency.fixed(1), rejectRate: -1 } }, workload: {} })).rejects.toThrow(/rejectRate/);
    await expect(simulate({ organisation: { hierarchy }, workload: { durationMs: -5 } })).rejects.toThrow(/durationMs/);
    await expect(simulate({ organisation: { hierarchy }, workload: {}, seed: Number.NaN })).rejects.toThrow(/seed/);
  });

  it('refuses misspelt and mistyped models, people and workloads, costs that are no cost, and a fractional seed', async () => {
    const organisation = { hierarchy: developmentTeam() };
    const workload = { arrivals: [{ task: 'python', everyMs: 60_000 }], durationMs: 600_000 };
    const refused = (options: Record<string, unknown>, code: string, message: RegExp) =>
      expect(simulate({ organisation, workload, ...options } as never)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    // Each of these ran before, with the misspelt part left out (every attempt a second, nobody rejecting, an hour's work).
    await refused({ agents: { default: { latncy: latency.fixed(5) } } }, 'invalid_option', /"agents\.default\.latncy" — did you mean "agents\.default\.latency"\?/);
    await refused({ agents: 'slow' }, 'invalid_option', /agents/);
    await refused({ people: { aprovals: { responseMs: latency.fixed(5) } } }, 'invalid_option', /"people\.aprovals" — did you mean "people\.approvals"\?/);
    await refused({ people: { approvals: { responseMs: latency.fixed(5), rejctRate: 1 } } }, 'invalid_option', /"people\.approvals\.rejctRate" — did you mean "people\.approvals\.rejectRate"\?/);
    await refused({ workload: { arrivals: workload.arrivals, duration: 600_000 } }, 'invalid_option', /"workload\.duration" — did you mean "workload\.durationMs"\?/);
    await refused({ workload: { arrivals: [{ task: 'python', everyMs: 1_000, prioirty: 1 }] } }, 'invalid_option', /workload\.arrivals\[0\]\.prioirty/);
    await refused({ workload: { arrivals: [null] } }, 'invalid_option', /workload\.arrivals\[0\]/);
    await refused({ agents: { default: { failureRate: '0.5' } } }, 'invalid_option', /failureRate must be a number/);
    for (const cost of [-5, Number.NaN, Number.POSITIVE_INFINITY]) await refused({ agents: { default: { cost } } }, 'invalid_option', /cost must be a number ≥ 0/);
    // A bad model is named where it was written, not after the first agent it applies to ("agents model of <first agent>"),
    // and a model for a role nobody has is checked too.
    await refused({ agents: { byRole: { worker: { failureRate: 2 } } } }, 'invalid_option', /^agents\.byRole\.worker\.failureRate must be between 0 and 1/);
    await refused({ agents: { byRole: { specialist: { latency: { kind: 'lognormal', medianMs: 1, sigma: -1 } } } } }, 'invalid_option', /^agents\.byRole\.specialist\.latency: a log-normal latency/);
    await refused({ agents: { default: { cost: { kind: 'fixed', ms: -1 } } } }, 'invalid_option', /^agents\.default\.cost: a fixed latency/);
    // The generator takes the seed's whole 32 bits: 1.5 ran as 1.
    await refused({ seed: 1.5 }, 'invalid_option', /seed must be a whole number/);
    // Past 2^53 neighbouring whole numbers are one double: 2^53 + 1 would run as 2^53.
    await refused({ seed: 2 ** 53 }, 'invalid_option', /seed must be a whole number between/);
  });

  it('refuses, at the door, arrivals the organisation would refuse and a journal that is not one', async () => {
    const organisation = { hierarchy: developmentTeam() };
    const refused = (workload: unknown, code: string, message: RegExp) => expect(simulate({ organisation, workload } as never)).rejects.toMatchObject({ code, message: expect.stringMatching(message) });
    // Each of these was submitted, refused by the organisation, and counted as a task that never ended.
    await refused({ arrivals: [{ task: 'python', everyMs: 1_000, at: 'nobody' }], durationMs: 3_000 }, 'unknown_agent', /workload\.arrivals\[0\]: .*nobody/);
    await refused({ arrivals: [{ task: { type: 42 }, everyMs: 1_000 }], durationMs: 3_000 }, 'invalid_task', /workload\.arrivals\[0\]: .*type/);
    await refused({ arrivals: [{ task: null, everyMs: 1_000 }], durationMs: 3_000 }, 'invalid_task', /workload\.arrivals\[0\]/);
    const submitted = (at: unknown, entry = 'cto') => ({ seq: 1, session: 1, type: 'task.submitted', at, actor: 'submitter', taskId: 't', rootId: 't', data: { type: 'python', entry } });
    await refused({ journal: 'journal.json' }, 'invalid_option', /workload\.journal must be an array of journal entries/);
    await refused({ journal: [null] }, 'invalid_option', /workload\.journal\[0\]/);
    await refused({ journal: [submitted('yesterday')] }, 'invalid_option', /workload\.journal\[0\]: .*at/);
    await refused({ journal: [submitted(5), submitted(6, 'ghost')] }, 'unknown_agent', /workload\.journal\[1\] .*ghost/);
    // A type submit refuses (one recorded before control characters were refused): before, the run went on and failed after it with a bare invalid_task.
    const carriageReturn = { ...submitted(6), data: { type: 'python\r', entry: 'cto' } };
    await refused({ journal: [submitted(5), carriageReturn] }, 'invalid_task', /^workload\.journal\[1\]: .*control characters.*"python\\r"/);
    expect(() => latencyFromJournal('journal.json' as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/^latencyFromJournal: /) }));
    expect(() => latencyFromJournal([null] as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/entries\[0\]/) }));
  });

  it('checks the workload before it builds the organisation', async () => {
    // Options createOrchestrator refuses show which is checked first. Before, the organisation was built
    // and started (2.2 s for 30,000 agents) and the arrival refused after it.
    const organisation = { hierarchy: developmentTeam(), concurrency: -1 };
    await expect(simulate({ organisation, workload: { arrivals: [{ task: 'python', everyMs: 1_000, at: 'nobody' }], durationMs: 3_000 } })).rejects.toMatchObject({ code: 'unknown_agent', message: expect.stringMatching(/^workload\.arrivals\[0\]: /) });
    const journal = [{ seq: 1, session: 1, type: 'task.submitted', at: 0, actor: 'submitter', taskId: 't', rootId: 't', data: { type: 'python', entry: 'ghost' } }];
    await expect(simulate({ organisation, workload: { journal } } as never)).rejects.toMatchObject({ code: 'unknown_agent', message: expect.stringMatching(/^workload\.journal\[0\] /) });
    await expect(simulate({ organisation, workload: { durationMs: -1 } })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^workload\.durationMs/) });
  });

  it('ends the simulated time at the last thing that happened: no arrival after the workload ends moves the clock', async () => {
    const organisation = { hierarchy: developmentTeam() };
    const agents = { default: { latency: latency.fixed(100) } };
    const run = (workload: SimulationOptions['workload']) => simulate({ organisation, agents, workload });
    // Before, the clock went on to the first arrival after the end: 1 s, 2e301 ms, 2 s, 3 s.
    expect((await run({ arrivals: [{ task: 'python', everyMs: 1_000 }], durationMs: 0 })).simulatedMs).toBe(0);
    expect((await run({ arrivals: [{ task: 'python', perSecond: 1e-12 }], durationMs: 1_000 })).simulatedMs).toBe(0);
    const one = await run({ arrivals: [{ task: 'python', everyMs: 1_000 }], durationMs: 1_000 });
    expect([one.tasks.submitted, one.simulatedMs]).toEqual([1, 1_100]);
    const capped = await run({ arrivals: [{ task: 'python', everyMs: 1_000 }, { task: 'react', everyMs: 3_000 }], durationMs: Number.POSITIVE_INFINITY, maxTasks: 2 });
    expect([capped.tasks.submitted, capped.simulatedMs]).toEqual([2, 2_100]);
    // A journal's time starts at its first submission, whatever order its entries come in.
    const entry = (at: number, seq: number) => ({ seq, session: 1, type: 'task.submitted' as const, at, actor: 'submitter', taskId: `t${seq}`, rootId: `t${seq}`, data: { type: 'python', entry: 'cto' } });
    expect((await run({ journal: [entry(5_000, 2), entry(1_000, 1)] })).simulatedMs).toBe(4_100);
  });

  it('gives the largest queue length within each interval, and at most 100,000 points a series', async () => {
    // One agent doing three tasks a second each, all arriving at 1 s: two wait, then one, then none.
    const organisation = { hierarchy: defineHierarchy({ id: 'solo', role: 'executive', capabilities: ['job'] }) };
    const agents = { default: { latency: latency.fixed(1_000) } };
    const arrivals = [0, 1, 2].map(() => ({ task: 'job', everyMs: 1_000 }));
    const report = await simulate({ organisation, agents, workload: { arrivals, durationMs: 1_000 }, sampleEveryMs: 1_400 });
    // Before: [1400, 1] and [2800, 0], the length after the interval's first change rather than its largest;
    // and a point [4200, 0] after the run had ended (at 4 s).
    expect(report.queues).toEqual([{ agent: 'solo', intervalMs: 1_400, points: [[0, 2], [1_400, 2], [2_800, 1]] }]);
    // A finer interval than the workload's duration can hold is refused. Before, 1 ms over 100 s (100,001 points) was let through
    // and ran with 2 ms intervals unsaid, and the refusal of 1 ms over an hour asked for 36 ms, which had the same fate.
    await expect(simulate({ organisation, agents, workload: { arrivals, durationMs: 3_600_000 }, sampleEveryMs: 1 })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('sampleEveryMs ≥ 37') });
    const sparse = [0, 1, 2].map(() => ({ task: 'job', everyMs: 50_000 }));
    await expect(simulate({ organisation, agents, workload: { arrivals: sparse, durationMs: 100_000 }, sampleEveryMs: 1 })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('makes 100001 points') });
    const finest = await simulate({ organisation, agents, workload: { arrivals: sparse, durationMs: 100_000 }, sampleEveryMs: 2 });
    expect([finest.simulatedMs, finest.queues[0]!.intervalMs, finest.queues[0]!.points.length]).toEqual([103_000, 2, 51_501]);
    // A run longer than foreseen gets wider intervals (a whole number of them each), and says which.
    const long = await simulate({ organisation, agents, workload: { arrivals, durationMs: Number.POSITIVE_INFINITY, maxTasks: 3 }, sampleEveryMs: 0.001 });
    const [series] = long.queues;
    expect(series!.points.length).toBeLessThanOrEqual(100_000);
    expect(series!.intervalMs / 0.001).toBeCloseTo(Math.round(series!.intervalMs / 0.001), 6);
    expect(series!.points.length * series!.intervalMs).toBeGreaterThan(long.simulatedMs);
    expect(Math.max(...series!.points.map(([, length]) => length))).toBe(2);
  });

  it('gives a journal\'s queue series intervals over the journal\'s span, which durationMs does not bound', async () => {
    const organisation = { hierarchy: defineHierarchy({ id: 'solo', role: 'executive', capabilities: ['job'] }) };
    const agents = { default: { latency: latency.fixed(1_000) } };
    const entry = (at: number, seq: number) => ({ seq, session: 1, type: 'task.submitted' as const, at, actor: 'submitter', taskId: `t${seq}`, rootId: `t${seq}`, data: { type: 'job' } });
    // Three at once (two wait), one 12 s later: the default interval is the 12 s span in 120. Before, it was the unused durationMs's (1 h in 120: 30 s).
    const report = await simulate({ organisation, agents, workload: { journal: [entry(0, 1), entry(0, 2), entry(0, 3), entry(12_000, 4)] } });
    expect(report.queues[0]!.points.slice(0, 2)).toEqual([[0, 2], [100, 2]]);
    // A 2 s journal sampled every 10 ms: before, refused as 360,000 points over the default durationMs's hour.
    const fine = await simulate({ organisation, agents, workload: { journal: [entry(0, 1), entry(0, 2), entry(2_000, 3)] }, sampleEveryMs: 10 });
    expect(fine.simulatedMs).toBe(3_000);
    // A journal is replayed whole, past durationMs (it bounds the arrivals); maxTasks bounds both.
    const whole = await simulate({ organisation, agents, workload: { journal: [entry(0, 1), entry(7_200_000, 2)], durationMs: 1_000 } });
    expect([whole.tasks.submitted, whole.simulatedMs]).toEqual([2, 7_201_000]);
    const capped = await simulate({ organisation, agents, workload: { journal: [entry(0, 1), entry(7_200_000, 2)], maxTasks: 1 } });
    expect([capped.tasks.submitted, capped.simulatedMs]).toEqual([1, 1_000]);
  });

  it('charges a failed attempt\'s cost to its task\'s budget, as the report counts it', async () => {
    // Every attempt costs 60 and fails; of five attempts, the second takes the task over its budget of 100 and ends it.
    const report = await simulate({
      organisation: { hierarchy: defineHierarchy({ id: 'solo', role: 'executive', capabilities: ['job'] }), execution: { retry: { attempts: 5, initialDelayMs: 0 } } },
      agents: { default: { latency: latency.fixed(1_000), cost: 60, failureRate: 1 } },
      workload: { arrivals: [{ task: { type: 'job', budget: { cost: 100 } }, everyMs: 1_000_000 }], maxTasks: 1, durationMs: 10_000_000 },
    });
    // Before: no failed attempt was charged, so all five ran (300 counted, 5 s executing) on a budget of 100.
    expect(report.byType[0]!.spent.executing).toBe(2_000);
    expect([report.tasks.failed, report.cost.total]).toEqual([1, 120]);
  });

  it('counts the time a task spends escalated once, however many levels its escalation climbs', async () => {
    // Every attempt fails; the escalation climbs backend_dev_1 → api_specialist → backend_lead → cto, and a person answers in 5 s.
    const report = await simulate({
      organisation: { hierarchy: developmentTeam(), onEscalation: () => undefined },
      agents: { default: { failureRate: 1, latency: latency.fixed(1_000) } },
      people: { escalations: { responseMs: latency.fixed(5_000) } },
      workload: { arrivals: [{ task: 'python', everyMs: 100_000 }], durationMs: 1_000_000 },
    });
    const [python] = report.byType;
    expect(report.escalations.perTask).toBe(4);
    expect(python!.latency.p50).toBe(6_000);
    // Before: 20 s, the four nested escalations' open times added up, in a task that took 6 s.
    expect(python!.spent).toEqual({ queued: 0, executing: 1_000, awaitingApproval: 0, escalated: 5_000 });
  });

  it('says so on a chart that has nothing to show (a run whose tasks never arrived), instead of leaving it blank', async () => {
    const hierarchy = developmentTeam();
    const idle = await simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', everyMs: 10_000_000 }], durationMs: 1_000 } });
    expect(idle.tasks.submitted).toBe(0);
    const charts = await drawCharts(idle, hierarchy);
    expect([charts.queues, charts.latency, charts.spent].map((svg) => /No task (waited|ended)/.exec(svg)?.[0])).toEqual(['No task waited', 'No task ended', 'No task ended']);
    // A run with work draws its data, without the note.
    const busy = await drawCharts(await simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', everyMs: 1_000 }], durationMs: 10_000 } }), hierarchy);
    expect([busy.latency, busy.spent].some((svg) => svg.includes('No task'))).toBe(false);
  });

  it('draws only what it can: a report of the hierarchy it is drawn with, a name, a size; PNGs into a directory it makes', async () => {
    const hierarchy = developmentTeam();
    const report = await simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', everyMs: 60_000 }], durationMs: 600_000 } });
    const solo = defineHierarchy({ id: 'solo', role: 'executive', capabilities: ['job'] });
    // Before: each of these threw a TypeError half-way (reading 'map', 'byType', 'utilisation', '0'), and [] drew an empty page.
    await expect(renderReportHtml([])).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(renderReportHtml([{ name: 'x', hierarchy } as never])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining("the report must be simulate()'s") });
    await expect(renderReportHtml([{ name: 42, report, hierarchy } as never])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('needs a name') });
    await expect(renderReportHtml([{ name: 'x', report, hierarchy: solo }])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('not of this hierarchy: it has no agent "solo"') });
    await expect(drawCharts(report, hierarchy, { width: -5, height: Number.NaN })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('size') });
    const directory = mkdtempSync(join(tmpdir(), 'echelon-pngs-'));
    try {
      // Before: ENOENT for a directory not there yet.
      const files = await writeChartPngs(report, hierarchy, join(directory, 'charts', 'day-1'));
      expect(files.map((file) => existsSync(file))).toEqual([true, true, true, true]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('refuses workloads that would never end: an infinite rate, an interval of Infinity, no duration and no maxTasks', async () => {
    const hierarchy = developmentTeam();
    const arrivals = (arrival: Record<string, number>) => simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', ...arrival }], durationMs: 10_000 } });
    // A rate that floods the duration (per second meant as per hour) needs maxTasks to run on purpose.
    await expect(simulate({ organisation: { hierarchy: developmentTeam() }, workload: { arrivals: [{ task: 'python', perSecond: 1e9 }] } })).rejects.toMatchObject({
      code: 'invalid_option',
      message: 'workload: the arrivals would submit about 3.6e+12 tasks in 3600000 ms; set workload.maxTasks to run that many on purpose (or check the rates: perSecond is per second).',
    });
    await expect(arrivals({ perSecond: Number.POSITIVE_INFINITY })).rejects.toMatchObject({ code: 'invalid_option', message: 'workload.arrivals[0] needs perSecond or everyMs (one of them, a finite number > 0), got {"perSecond":"Infinity"}.' });
    await expect(arrivals({ everyMs: Number.POSITIVE_INFINITY })).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', perSecond: 1 }], durationMs: Number.POSITIVE_INFINITY } })).rejects.toMatchObject({
      code: 'invalid_option',
      message: expect.stringContaining('the arrivals would never end'),
    });
    const bounded = await simulate({ organisation: { hierarchy }, workload: { arrivals: [{ task: 'python', perSecond: 1 }], durationMs: Number.POSITIVE_INFINITY, maxTasks: 5 } });
    expect(bounded.tasks.submitted).toBe(5);
  });
});
