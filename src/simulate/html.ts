/**
 * The report as one self-contained HTML page — inline SVG charts, inline styles, no script, no
 * CDN, so it opens offline and can be attached to a review — and the charts as PNG files for the
 * terminal user (rendered from the same SVG by resvg, an optional peer).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { importPeer } from '../peers.js';
import { EchelonError } from '../errors.js';
import { shownEscaped } from '../show.js';
import { checkReportOf, drawCharts, drawChartsWithIds, type ReportCharts } from './charts.js';
import type { SimulationReport } from './report.js';

/** One simulated design: a name for the page, its report, and the hierarchy it ran. */
export interface SimulatedDesign {
  readonly name: string;
  readonly report: SimulationReport;
  readonly hierarchy: Hierarchy;
}

/** Text for the page: markup characters as entities, and what a screen would obey (a bidi override) as its `\u202e`-style escape. */
const escape = (text: string) => shownEscaped(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (share: number) => `${(share * 100).toFixed(0)} %`;
/** Rows of a page's agent table at most. */
const AGENT_ROWS = 500;

/**
 * The page for one design, or two side by side (`--compare`), with the same workload.
 *
 * @example
 * ```ts
 * writeFileSync('report.html', await renderReportHtml([{ name: 'dev team', report, hierarchy: developmentTeam() }]));
 * ```
 */
export async function renderReportHtml(designs: readonly SimulatedDesign[]): Promise<string> {
  if (!Array.isArray(designs) || designs.length === 0) throw new EchelonError('invalid_option', 'renderReportHtml needs one design or more: [{ name, report, hierarchy }].');
  designs.forEach((design, index) => {
    if (typeof design?.name !== 'string') throw new EchelonError('invalid_option', `renderReportHtml: designs[${index}] needs a name (a string), a report and the hierarchy it simulated.`);
    checkReportOf(design.report, design.hierarchy, `renderReportHtml: designs[${index}] (${design.name})`);
  });
  const columns = await Promise.all(designs.map(async (design, index) => column(design, await drawChartsWithIds(design.report, design.hierarchy, { width: designs.length > 1 ? 620 : 900, height: 340 }, `echelon-${index + 1}`))));
  const title = designs.map((design) => design.name).join(' vs ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>echelon simulation: ${escape(title)}</title>
<style>
body { font-family: system-ui, 'DejaVu Sans', sans-serif; margin: 24px; color: #222; }
.designs { display: grid; grid-template-columns: repeat(${designs.length}, minmax(0, 1fr)); gap: 24px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.chart { margin: 12px 0; } .chart svg { max-width: 100%; height: auto; }
.bottleneck { color: #b71c1c; }
</style></head>
<body><h1>echelon simulation: ${escape(title)}</h1>
<div class="designs">${columns.join('\n')}</div>
</body></html>
`;
}

function column({ name, report }: SimulatedDesign, charts: ReportCharts): string {
  const t = report.tasks;
  // A page lists 500 agents at most: the busiest, first (the hierarchy's order would keep its first 500, busy or not).
  const listed = report.agents.length <= AGENT_ROWS ? report.agents : [...report.agents].sort((a, b) => b.utilisation - a.utilisation).slice(0, AGENT_ROWS);
  const rows = (cells: readonly (readonly string[])[]) => cells.map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  return `<section data-design="${escape(name)}"><h2>${escape(name)}</h2>
<p>Seed ${report.seed}; ${s(report.simulatedMs)} simulated. ${t.submitted} tasks: ${t.completed} completed, ${t.failed} failed, ${t.rejected} rejected, ${t.cancelled} cancelled.
Escalations ${report.escalations.raised} (${report.escalations.perTask.toFixed(2)} per task); approvals ${report.approvals.requested} (mean wait ${s(report.approvals.meanWaitMs)}); rejection rate ${pct(report.rejectionRate)}; cost ${report.cost.total.toFixed(0)} (${report.cost.perTask.toFixed(1)} per task).</p>
${t.notCompleted.length === 0 ? '' : `<h3>Not completed</h3><ul class="not-completed">${t.notCompleted.map((why) => `<li><b>${why.count} ${escape(why.code)}</b>, e.g. ${escape(why.example)}</li>`).join('')}</ul>`}
<h3>Bottlenecks</h3>
${report.bottlenecks.length === 0 ? '<p>None: no agent is busy 80 % of the time or keeps a queue.</p>' : `<ul>${report.bottlenecks.map((b) => `<li class="bottleneck"><b>${escape(b.agent)}</b>: ${escape(b.reason)}</li>`).join('')}</ul>`}
<div class="chart" data-chart="org">${charts.orgChart}</div>
<div class="chart" data-chart="queues">${charts.queues}</div>
<div class="chart" data-chart="latency">${charts.latency}</div>
<div class="chart" data-chart="spent">${charts.spent}</div>
<h3>Task types</h3>
<table><tr><th>type</th><th>submitted</th><th>completed</th><th>p50</th><th>p95</th><th>p99</th><th>queued</th><th>executing</th><th>approval</th><th>escalated</th><th>cost</th></tr>
${rows(report.byType.map((x) => [escape(x.type), `${x.submitted}`, `${x.completed}`, s(x.latency.p50), s(x.latency.p95), s(x.latency.p99), s(x.spent.queued), s(x.spent.executing), s(x.spent.awaitingApproval), s(x.spent.escalated), x.meanCost.toFixed(0)]))}</table>
<h3>Agents</h3>
${listed.length < report.agents.length ? `<p>The ${listed.length} busiest of ${report.agents.length} agents.</p>\n` : ''}<table><tr><th>agent</th><th>role</th><th>executions</th><th>utilisation</th><th>mean queue</th><th>max queue</th><th>mean wait</th><th>states</th></tr>
${rows(listed.map((a) => [escape(a.id), a.role, `${a.executions}`, pct(a.utilisation), a.meanQueue.toFixed(2), `${a.maxQueue}`, s(a.meanWaitMs), escape(Object.entries(a.states).map(([state, share]) => `${state} ${pct(share)}`).join(', '))]))}</table>
</section>`;
}

/**
 * Writes the charts of a report as PNG files into `directory` (made if it is not there: `<prefix>-queues.png` …); returns their paths.
 *
 * @example
 * ```ts
 * await writeChartPngs(report, developmentTeam(), 'out'); // ['out/simulation-org.png', …]
 * ```
 */
export async function writeChartPngs(report: SimulationReport, hierarchy: Hierarchy, directory: string, prefix = 'simulation'): Promise<string[]> {
  const { Resvg } = await loadResvg();
  const charts = await drawCharts(report, hierarchy);
  mkdirSync(directory, { recursive: true });
  const files: string[] = [];
  for (const [name, svg] of [['org', charts.orgChart], ['queues', charts.queues], ['latency', charts.latency], ['spent', charts.spent]] as const) {
    const file = join(directory, `${prefix}-${name}.png`);
    writeFileSync(file, new Resvg(svg, { background: '#ffffff', font: { loadSystemFonts: true } }).render().asPng());
    files.push(file);
  }
  return files;
}

/** resvg, which makes the charts PNG, or `missing_dependency` saying to install it. */
async function loadResvg(): Promise<typeof import('@resvg/resvg-js')> {
  return (await importPeer('@resvg/resvg-js', '@resvg/resvg-js', 'PNG charts of the simulation report (echelon/simulate)')) as typeof import('@resvg/resvg-js');
}

/** Refuses with `missing_dependency` when resvg is not installed (for a caller that checks before it simulates); like requireECharts, its type names no peer. */
export async function requireResvg(): Promise<void> {
  await loadResvg();
}
