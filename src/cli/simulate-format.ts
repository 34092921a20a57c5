/** The simulation report as terminal text: one design, or two side by side. */
import type { SimulatedDesign } from '../simulate/html.js';
import type { SimulationReport } from '../simulate/report.js';
import { terminalText } from './output.js';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const pct = (share: number) => `${(share * 100).toFixed(0)} %`;
const table = (given: readonly (readonly string[])[]) => {
  // Cells escaped as the terminal shows them before the columns are measured.
  const rows = given.map((row) => row.map(terminalText));
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`);
};

export function formatReport(name: string, report: SimulationReport): string[] {
  const t = report.tasks;
  return [
    `echelon simulate: ${name} — seed ${report.seed}, ${s(report.simulatedMs)} simulated`,
    `  ${t.submitted} tasks: ${t.completed} completed, ${t.failed} failed, ${t.rejected} rejected, ${t.cancelled} cancelled; ${report.escalations.raised} escalations (${report.escalations.perTask.toFixed(2)} per task); ${report.approvals.requested} approvals (mean wait ${s(report.approvals.meanWaitMs)}); cost ${report.cost.total.toFixed(0)}`,
    ...notCompleted(report),
    '',
    'Bottlenecks',
    ...(report.bottlenecks.length === 0 ? ['  none: no agent is busy 80 % of the time or keeps a queue'] : report.bottlenecks.map((b) => `  ${b.agent}: ${b.reason}`)),
    '',
    'Task types (latency, and the mean time per task spent queued / executing / awaiting approval / escalated)',
    ...table([
      ['type', 'tasks', 'p50', 'p95', 'p99', 'queued', 'executing', 'approval', 'escalated', 'cost'],
      ...report.byType.map((x) => [x.type, `${x.submitted}`, s(x.latency.p50), s(x.latency.p95), s(x.latency.p99), s(x.spent.queued), s(x.spent.executing), s(x.spent.awaitingApproval), s(x.spent.escalated), x.meanCost.toFixed(0)]),
    ]),
    '',
    'Busiest agents',
    ...table([
      ['agent', 'executions', 'utilisation', 'mean queue', 'max queue', 'mean wait'],
      ...[...report.agents].sort((a, b) => b.utilisation - a.utilisation).slice(0, 10).map((a) => [a.id, `${a.executions}`, pct(a.utilisation), a.meanQueue.toFixed(2), `${a.maxQueue}`, s(a.meanWaitMs)]),
    ]),
  ];
}

/** Why tasks did not complete, the most frequent codes first, each with what one such task said. */
function notCompleted(report: SimulationReport): string[] {
  const { notCompleted: ended } = report.tasks;
  if (ended.length === 0) return [];
  const shown = ended.slice(0, NOT_COMPLETED_SHOWN).map((why) => `    ${why.count} ${why.code}, e.g. ${why.example}`);
  const rest = ended.length - shown.length;
  return ['  not completed:', ...shown, ...(rest > 0 ? [`    … and ${rest} other code${rest === 1 ? '' : 's'} (--json lists them all)`] : [])];
}

/** Codes of tasks that did not complete, listed in the terminal (the JSON has them all). */
const NOT_COMPLETED_SHOWN = 5;

/** Two (or more) designs on the same workload: one column each. */
export function formatComparison(designs: readonly SimulatedDesign[]): string[] {
  const row = (label: string, cell: (report: SimulationReport) => string) => [label, ...designs.map((design) => cell(design.report))];
  const types = [...new Set(designs.flatMap((design) => design.report.byType.map((type) => type.type)))];
  const typeRows = types.flatMap((type) => {
    const of = (report: SimulationReport) => report.byType.find((entry) => entry.type === type);
    return [row(`${type} p50`, (r) => s(of(r)?.latency.p50 ?? 0)), row(`${type} p99`, (r) => s(of(r)?.latency.p99 ?? 0))];
  });
  return [
    `echelon simulate: ${designs.map((design) => design.name).join(' vs ')} — the same workload, seed ${designs[0]!.report.seed}`,
    ...table([
      ['', ...designs.map((design) => design.name)],
      row('completed', (r) => `${r.tasks.completed} / ${r.tasks.submitted}`),
      row('most not completed', (r) => (r.tasks.notCompleted[0] === undefined ? '—' : `${r.tasks.notCompleted[0].count} ${r.tasks.notCompleted[0].code}`)),
      row('simulated time', (r) => s(r.simulatedMs)),
      row('escalations per task', (r) => r.escalations.perTask.toFixed(2)),
      row('rejection rate', (r) => pct(r.rejectionRate)),
      row('cost', (r) => r.cost.total.toFixed(0)),
      row('bottleneck', (r) => (r.bottlenecks[0] === undefined ? '—' : `${r.bottlenecks[0].agent} (${pct(r.bottlenecks[0].utilisation)})`)),
      ...typeRows,
    ]),
  ];
}
