/**
 * The report's pictures, drawn by Apache ECharts' server-side SVG renderer (no DOM, no browser,
 * no network: `echarts` is an optional peer of `echelon/simulate`): queue lengths over time,
 * latency per task type and where it went, and the org chart as a heat map of utilisation.
 */
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { importPeer } from '../peers.js';
import type { SimulationReport } from './report.js';

/** The charts of one report, as SVG documents. */
export interface ReportCharts {
  readonly queues: string;
  readonly latency: string;
  readonly spent: string;
  readonly orgChart: string;
}

type ECharts = typeof import('echarts');
const NEEDS = 'Drawing the simulation report (echelon/simulate)';

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const base = { animation: false, backgroundColor: '#ffffff', textStyle: { fontFamily: 'DejaVu Sans, Helvetica, Arial, sans-serif' } };

/**
 * Refuses (`invalid_option`, naming `where`) what is not a simulation's report of `hierarchy`, or a
 * size that is not two positive numbers: drawing it would fail half-way with a TypeError.
 */
export function checkReportOf(report: SimulationReport, hierarchy: Hierarchy, where: string, size?: { readonly width: number; readonly height: number }): void {
  const bad = (why: string) => new EchelonError('invalid_option', `${where}: ${why}.`);
  if (typeof hierarchy?.nodes !== 'function') throw bad('the hierarchy must be the one simulated (defineHierarchy(), a preset …)');
  if (typeof report !== 'object' || report === null || !Array.isArray(report.agents) || !Array.isArray(report.byType) || !Array.isArray(report.queues)) throw bad("the report must be simulate()'s");
  const reported = new Set(report.agents.map((agent) => agent.id));
  const missing = hierarchy.nodes().find((node) => !reported.has(node.id));
  if (missing !== undefined) throw bad(`the report is not of this hierarchy: it has no agent "${missing.id}" (draw a report with the hierarchy it simulated)`);
  if (size !== undefined && !(size.width > 0 && size.height > 0 && Number.isFinite(size.width) && Number.isFinite(size.height))) throw bad(`a chart's size is a positive width and height, got ${JSON.stringify(size)}`);
}

/** ECharts, which draws the charts, or `missing_dependency` saying to install it. */
async function loadECharts(): Promise<ECharts> {
  return (await importPeer('echarts', 'echarts', NEEDS)) as ECharts;
}

/**
 * Refuses with `missing_dependency` when ECharts is not installed (for a caller that checks before
 * it simulates). It returns nothing, so echelon/simulate's declarations never name `echarts`: a
 * project without the peer typechecks them (skipLibCheck off) as well.
 */
export async function requireECharts(): Promise<void> {
  await loadECharts();
}

/** Draws every chart of `report` for the organisation `hierarchy` (the one simulated). */
export async function drawCharts(report: SimulationReport, hierarchy: Hierarchy, size = { width: 760, height: 360 }): Promise<ReportCharts> {
  checkReportOf(report, hierarchy, 'drawCharts', size);
  const echarts = await loadECharts();
  const draw = (option: Record<string, unknown>, height = size.height) => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height });
    try {
      chart.setOption({ ...base, ...option });
      return chart.renderToSVGString();
    } finally {
      chart.dispose();
    }
  };
  const types = report.byType.map((type) => type.type);
  const ended = report.byType.some((type) => type.latency.count > 0) ? {} : note('No task ended in this run');
  /** A bar chart of seconds per task type. */
  const bars = (title: string, series: readonly object[]) =>
    draw({
      ...ended,
      title: { text: title, left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0 },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'category', data: types, axisLabel: { interval: 0, rotate: types.length > 6 ? 30 : 0 } },
      yAxis: { type: 'value', name: 's' },
      series,
    });
  return {
    queues: draw({
      ...(report.queues.some((queue) => queue.points.some(([, length]) => length > 0)) ? {} : note('No task waited in a queue')),
      title: { text: 'Queue length over time', left: 'center', textStyle: { fontSize: 14 } },
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, type: 'scroll' },
      grid: { left: 50, right: 20, top: 40, bottom: 60 },
      xAxis: { type: 'value', name: 'simulated minutes', nameLocation: 'middle', nameGap: 25, min: 0 },
      yAxis: { type: 'value', name: 'tasks waiting', minInterval: 1 },
      series: report.queues.map((queue) => ({ name: queue.agent, type: 'line', step: 'end', showSymbol: false, data: queue.points.map(([at, length]) => [Math.round(at / 600) / 100, length]) })),
    }),
    latency: bars('Latency per task type (s)', (['p50', 'p95', 'p99'] as const).map((p) => ({ name: p, type: 'bar', data: report.byType.map((type) => seconds(type.latency[p])) }))),
    spent: bars('Where the time went, mean per task (s)', (['queued', 'executing', 'awaitingApproval', 'escalated'] as const).map((where) => ({ name: where, type: 'bar', stack: 'time', data: report.byType.map((type) => seconds(type.spent[where])) }))),
    orgChart: draw(orgChartOption(report, hierarchy), Math.max(size.height, 120 * (report.agents.reduce((depth, agent) => Math.max(depth, agent.level), 0) + 1))),
  };
}

