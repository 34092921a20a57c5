/**
 * `echelon/simulate`: design an organisation before running it — static checks
 * (`checkOrganisation`), a seeded simulation of the real organisation on a simulated clock
 * (`simulate`, `compareSimulations`), and its report as charts and a self-contained HTML page.
 *
 * @module
 */
export { checkOrganisation } from '../check/index.js';
export type { CheckOptions, CheckReport, Finding, FindingCode, OrganisationOptions, Severity } from '../check/index.js';
export { simulate, type SimulationOptions } from './simulate.js';
export { latency, latencyFromJournal, type AgentModel, type LatencyModel, type PersonModel } from './models.js';
export { mulberry32, type Random } from './random.js';
export type { Arrival, Workload } from './workload.js';
export type { AgentReport, Bottleneck, LatencySummary, OtherQueues, QueueSeries, SimulationReport, TaskTypeReport, TimeSpent } from './report.js';
export { drawCharts, type ReportCharts } from './charts.js';
export { renderReportHtml, writeChartPngs, type SimulatedDesign } from './html.js';
export { defineDesign, type Design } from './design.js';
