/**
 * From job results to what the benchmark reports: the figures (medians with min/max), echelon's
 * ratios to the baselines, fitted growth exponents, and each target met or missed. The same
 * object is printed as a table and written to bench/results.json.
 */
import type { HopJob, HopResult, LatencyResult } from './cases/latency.js';
import type { MemoryResult } from './cases/memory.js';
import type { RestateResult } from './cases/restate.js';
import type { RestateFloorResult } from './cases/restate-floor.js';
import type { RestoreResult } from './cases/restore.js';
import type { ScaleResult, ScaleShape } from './cases/scale.js';
import type { SimulationResult } from './cases/simulation.js';
import type { ThroughputResult } from './cases/throughput.js';
import { simulationResults, simulationTargets, type SimulationResults } from './simulation-report.js';
import { streamingCost, type StreamingCost, type StreamingResult } from './cases/streaming.js';
import type { Job } from './jobs.js';
import { restateSection, restateTargets, type RestateSection } from './restate-report.js';
import { growthExponent, summarize, type Summary } from './stats.js';

/** A job and what it measured. */
export type Measured =
  | { readonly job: Extract<Job, { case: 'throughput' }>; readonly result: ThroughputResult }
  | { readonly job: Extract<Job, { case: 'latency' }>; readonly result: LatencyResult }
  | { readonly job: Extract<Job, { case: 'hop' }>; readonly result: HopResult }
  | { readonly job: Extract<Job, { case: 'scale' }>; readonly result: ScaleResult }
  | { readonly job: Extract<Job, { case: 'memory' }>; readonly result: MemoryResult }
  | { readonly job: Extract<Job, { case: 'simulation' }>; readonly result: SimulationResult }
  | { readonly job: Extract<Job, { case: 'streaming' }>; readonly result: StreamingResult }
  | { readonly job: Extract<Job, { case: 'restate' }>; readonly result: RestateResult }
  | { readonly job: Extract<Job, { case: 'restate-floor' }>; readonly result: RestateFloorResult }
  | { readonly job: Extract<Job, { case: 'restore' }>; readonly result: RestoreResult }


export interface ScaleRow {
  readonly agents: number;
  readonly depth: number;
  readonly runs: number;
  readonly startMs: Summary;
  readonly stopMs: Summary;
  readonly routeMs: Summary;
  readonly firstRouteMs: Summary;
  readonly actorBytesPerAgent: Summary;
  readonly hierarchyBytesPerAgent: Summary;
  readonly startCpuMs: Summary;
  readonly stopCpuMs: Summary;
}

/** An organisation of one shape beside the 10-per-manager one of the same size (medians of CPU time). */
export interface ShapeRow extends ScaleRow {
  readonly shape: ScaleShape;
  /** This shape's start, stop and heap over the 10-per-manager organisation's of the same size. */
  readonly vsWide?: { readonly startCpu: number; readonly stopCpu: number; readonly heap: number };
}

