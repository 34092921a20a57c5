/**
 * The report's pictures, drawn by Apache ECharts' server-side SVG renderer (no DOM, no browser,
 * no network: `echarts` is an optional peer of `echelon/simulate`): queue lengths over time,
 * latency per task type and where it went, and the org chart as a heat map of utilisation.
 */
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { importPeer } from '../peers.js';
import { shownEscaped } from '../show.js';
import { orgChartOption } from './org-chart.js';
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
  return drawChartsWithIds(report, hierarchy, size, 'echelon');
}

/**
 * {@link drawCharts}, the ids and classes in each SVG starting `<idPrefix>-<chart>-` (a page of
 * several reports gives each its own prefix: an id is the page's, not the drawing's).
 */
export async function drawChartsWithIds(report: SimulationReport, hierarchy: Hierarchy, size: { readonly width: number; readonly height: number }, idPrefix: string): Promise<ReportCharts> {
  checkReportOf(report, hierarchy, 'drawCharts', size);
  const echarts = await loadECharts();
  let drawn = 0;
  const draw = (option: Record<string, unknown>, height = size.height) => {
    const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: size.width, height });
    try {
      chart.setOption({ ...base, ...option });
      return stableIds(chart.renderToSVGString(), `${idPrefix}-${++drawn}`);
    } finally {
      chart.dispose();
    }
  };
  // Names as the charts show them: a bidi override in an id as its \u202e escape, not the rest of a label reversed.
  const types = report.byType.map((type) => shownEscaped(type.type));
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
  const queued = report.agents.filter((agent) => agent.maxQueue > 0).length;
  const { otherQueues } = report;
  // The rest of the queues as one line, their longest: a sum of hundreds would flatten the agents drawn beside it.
  const othersName = otherQueues === undefined ? undefined : `longest of the other ${otherQueues.agents}`;
  const queueLines = [
    ...report.queues.map((queue) => ({ name: shownEscaped(queue.agent), points: queue.points })),
    ...(otherQueues === undefined ? [] : [{ name: othersName!, points: otherQueues.points, lineStyle: { type: 'dashed' }, itemStyle: { color: '#777' } }]),
  ];
  const drawnOf =
    otherQueues === undefined
      ? `the ${report.queues.length} longest mean queues of the ${queued} agents that kept one`
      : `the ${report.queues.length} longest mean queues of the ${queued} agents that kept one, and (dashed) the longest of the other ${otherQueues.agents} at each time`;
  // Legend rows the names take (a name's width estimated from its length), so the legend never covers the plot.
  const legendRows = rowsOf(queueLines.map((line) => 40 + 7 * line.name.length), size.width - 40);
  const drawOrgChart = () => {
    const { option, height } = orgChartOption(report, hierarchy, size.height);
    return draw(option, height);
  };
  return {
    queues: draw({
      ...(report.queues.some((queue) => queue.points.some(([, length]) => length > 0)) ? {} : note('No task waited in a queue')),
      title: { text: 'Queue length over time', left: 'center', textStyle: { fontSize: 14 }, ...(queued > report.queues.length ? { subtext: drawnOf, subtextStyle: { fontSize: 11, color: '#555' } } : {}) },
      tooltip: { trigger: 'axis' },
      // A plain legend wraps onto more rows; a scrolling one pages with arrows that need a script (the page has none).
      legend: { bottom: 0, type: 'plain' },
      grid: { left: 50, right: 20, top: queued > report.queues.length ? 56 : 40, bottom: 60 + LEGEND_ROW * (legendRows - 1) },
      xAxis: { type: 'value', name: 'simulated minutes', nameLocation: 'middle', nameGap: 25, min: 0 },
      yAxis: { type: 'value', name: 'tasks waiting', minInterval: 1 },
      series: queueLines.map(({ points, ...line }) => ({ ...line, type: 'line', step: 'end', showSymbol: false, data: points.map(([at, length]) => [Math.round(at / 600) / 100, length]) })),
    }, size.height + LEGEND_ROW * (legendRows - 1)),
    latency: bars('Latency per task type (s)', (['p50', 'p95', 'p99'] as const).map((p) => ({ name: p, type: 'bar', data: report.byType.map((type) => seconds(type.latency[p])) }))),
    spent: bars('Where the time went, mean per task (s)', (['queued', 'executing', 'awaitingApproval', 'escalated'] as const).map((where) => ({ name: where, type: 'bar', stack: 'time', data: report.byType.map((type) => seconds(type.spent[where])) }))),
    orgChart: drawOrgChart(),
  };
}

/**
 * The SVG with ECharts' per-process names (`zr12-cls-40`, `url(#zr12-g0)`: a drawing number and
 * a class counter that run on across drawings) renamed `<prefix>-<n>` in order of appearance, so
 * the same report draws the same bytes however many charts the process drew before. Only
 * attributes and the style sheet are rewritten: a label's text (an agent's name) is left as it is.
 */
function stableIds(svg: string, prefix: string): string {
  // The drawing's number, from its first id or class (a label's quotes are written &quot;, so no text matches).
  const drawing = /(?:class|id)="(zr\d+)-/.exec(svg)?.[1];
  if (drawing === undefined) return svg;
  const names = new Map<string, string>();
  const rename = (name: string) => names.get(name) ?? (names.set(name, `${prefix}-${names.size}`), names.get(name)!);
  const attributes = new RegExp(`(class="| id="|="url\\(#)(${drawing}-[\\w-]+)`, 'g');
  return svg
    .replace(attributes, (_match, before: string, name: string) => before + rename(name))
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, (style) => style.replace(new RegExp(`\\.(${drawing}-[\\w-]+)`, 'g'), (_match, name: string) => `.${rename(name)}`));
}

/** Height of one row of a chart's legend, in px. */
const LEGEND_ROW = 22;

/** Rows that items of these widths fill, laid out left to right within `width`. */
function rowsOf(widths: readonly number[], width: number): number {
  let rows = 1;
  let used = 0;
  for (const item of widths) {
    if (used > 0 && used + item > width) (rows++, (used = 0));
    used += item;
  }
  return rows;
}

/** A chart's note where its data would be, when it has none (a blank chart looks broken). */
const note = (text: string) => ({ graphic: { type: 'text', left: 'center', top: 'middle', style: { text, fill: '#666', fontSize: 14 } } });
