/**
 * The benchmark's results as text tables: throughput with ratios, inspection, latency, scale,
 * memory, persistence, streaming, and the targets. Every figure is a median, with [min–max] over runs.
 */
import type { Comparison, Results, ScaleRow, ShapeRow } from './report.js';
import { formatRestate } from './restate-report.js';
import type { Summary } from './stats.js';
import { simulationLines } from './simulation-report.js';

const NAMES: Readonly<Record<string, string>> = {
  plain: 'plain async',
  raw: 'raw XState',
  'raw-actors': 'raw XState + task actors',
  'raw-chart': 'raw XState, echelon’s chart',
  echelon: 'echelon',
  'echelon-inspect': 'echelon + counting inspector',
  'echelon-inspect-json': 'echelon + serializing inspector',
  'echelon-queued': 'echelon, concurrency 1',
  'echelon-memory-store': 'echelon + in-memory store',
  'echelon-sqlite': 'echelon + SQLite store',
  'echelon-progress': 'reported, nobody listens',
  'echelon-progress-watched': 'one listener (org.onProgress)',
  'echelon-stream': 'org.stream per task',
};

const name = (system: string) => NAMES[system] ?? system;
/** Variants of echelon shown in their own sections (inspection, persistence), not in the throughput table. */
const COMPARED = ['echelon-inspect', 'echelon-inspect-json', 'echelon-memory-store', 'echelon-sqlite'];
const int = (value: number) => Math.round(value).toLocaleString('en-US');
/** Milliseconds with three significant digits. */
const ms = (value: number) => (value >= 100 ? int(value) : value.toPrecision(3));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function spread(summary: Summary, format: (value: number) => string): string {
  return summary.runs.length === 1 ? format(summary.median) : `${format(summary.median)} [${format(summary.min)}–${format(summary.max)}]`;
}

/** Lays out rows under a header, columns padded to their widest cell. */
export function grid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

function throughputTable(results: Results): string {
  const systems = [...new Set(Object.values(results.throughput).flatMap((bySystem) => Object.keys(bySystem)))].filter((system) => !COMPARED.includes(system));
  const baselines = systems.filter((system) => !system.startsWith('echelon'));
  const rows = Object.entries(results.throughput).map(([inFlight, bySystem]) => [
    inFlight,
    ...systems.map((system) => (bySystem[system] === undefined ? '—' : spread(bySystem[system]!, int))),
    ...baselines.map((baseline) => {
      const ratio = results.ratios[inFlight]?.[baseline];
      return ratio === undefined ? '—' : ratio >= 0.1 ? `${ratio.toFixed(2)}×` : `${ratio.toFixed(4)}×`;
    }),
  ]);
  return grid(['in flight', ...systems.map(name), ...baselines.map((baseline) => `echelon ÷ ${name(baseline)}`)], rows);
}

function scaleTable(rows: readonly ScaleRow[]): string {
  return grid(
    ['agents', 'depth', 'runs', 'start ms', 'start cpu ms', 'heap/agent: actors', '+ hierarchy', 'route root→leaf ms', 'stop ms'],
    rows.map((row) => [
      int(row.agents),
      String(row.depth),
      String(row.runs),
      spread(row.startMs, ms),
      spread(row.startCpuMs, ms),
      spread(row.actorBytesPerAgent, kb),
      spread(row.hierarchyBytesPerAgent, kb),
      spread(row.routeMs, ms),
      spread(row.stopMs, ms),
    ]),
  );
}

const SHAPE_NAMES = { wide: '10 per manager', flat: 'all under the root', chain: 'one chain' } as const;