export interface Target {
  readonly name: string;
  readonly goal: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

export interface Results {
  readonly meta: Readonly<Record<string, unknown>>;
  /** Tasks/s by tasks in flight, then by system. */
  readonly throughput: Readonly<Record<string, Readonly<Record<string, Summary>>>>;
  /** echelon's median throughput divided by each baseline's, by tasks in flight. */
  readonly ratios: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** echelon's throughput without and with each inspection observer (ratio to without). */
  readonly inspection?: Comparison;
  /** Submit → outcome in ms, one task in flight. */
  readonly latency: Readonly<Record<string, { readonly p50: Summary; readonly p99: Summary }>>;
  /** Extra ms per level of delegation, fitted over a chain of managers. */
  readonly perHop: Readonly<Record<string, { readonly ms: Summary; readonly depth: number; readonly byLevel: Readonly<Record<number, number>> }>>;
  readonly scale: {
    readonly echelon: readonly ScaleRow[];
    readonly raw: readonly ScaleRow[];
    /** Fitted exponents of growth with the number of agents (1 = linear). */
    readonly exponents: Readonly<Record<string, number>>;
    /** Every shape at the sizes they were compared at, the 10-per-manager one first at each size. */
    readonly shapes: readonly ShapeRow[];
    /** Fitted exponents of start and stop CPU time with the number of agents, by shape. */
    readonly shapeExponents: Readonly<Record<string, { readonly startCpuMs: number; readonly stopCpuMs: number }>>;
    /** echelon's median root → leaf time over the raw XState tree's, by number of agents (10 per manager). */
    readonly routeVsRaw: Readonly<Record<string, number>>;
    /** The raw tree running echelon's chart (no echelon logic), same organisations: what the five states alone cost a route. */
    readonly rawChart: readonly ScaleRow[];
    /** Its median root → leaf time over the raw XState tree's: the floor the chart puts under echelon's ratio. */
    readonly chartRouteVsRaw: Readonly<Record<string, number>>;
  };
  readonly memory?: MemoryResult & { readonly growthLastTwo: number; readonly inFlight: number };
  /** echelon's throughput without a store and with each store (ratio to without). */
  readonly persistence?: Comparison;
  readonly simulation?: SimulationResults;
  /** echelon with executors reporting progress — unheard, heard by one listener, each task followed by a stream — beside plain echelon, alternated in one process. */
  readonly streaming?: StreamingCost;
  /** On a real Restate server, and the Restate host's per-message restore. */
  readonly restate?: RestateSection;
  readonly targets: readonly Target[];
}

/** echelon's throughput without something, and with each variant of it. */
export interface Comparison {
  readonly inFlight: number;
  readonly without: Summary;
  readonly variants: Readonly<Record<string, { readonly tasksPerSecond: Summary; readonly ratio: number }>>;
}

/** Compares echelon's throughput with these variants of it, at the load they ran at. */
function compare(throughput: Results['throughput'], variants: readonly string[]): Comparison | undefined {
  const at = Object.keys(throughput).find((inFlight) => variants.some((system) => throughput[inFlight]![system] !== undefined));
  const without = at === undefined ? undefined : throughput[at]!.echelon;
  if (at === undefined || without === undefined) return undefined;
  return {
    inFlight: Number(at),
    without,
    variants: Object.fromEntries(
      variants.flatMap((system) => {
        const summary = throughput[at]![system];
        return summary === undefined ? [] : [[system, { tasksPerSecond: summary, ratio: summary.median / without.median }]];
      }),
    ),
  };
}

const byCase = <C extends Job['case']>(measured: readonly Measured[], name: C) =>
  measured.filter((entry): entry is Extract<Measured, { job: { case: C } }> => entry.job.case === name);

function scaleRows(entries: ReadonlyArray<Extract<Measured, { job: { case: 'scale' } }>>): ScaleRow[] {
  const sizes = [...new Set(entries.map((entry) => entry.job.size))].sort((a, b) => a - b);
  return sizes.map((agents) => {
    const runs = entries.filter((entry) => entry.job.size === agents).map((entry) => entry.result);
    const of = (pick: (result: ScaleResult) => number) => summarize(runs.map(pick));
    return {
      agents,
      depth: runs[0]!.depth,
      runs: runs.length,
      startMs: of((r) => r.startMs),
      stopMs: of((r) => r.stopMs),
      routeMs: of((r) => r.routeMs),
      firstRouteMs: of((r) => r.firstRouteMs),
      actorBytesPerAgent: of((r) => r.actorBytesPerAgent),
      hierarchyBytesPerAgent: of((r) => r.hierarchyBytesPerAgent),
      startCpuMs: of((r) => r.startCpuMs),
      stopCpuMs: of((r) => r.stopCpuMs),
    };
  });
}

const shapeOf = (entry: Extract<Measured, { job: { case: 'scale' } }>): ScaleShape => entry.job.shape ?? 'wide';

/** The shapes compared at each size where more than the 10-per-manager one ran, each with its ratios to that one. */
function shapeRows(entries: ReadonlyArray<Extract<Measured, { job: { case: 'scale' } }>>): ShapeRow[] {
  const echelon = entries.filter((entry) => entry.job.system === 'echelon');
  const sizes = [...new Set(echelon.filter((entry) => shapeOf(entry) !== 'wide').map((entry) => entry.job.size))].sort((a, b) => a - b);
  const heap = (row: ScaleRow) => row.actorBytesPerAgent.median + row.hierarchyBytesPerAgent.median;
  return sizes.flatMap((size) => {
    const rows = (['wide', 'flat', 'chain'] as const).flatMap((shape) =>
      scaleRows(echelon.filter((entry) => entry.job.size === size && shapeOf(entry) === shape)).map((row) => ({ ...row, shape })),
    );
    const wide = rows.find((row) => row.shape === 'wide');
    return rows.map((row): ShapeRow =>
      wide === undefined || row === wide
        ? row
        : { ...row, vsWide: { startCpu: row.startCpuMs.median / wide.startCpuMs.median, stopCpu: row.stopCpuMs.median / wide.stopCpuMs.median, heap: heap(row) / heap(wide) } },
    );
  });
}

/** Aggregates every job's result into the report, and judges the targets. */
export function buildResults(measured: readonly Measured[], meta: Readonly<Record<string, unknown>>): Results {
  const throughput: Record<string, Record<string, Summary>> = {};
  for (const { job, result } of byCase(measured, 'throughput')) {
    (throughput[job.inFlight] ??= {})[job.system] = summarize(result.tasksPerSecond);
  }
  const ratios: Record<string, Record<string, number>> = {};
  for (const [inFlight, systems] of Object.entries(throughput)) {
    const mine = systems.echelon?.median;
    if (mine === undefined) continue;
    ratios[inFlight] = Object.fromEntries(
      Object.entries(systems)
        .filter(([system]) => !system.startsWith('echelon'))
        .map(([system, summary]) => [system, mine / summary.median]),
    );
  }
  const inspection = compare(throughput, ['echelon-inspect', 'echelon-inspect-json']);
  const persistence = compare(throughput, ['echelon-memory-store', 'echelon-sqlite']);
  const streamingEntry = byCase(measured, 'streaming')[0];
  const streaming = streamingEntry === undefined ? undefined : streamingCost(streamingEntry.job, streamingEntry.result);

  const latency = Object.fromEntries(
    byCase(measured, 'latency').map(({ job, result }) => [job.system, { p50: summarize(result.p50), p99: summarize(result.p99) }]),
  );
  const perHop = Object.fromEntries(
    byCase(measured, 'hop').map(({ job, result }: { job: HopJob; result: HopResult }) => [
      job.system,
      { ms: summarize(result.perHop), depth: job.depth, byLevel: result.byLevel },
    ]),
  );

  const scaleEntries = byCase(measured, 'scale');
  const wideEntries = scaleEntries.filter((entry) => shapeOf(entry) === 'wide');
  const echelonRows = scaleRows(wideEntries.filter((entry) => entry.job.system === 'echelon'));
  const rawRows = scaleRows(wideEntries.filter((entry) => entry.job.system === 'raw'));
  const chartRows = scaleRows(wideEntries.filter((entry) => entry.job.system === 'raw-chart'));
  const shapes = shapeRows(scaleEntries);
  const shapeExponents = Object.fromEntries(
    (['wide', 'flat', 'chain'] as const).flatMap((shape) => {
      const rows = shapes.filter((row) => row.shape === shape);
      if (rows.length < 2) return [];
      const sizes = rows.map((row) => row.agents);
      return [[shape, { startCpuMs: growthExponent(sizes, rows.map((row) => row.startCpuMs.median)), stopCpuMs: growthExponent(sizes, rows.map((row) => row.stopCpuMs.median)) }]];
    }),
  );
  const routeOver = (rows: readonly ScaleRow[], baseline: readonly ScaleRow[]) =>
    Object.fromEntries(
      rows.flatMap((row) => {
        const base = baseline.find((candidate) => candidate.agents === row.agents);
        return base === undefined ? [] : [[String(row.agents), row.routeMs.median / base.routeMs.median]];
      }),
    );
  const routeVsRaw = routeOver(echelonRows, rawRows);
  const chartRouteVsRaw = routeOver(chartRows, rawRows);
  const agents = echelonRows.map((row) => row.agents);
  const exponents: Record<string, number> =
    echelonRows.length < 2
      ? {}
      : {
          startMs: growthExponent(agents, echelonRows.map((row) => row.startMs.median)),
          stopMs: growthExponent(agents, echelonRows.map((row) => row.stopMs.median)),
          heapBytes: growthExponent(agents, echelonRows.map((row) => (row.actorBytesPerAgent.median + row.hierarchyBytesPerAgent.median) * row.agents)),
          routeMs: growthExponent(agents, echelonRows.map((row) => row.routeMs.median)),
        };

  const memoryEntry = byCase(measured, 'memory')[0];
  const memory =
    memoryEntry === undefined
      ? undefined
      : (() => {
          const readings = memoryEntry.result.readings;
          const last = readings[readings.length - 1]!;
          const previous = readings[readings.length - 2] ?? last;
          return { ...memoryEntry.result, growthLastTwo: last.heapBytes / previous.heapBytes - 1, inFlight: memoryEntry.job.inFlight };
        })();

  const results = { meta, throughput, ratios, ...(inspection ? { inspection } : {}), latency, perHop, scale: { echelon: echelonRows, raw: rawRows, rawChart: chartRows, exponents, shapes, shapeExponents, routeVsRaw, chartRouteVsRaw }, ...(memory ? { memory } : {}), ...(persistence ? { persistence } : {}), ...(streaming ? { streaming } : {}) };
  const simulation = simulationResults(byCase(measured, 'simulation').map((entry) => entry.result));
  const restate = restateSection(measured);
  const all = { ...results, ...(simulation ? { simulation } : {}), ...(restate ? { restate } : {}) };
  return { ...all, targets: [...judge(all), ...simulationTargets(simulation), ...restateTargets(restate)] };
}

function judge(results: Omit<Results, 'targets'>): Target[] {
  const targets: Target[] = [];
  const at100 = results.ratios['100'];
  // The core rebuild's targets (issue 11): at least the raw tree with an actor per task, at least 35 % of the raw tree.
  for (const [baseline, label, goal] of [
    ['raw', 'raw XState', 0.35],
    ['raw-actors', 'raw XState + task actors', 1],
  ] as const) {
    const ratio = at100?.[baseline];
    targets.push({
      name: `throughput at 100 in flight vs ${label}`,
      goal: `≥ ${goal.toFixed(2)}×`,
      measured: ratio === undefined ? 'not measured' : `${ratio.toFixed(2)}×`,
      met: ratio === undefined ? undefined : ratio >= goal,
    });
  }
  const hop = results.perHop.echelon?.ms.median;
  const rawHop = results.perHop.raw?.ms.median;
  // What the five-state chart alone costs per hop in XState (no echelon logic): the floor under echelon's figure.
  const chartHop = results.perHop['raw-chart']?.ms.median;
  const chartNote = chartHop === undefined || rawHop === undefined ? '' : ` (the five-state chart alone: ${(chartHop / rawHop).toFixed(1)}×)`;
  targets.push({
    name: 'cost per delegation hop vs raw XState',
    goal: '≤ 3×',
    measured: hop === undefined || rawHop === undefined ? 'not measured' : `${(hop / rawHop).toFixed(1)}×${chartNote}`,
    met: hop === undefined || rawHop === undefined ? undefined : hop / rawHop <= 3,
  });
  const largest = results.scale.echelon[results.scale.echelon.length - 1];
  const size = largest === undefined ? 'the largest organisation' : `${largest.agents.toLocaleString('en-US')} agents`;
  targets.push({
    name: `start ${size}`,
    goal: '< 10 s',
    measured: largest === undefined ? 'not measured' : `${(largest.startMs.median / 1000).toFixed(2)} s`,
    met: largest === undefined ? undefined : largest.startMs.median < 10_000,
  });
  const perAgent = largest === undefined ? undefined : largest.actorBytesPerAgent.median + largest.hierarchyBytesPerAgent.median;
  targets.push({
    name: `heap per agent, ${size} (actors + hierarchy)`,
    goal: '< 3 KB',
    measured: perAgent === undefined ? 'not measured' : `${(perAgent / 1024).toFixed(2)} KB`,
    met: perAgent === undefined ? undefined : perAgent < 3072,
  });
  const routeRatios = Object.entries(results.scale.routeVsRaw);
  targets.push({
    name: 'root → leaf vs the raw XState tree, 10 per manager',
    goal: '≤ 3× at every size',
    measured:
      routeRatios.length === 0
        ? 'not measured'
        : routeRatios
            .map(([agents, ratio]) => {
              const chart = results.scale.chartRouteVsRaw[agents];
              return `${Number(agents).toLocaleString('en-US')}: ${ratio.toFixed(2)}×${chart === undefined ? '' : ` (chart alone ${chart.toFixed(2)}×)`}`;
            })
            .join(', '),
    met: routeRatios.length === 0 ? undefined : routeRatios.every(([, ratio]) => ratio <= 3),
  });
  for (const [shape, label] of [
    ['flat', 'direct reports under one agent'],
    ['chain', 'deep chain'],
  ] as const) {
    const rows = results.scale.shapes.filter((row) => row.shape === shape);
    const row = rows[rows.length - 1];
    targets.push({
      name: row === undefined ? `${label}: start and stop vs 10 per manager` : `${row.agents.toLocaleString('en-US')}-${shape === 'flat' ? 'report manager' : 'deep chain'}: start and stop vs 10 per manager`,
      goal: '≤ 2× each (CPU time)',
      measured: row?.vsWide === undefined ? 'not measured' : `start ${row.vsWide.startCpu.toFixed(2)}×, stop ${row.vsWide.stopCpu.toFixed(2)}×`,
      met: row?.vsWide === undefined ? undefined : row.vsWide.startCpu <= 2 && row.vsWide.stopCpu <= 2,
    });
  }
  const memory = results.memory;
  const readings = memory?.readings ?? [];
  const [previous, last] = readings.slice(-2);
  targets.push({
    name: last === undefined || previous === undefined ? 'heap flat over tasks' : `heap after ${last.tasks.toLocaleString('en-US')} tasks vs ${previous.tasks.toLocaleString('en-US')}`,
    goal: 'within 10 %',
    measured: memory === undefined ? 'not measured' : `${memory.growthLastTwo >= 0 ? '+' : ''}${(memory.growthLastTwo * 100).toFixed(1)} %`,
    met: memory === undefined ? undefined : Math.abs(memory.growthLastTwo) <= 0.1,
  });
  return targets;
}