/** A chart's note where its data would be, when it has none (a blank chart looks broken). */
const note = (text: string) => ({ graphic: { type: 'text', left: 'center', top: 'middle', style: { text, fill: '#666', fontSize: 14 } } });

/** The org chart as a tree whose nodes are coloured by utilisation (largest organisations: the busiest 200 agents and their chains). */
function orgChartOption(report: SimulationReport, hierarchy: Hierarchy): Record<string, unknown> {
  const byId = new Map(report.agents.map((agent) => [agent.id, agent]));
  const shown = new Set<string>();
  if (hierarchy.size <= 200) for (const node of hierarchy.nodes()) shown.add(node.id);
  else {
    for (const agent of [...report.agents].sort((a, b) => b.utilisation - a.utilisation).slice(0, 200)) {
      for (const node of hierarchy.pathToRoot(agent.id)) shown.add(node.id);
    }
  }
  const tree = (id: string): Record<string, unknown> => {
    const agent = byId.get(id)!;
    return {
      name: id,
      value: Math.round(agent.utilisation * 100),
      itemStyle: { color: heat(agent.utilisation), borderColor: '#555' },
      children: hierarchy.get(id).childIds.filter((child) => shown.has(child)).map(tree),
    };
  };
  return {
    title: { text: 'Org chart by utilisation (%)', left: 'center', textStyle: { fontSize: 14 } },
    tooltip: { trigger: 'item' },
    visualMap: { show: true, type: 'continuous', min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, calculable: false, inRange: { color: ['#e8f5e9', '#fff176', '#ff7043', '#b71c1c'] }, text: ['100 %', '0 %'], seriesIndex: -1 },
    series: [
      {
        type: 'tree',
        data: [tree(hierarchy.root.id)],
        orient: 'TB',
        top: 50,
        bottom: 70,
        left: 40,
        right: 40,
        symbol: 'rect',
        symbolSize: [16, 16],
        expandAndCollapse: false,
        initialTreeDepth: -1,
        label: { position: 'bottom', distance: 4, fontSize: 10, formatter: (params: { name: string; value: number }) => `${params.name}\n${params.value} %` },
        leaves: { label: { position: 'bottom' } },
        lineStyle: { color: '#999' },
      },
    ],
  };
}

/** Green (idle) through yellow and orange to dark red (saturated). */
export function heat(utilisation: number): string {
  const stops = [
    [0, [0xe8, 0xf5, 0xe9]],
    [0.5, [0xff, 0xf1, 0x76]],
    [0.8, [0xff, 0x70, 0x43]],
    [1, [0xb7, 0x1c, 0x1c]],
  ] as const;
  const u = Math.min(1, Math.max(0, utilisation));
  let i = 0;
  while (i < stops.length - 2 && u > stops[i + 1]![0]) i++;
  const [a, from] = stops[i]!;
  const [b, to] = stops[i + 1]!;
  const t = (u - a) / (b - a);
  return `#${from.map((channel, k) => Math.round(channel + (to[k]! - channel) * t).toString(16).padStart(2, '0')).join('')}`;
}
