import { SpanStatusCode, trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, decomposeWith, developmentTeam, EchelonError, fullStackFeature, joinAny, type Orchestrator, type OrchestratorOptions } from '../src/index.js';
import { traceOrganisation } from '../src/inspect/otel.js';
import { flush } from './support/helpers.js';

const orgs: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(orgs.splice(0).map((org) => org.stop()));
});

/** An organisation traced into an in-memory exporter. */
const traced = (options: Partial<OrchestratorOptions> = {}) => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done`, ...options });
  orgs.push(org);
  const stop = traceOrganisation(org, { tracer: provider.getTracer('test') });
  const spans = () => exporter.getFinishedSpans();
  const byId = () => new Map(spans().map((span) => [span.spanContext().spanId, span]));
  /** A span's ancestors' names, nearest first. */
  const lineage = (name: string) => {
    const index = byId();
    const names: string[] = [];
    for (let span = spans().find((candidate) => candidate.name === name); span?.parentSpanContext !== undefined; ) {
      span = index.get(span.parentSpanContext.spanId);
      if (span !== undefined) names.push(span.name);
    }
    return names;
  };
  return { org, spans, lineage, stop };
};

describe('OpenTelemetry spans', () => {
  it('one trace per submitted task, one span per hop, nested along the delegation chain', async () => {
    const { org, spans, lineage } = traced();
    await Promise.all([org.submit({ type: 'python' }), org.submit({ type: 'api_design' })]);
    const traces = new Set(spans().map((span) => span.spanContext().traceId));
    expect(traces.size).toBe(2);
    const python = spans().filter((span) => span.attributes['echelon.task.type'] === 'python');
    expect(new Set(python.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(python.map((span) => span.name).sort()).toEqual(['hop api_specialist', 'hop backend_dev_1', 'hop backend_lead', 'hop cto', 'task python'].sort());
    expect(lineage('execute python')).toEqual(['hop backend_dev_1', 'hop api_specialist', 'hop backend_lead', 'hop cto', 'task python']);
    const root = spans().find((span) => span.name === 'task python')!;
    expect(root.parentSpanContext).toBeUndefined();
    expect(root.attributes).toMatchObject({ 'echelon.status': 'completed', 'echelon.executed_by': 'backend_dev_1' });
    expect(root.status.code).not.toBe(SpanStatusCode.ERROR);
    expect(spans().find((span) => span.name === 'hop cto' && span.attributes['echelon.task.type'] === 'python')!.events.map((event) => event.name)).toEqual(['delegated']);
  });

  it('uses the orchestrator clock for span times', async () => {
    const clock = new SimulatedClock();
    clock.set(5_000);
    const { org, spans } = traced({ clock, executors: () => new Promise((resolve) => clock.setTimeout(() => resolve('late'), 1_500)) });
    const outcome = org.submit({ type: 'css' });
    await flush();
    clock.increment(1_500);
    await outcome;
    const root = spans().find((span) => span.name === 'task css')!;
    expect(root.startTime).toEqual([5, 0]);
    expect(root.endTime).toEqual([6, 500_000_000]);
  });

  it('keeps the orchestrator clock in a process older than the clock reads', async () => {
    // OpenTelemetry takes a plain number no larger than performance.now() for process-relative
    // time: in a process an hour old, 5,000 would become "5 s after the process started".
    const uptime = vi.spyOn(performance, 'now').mockReturnValue(3_600_000);
    try {
      const clock = new SimulatedClock();
      clock.set(5_000);
      const { org, spans } = traced({ clock, executors: () => new Promise((resolve) => clock.setTimeout(() => resolve('late'), 1_500)) });
      const outcome = org.submit({ type: 'css' });
      await flush();
      clock.increment(1_500);
      await outcome;
      const css = spans().filter((span) => span.attributes['echelon.task.type'] === 'css' || span.name === 'execute css');
      expect(css.map((span) => span.name).sort()).toEqual(['execute css', 'hop cto', 'hop frontend_dev_1', 'hop frontend_lead', 'hop react_specialist', 'task css'].sort());
      const root = css.find((span) => span.name === 'task css')!;
      expect([root.startTime, root.endTime]).toEqual([[5, 0], [6, 500_000_000]]);
      const execution = css.find((span) => span.name === 'execute css')!;
      expect([execution.startTime, execution.endTime]).toEqual([[5, 0], [6, 500_000_000]]);
      const delegated = css.find((span) => span.name === 'hop cto')!.events;
      expect(delegated.map((event) => [event.name, event.time])).toEqual([['delegated', [5, 0]]]);
    } finally {
      uptime.mockRestore();
    }
  });

  it('failed attempts, escalations and approvals are spans at the hop where they happen', async () => {
    let calls = 0;
    const { org, spans, lineage } = traced({
      execution: { retry: { attempts: 2, initialDelayMs: 0, jitter: 0 } },
      executors: async (task, { agent }) => {
        if (agent.id === 'backend_dev_1' && task.type === 'coding') throw new Error(`no (${++calls})`);
        return 'ok';
      },
    });
    // coding: backend_dev_1 fails twice, escalates to api_specialist, which hands it to the only other coder.
    const coding = await org.submit({ type: 'coding' });
    expect(coding.status).toBe('completed');
    const attempts = spans().filter((span) => span.name === 'execute coding' && span.attributes['echelon.agent'] === 'backend_dev_1');
    expect(attempts.map((span) => [span.attributes['echelon.attempt'], span.status.code])).toEqual([
      [1, SpanStatusCode.ERROR],
      [2, SpanStatusCode.ERROR],
    ]);
    expect(lineage('escalate execution_failed')).toEqual(['hop backend_dev_1', 'hop api_specialist', 'hop backend_lead', 'hop cto', 'task coding']);

    const parked = org.submit({ type: 'python', context: { requiresApproval: true } });
    await flush();
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'cto' });
    await parked;
    expect(lineage('approval')).toEqual(['hop backend_dev_1', 'hop api_specialist', 'hop backend_lead', 'hop cto', 'task python']);
  });

  it('subtasks of a decomposed task nest under the hop where it was split, in the same trace', async () => {
    const { org, spans, lineage } = traced({ decomposers: { byType: { full_stack_feature: fullStackFeature() } } });
    const outcome = await org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'login' } });
    expect(outcome.status).toBe('completed');
    expect(new Set(spans().map((span) => span.spanContext().traceId)).size).toBe(1);
    const split = spans().find((span) => span.events.some((event) => event.name === 'decomposed'))!;
    expect(split.attributes['echelon.agent']).toBe('cto');
    expect(outcome.subtasks!.map((subtask) => [subtask.taskId, subtask.executedBy])).toEqual([
      ['auth.backend', 'backend_lead'],
      ['auth.frontend', 'frontend_lead'],
    ]);
    for (const part of ['backend', 'frontend']) {
      const executed = spans().filter((span) => span.name === `execute ${part}`);
      expect(executed.map((span) => span.attributes['echelon.agent'])).toEqual([`${part}_lead`]);
      // The subtask's own hop at the CTO sits under the hop where its parent was split.
      expect(lineage(`execute ${part}`)).toEqual([`hop ${part}_lead`, 'hop cto', 'hop cto', 'task full_stack_feature']);
    }
    expect(spans().filter((span) => span.name === 'hop cto').map((span) => span.attributes['echelon.task.id']).sort()).toEqual(['auth', 'auth.backend', 'auth.frontend']);
  });

  it('a subtask’s spans end when it ends, not when its submitted task does', async () => {
    const clock = new SimulatedClock();
    // The backend part takes 100 ms, the frontend part 900 ms.
    const took = { backend: 100, frontend: 900 } as Record<string, number>;
    const { org, spans } = traced({
      clock,
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
      executors: (task) => new Promise((resolve) => clock.setTimeout(() => resolve(`${task.type} done`), took[task.type] ?? 0)),
    });
    const outcome = org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'login' } });
    for (let elapsed = 0; elapsed < 900; elapsed += 100) {
      await flush();
      clock.increment(100);
    }
    expect((await outcome).status).toBe('completed');
    const ms = (time: readonly [number, number]) => time[0] * 1_000 + time[1] / 1_000_000;
    const span = (name: string, taskId: string, agent: string) =>
      spans().find((candidate) => candidate.name === name && candidate.attributes['echelon.agent'] === agent && (candidate.attributes['echelon.task.id'] ?? taskId) === taskId)!;
    expect(ms(span('execute backend', 'auth.backend', 'backend_lead').endTime)).toBe(100);
    expect(ms(span('execute frontend', 'auth.frontend', 'frontend_lead').endTime)).toBe(900);
    // The backend part's hops end with it, at the CTO too; the split task's own hop and the root end with the whole.
    expect(ms(span('hop cto', 'auth.backend', 'cto').endTime)).toBe(100);
    expect(ms(span('hop cto', 'auth', 'cto').endTime)).toBe(900);
    expect(ms(spans().find((candidate) => candidate.name === 'task full_stack_feature')!.endTime)).toBe(900);
  });

  it('a part cancelled because its join no longer needs it is no error: joinAny’s loser ends cancelled, the trace stays clean', async () => {
    const clock = new SimulatedClock();
    const took = { sql: 100, css: 900 } as Record<string, number>;
    const { org, spans } = traced({
      clock,
      decomposers: { byType: { either: decomposeWith('either', () => [{ key: 'db', type: 'sql' }, { key: 'ui', type: 'css' }], { join: joinAny() }) } },
      executors: (task, { signal }) =>
        new Promise((resolve, reject) => {
          const timer = clock.setTimeout(() => resolve(`${task.type} done`), took[task.type] ?? 0);
          signal.addEventListener('abort', () => (clock.clearTimeout(timer), reject(signal.reason)));
        }),
    });
    const outcome = org.submit({ id: 'f', type: 'either' });
    for (let elapsed = 0; elapsed < 200; elapsed += 100) {
      await flush();
      clock.increment(100);
    }
    expect((await outcome).status).toBe('completed');
    expect(spans().filter((span) => span.status.code === SpanStatusCode.ERROR).map((span) => span.name)).toEqual([]);
    const loser = spans().find((span) => span.name === 'execute css')!;
    expect(loser.attributes['echelon.status']).toBe('cancelled');
    expect(spans().find((span) => span.name === 'execute sql')!.attributes['echelon.status']).toBe('completed');
  });

  it('a task that fails marks its root span as an error; stopping ends what is still open', async () => {
    const { org, spans, stop } = traced();
    await org.submit({ type: 'quantum_computing' });
    const failed = spans().find((span) => span.name === 'task quantum_computing')!;
    expect(failed.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('quantum_computing') });
    expect(failed.attributes['echelon.status']).toBe('failed');

    void org.submit({ id: 'waiting', type: 'python', context: { requiresApproval: true } });
    await flush();
    expect(spans().some((span) => span.attributes['echelon.task.id'] === 'waiting')).toBe(false);
    stop();
    expect(spans().filter((span) => span.attributes['echelon.task.id'] === 'waiting').map((span) => span.name)).toContain('task python');
  });

  it('org.stop() ends the spans of the tasks it interrupts, as errors, so their traces are exported (no stopTracing needed)', async () => {
    const { org, spans } = traced({ executors: () => new Promise(() => undefined) });
    const interrupted = org.submit({ id: 'hung', type: 'python' }).catch((error: EchelonError) => error.code);
    await flush();
    expect(spans()).toEqual([]);
    await org.stop();
    expect(await interrupted).toBe('orchestrator_stopped');
    expect(spans().map((span) => span.name)).toEqual(['execute python', 'hop backend_dev_1', 'hop api_specialist', 'hop backend_lead', 'hop cto', 'task python']);
    expect(spans().find((span) => span.name === 'task python')!.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining('stopped') });
  });

  it('a tracer that throws loses spans, not the organisation: said once, and no finished trace is kept', async () => {
    const exporter = new InMemorySpanExporter();
    const real = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('test');
    // Its root spans refuse attributes, as an exporter gone wrong might.
    const tracer = {
      startSpan: (...args: Parameters<typeof real.startSpan>) => {
        const span = real.startSpan(...args);
        if (args[0].startsWith('task ')) span.setAttributes = () => { throw new Error('exporter down'); };
        return span;
      },
      startActiveSpan: real.startActiveSpan.bind(real),
    };
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
    orgs.push(org);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const stop = traceOrganisation(org, { tracer: tracer as never });
      const outcomes = await Promise.all(['python', 'react', 'api_design'].map((type) => org.submit({ type })));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['completed', 'completed', 'completed']);
      // Before, each event said it (a line and a stack per hop), and each finished task's trace stayed in memory
      // until stop() ended it: three root spans ended at stop.
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(/^echelon\/otel: the tracer threw/);
      const ended = exporter.getFinishedSpans().length;
      stop();
      expect(exporter.getFinishedSpans().length).toBe(ended);
    } finally {
      errors.mockRestore();
    }
  });

  it('refuses what it cannot trace with, at the door (invalid_option): no organisation, options that are none, an unknown option, a tracer that is not one', () => {
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
    orgs.push(org);
    const refused = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return error instanceof EchelonError ? error.code : `not an EchelonError: ${String(error)}`;
      }
      return 'accepted';
    };
    expect(refused(() => traceOrganisation(undefined as never))).toBe('invalid_option');
    expect(refused(() => traceOrganisation({} as never))).toBe('invalid_option');
    // Half an orchestrator (listeners, but no events() to learn of its stop from) is none.
    expect(refused(() => traceOrganisation({ on: () => () => undefined } as never))).toBe('invalid_option');
    expect(refused(() => traceOrganisation(org, null as never))).toBe('invalid_option');
    expect(refused(() => traceOrganisation(org, 'tracer' as never))).toBe('invalid_option');
    expect(refused(() => traceOrganisation(org, { tracer: {} as never }))).toBe('invalid_option');
    expect(() => traceOrganisation(org, { tracr: trace.getTracer('x') } as never)).toThrow(/unknown option "tracr" — did you mean "tracer"/);
    const stop = traceOrganisation(org, { tracer: trace.getTracer('x') });
    stop();
  });
});