function shapeTable(rows: readonly ShapeRow[]): string {
  const ratio = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(2)}×`);
  return grid(
    ['agents', 'shape', 'depth', 'runs', 'start cpu ms', 'stop cpu ms', 'heap/agent', 'route root→leaf ms', 'per hop µs', 'start ÷ 10/mgr', 'stop ÷ 10/mgr', 'heap ÷ 10/mgr'],
    rows.map((row) => [
      int(row.agents),
      SHAPE_NAMES[row.shape],
      String(row.depth),
      String(row.runs),
      spread(row.startCpuMs, ms),
      spread(row.stopCpuMs, ms),
      kb(row.actorBytesPerAgent.median + row.hierarchyBytesPerAgent.median),
      spread(row.routeMs, ms),
      ((row.routeMs.median / Math.max(1, row.depth)) * 1000).toPrecision(3),
      ratio(row.vsWide?.startCpu),
      ratio(row.vsWide?.stopCpu),
      ratio(row.vsWide?.heap),
    ]),
  );
}

/** The whole report as text. */
export function formatResults(results: Results): string {
  const out: string[] = [];
  const meta = results.meta;
  out.push(`echelon benchmark — ${String(meta.plan)} plan, ${String(meta.date)}`);
  out.push(`node ${String(meta.node)}${meta.nodeFlags === undefined ? '' : ` ${String(meta.nodeFlags)}`}, xstate ${String(meta.xstate)}, ${String(meta.cpus)} × ${String(meta.cpu)}, load average at start ${String(meta.loadStart)}, at end ${String(meta.loadEnd)}`);

  if (Object.keys(results.throughput).length > 0) {
    out.push('', `1–2. Throughput: development team, ${String(meta.tasks)} mixed tasks per run, tasks/s — median [min–max] of ${String(meta.runs)} runs (echelon: ${String(meta.echelonRuns)})`);
    out.push(throughputTable(results));
  }
  const comparison = (title: string, what: string, result: Comparison | undefined) => {
    if (result === undefined) return;
    out.push('', `${title}: echelon at ${result.inFlight} in flight, tasks/s`);
    out.push(
      grid(
        [what, 'tasks/s', 'ratio'],
        [['none', spread(result.without, int), '1.00×'], ...Object.entries(result.variants).map(([system, { tasksPerSecond, ratio }]) => [name(system), spread(tasksPerSecond, int), `${ratio.toFixed(2)}×`])],
      ),
    );
  };
  comparison('6. Inspection cost', 'observer', results.inspection);

  const latencySystems = [...new Set([...Object.keys(results.latency), ...Object.keys(results.perHop)])];
  if (latencySystems.length > 0) {
    out.push('', '3. Latency: one task in flight, submit → result (ms, median [min–max] of 3 runs); per hop = extra ms per level of delegation, fitted on a chain of 16 agents');
    const rows = latencySystems.map((system) => {
      const latency = results.latency[system];
      const hop = results.perHop[system];
      return [name(system), latency ? spread(latency.p50, ms) : '—', latency ? spread(latency.p99, ms) : '—', hop ? spread(hop.ms, ms) : '—'];
    });
    out.push(grid(['system', 'p50 ms', 'p99 ms', 'per hop ms'], rows));
  }

  if (results.scale.echelon.length > 0) {
    out.push('', '4. Scale: echelon organisations with 10 reports per manager (heap after full GC, per agent)');
    out.push(scaleTable(results.scale.echelon));
  }
  const exponents = results.scale.exponents;
  if (exponents.startMs !== undefined) {
    out.push(
      `fitted growth exponent (1 = linear): start ${exponents.startMs.toFixed(2)}, stop ${exponents.stopMs!.toFixed(2)}, heap ${exponents.heapBytes!.toFixed(2)}, route ${exponents.routeMs!.toFixed(2)}`,
    );
  }
  if (results.scale.raw.length > 0) {
    out.push('', 'for reference, the raw XState tree of the same organisations');
    out.push(scaleTable(results.scale.raw));
    const ratios = Object.entries(results.scale.routeVsRaw);
    if (ratios.length > 0) out.push(`root → leaf, echelon ÷ raw XState: ${ratios.map(([agents, ratio]) => `${int(Number(agents))} agents ${ratio.toFixed(2)}×`).join(', ')}`);
  }
  if (results.scale.rawChart.length > 0) {
    out.push('', 'and the raw tree running echelon’s five-state chart, no echelon logic');
    out.push(scaleTable(results.scale.rawChart));
    const ratios = Object.entries(results.scale.chartRouteVsRaw);
    if (ratios.length > 0) out.push(`root → leaf, the chart alone ÷ raw XState: ${ratios.map(([agents, ratio]) => `${int(Number(agents))} agents ${ratio.toFixed(2)}×`).join(', ')}`);
  }
  if (results.scale.shapes.length > 0) {
    out.push('', '4b. Shapes: the same number of agents all under the root, and in one chain, beside 10 reports per manager (CPU time; heap after full GC, per agent)');
    out.push(shapeTable(results.scale.shapes));
    const fitted = Object.entries(results.scale.shapeExponents);
    if (fitted.length > 0) out.push(`fitted growth exponent of start / stop (1 = linear): ${fitted.map(([shape, { startCpuMs, stopCpuMs }]) => `${SHAPE_NAMES[shape as ShapeRow['shape']]} ${startCpuMs.toFixed(2)} / ${stopCpuMs.toFixed(2)}`).join(', ')}`);
  }

  if (results.memory !== undefined) {
    const { memory } = results;
    out.push('', `5. Memory over time: echelon, development team, ${memory.inFlight} in flight; heap after full GC (before the first task: ${mb(memory.startBytes)})`);
    out.push(grid(['tasks completed', 'heap', 'elapsed s'], memory.readings.map((reading) => [int(reading.tasks), mb(reading.heapBytes), (reading.elapsedMs / 1000).toFixed(1)])));
  }

  comparison('7. Persistence cost', 'store', results.persistence);
  out.push(...simulationLines(results.simulation, grid));
  if (results.streaming !== undefined) {
    const { streaming } = results;
    out.push('', `9. Streaming cost: echelon at ${streaming.inFlight} in flight, executors reporting ${streaming.progressPerTask} progress events per task, variants alternated in one process — median [min–max]`);
    out.push(
      grid(
        ['progress', 'tasks/s', 'CPU µs per task', 'CPU ratio', 'progress events/s'],
        Object.entries(streaming.variants).map(([system, row]) => [system === 'echelon' ? 'none reported' : name(system), spread(row.tasksPerSecond, int), spread(row.cpuMicrosPerTask, int), `${row.cpuRatio.toFixed(2)}×`, system === 'echelon' ? '—' : int(row.progressPerSecond)]),
      ),
    );
  }
  out.push(...formatRestate(results.restate, grid));

  out.push('', 'Targets');
  out.push(grid(['target', 'goal', 'measured', ''], results.targets.map((target) => [target.name, target.goal, target.measured, target.met === undefined ? '—' : target.met ? 'met' : 'MISSED'])));
  return out.join('\n');
}
