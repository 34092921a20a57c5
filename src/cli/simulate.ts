/**
 * `echelon simulate <design.ts> [--compare other.ts]`: runs the design's organisation under its
 * workload on a simulated clock and prints the report (or JSON); `--html` writes the page,
 * `--png` the charts. With `--compare`, the other design runs the first one's workload, people and seed (with its own agent models, if it has any).
 */
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { EchelonError, refusalAt } from '../errors.js';
import { requireECharts } from '../simulate/charts.js';
import { renderReportHtml, requireResvg, writeChartPngs, type SimulatedDesign } from '../simulate/html.js';
import type { SimulationReport } from '../simulate/report.js';
import { simulate } from '../simulate/simulate.js';
import { loadDesign } from './design.js';
import { formatComparison, formatReport } from './simulate-format.js';

export interface SimulateCommandOptions {
  readonly file: string;
  readonly compare?: string;
  readonly seed?: number;
  readonly json: boolean;
  readonly html?: string;
  readonly png?: string;
  readonly out: (line: string) => void;
}

export async function simulateCommand(options: SimulateCommandOptions): Promise<number> {
  // Everything is checked before a simulation is spent, and nothing is made until the end: where
  // the page and the charts go, both designs, and the peers that draw them.
  if (options.html !== undefined) writing('--html', options.html, () => checkFileTarget(options.html!));
  if (options.png !== undefined) writing('--png', options.png, () => checkDirectoryTarget(options.png!));
  const first = await loadDesign(options.file);
  const simulation = first.design.simulation;
  if (simulation === undefined) {
    throw new EchelonError('invalid_option', `${options.file} has no simulation: export const design = defineDesign({ organisation, simulation: { workload, agents } }) (see “Designing an organisation” in echelon's README.md).`);
  }
  const loaded = [[options.file, first], ...(options.compare === undefined ? [] : [[options.compare, await loadDesign(options.compare)] as const])] as const;
  if (options.html !== undefined || options.png !== undefined) await requireECharts();
  if (options.png !== undefined) await requireResvg();
  const seed = options.seed ?? simulation.seed ?? 1;
  const designs: SimulatedDesign[] = [];
  for (const [file, { design }] of loaded) {
    // The same workload, people and seed; each design's own agent models where it has them (its agents may differ).
    const agents = design.simulation?.agents ?? simulation.agents;
    const report: SimulationReport = await simulate({ ...simulation, ...(agents === undefined ? {} : { agents }), organisation: design.organisation, seed }).catch((error: unknown) => {
      if (file === options.file || !(error instanceof EchelonError)) throw error;
      // What it ran with is the first design's, where it has nothing of its own: say so, or an id of the first design reads as a mistake in this one.
      const borrowed = [...(design.simulation?.agents === undefined ? ['agent models'] : []), 'workload', 'people'].join(', ');
      throw refusalAt(`--compare ${file}, run with ${options.file}'s ${borrowed}`, error);
    });
    designs.push({ name: file, report, hierarchy: design.organisation.hierarchy });
  }
  if (options.json) options.out(JSON.stringify(designs.length === 1 ? designs[0]!.report : Object.fromEntries(designs.map((design) => [design.name, design.report])), null, 2));
  else {
    options.out((designs.length === 1 ? formatReport(designs[0]!.name, designs[0]!.report) : formatComparison(designs)).join('\n'));
    // A scenario's strategies, policies and executors are inside its organisation function: what ran was its hierarchy on default rules.
    for (const [file, { hierarchyOnly }] of loaded) {
      if (hierarchyOnly) options.out(`(${file} is a scenario: only its hierarchy was simulated, with the default strategies and policies; export a \`design\` to compare its own.)`);
    }
  }
  if (options.html !== undefined) {
    const page = await renderReportHtml(designs);
    writing('--html', options.html, () => writeFileSync(options.html!, page));
    if (!options.json) options.out(`report: ${options.html}`);
  }
  if (options.png !== undefined) {
    for (const [index, design] of designs.entries()) {
      // writeChartPngs makes the directory.
      const files = await writing('--png', options.png, () => writeChartPngs(design.report, design.hierarchy, options.png!, designs.length === 1 ? 'simulation' : `simulation-${index + 1}`));
      if (!options.json) options.out(`charts: ${files.join(', ')}`);
    }
  }
  return 0;
}

/** A file can be written at `file`: its directory exists, it is not a directory itself, and it opens for writing (nothing is left behind). */
function checkFileTarget(file: string): void {
  const directory = dirname(file);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) throw new Error(`no such directory: ${directory}`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new Error('it is a directory');
  // Permissions alone do not say it (root passes every check; /proc refuses root): open it, appending nothing.
  const existed = existsSync(file);
  closeSync(openSync(file, 'a'));
  if (!existed) rmSync(file);
}

/** A directory can be made (or written) at `directory`: it is one, or the nearest part of its path that exists is a directory we can make one in. */
function checkDirectoryTarget(directory: string): void {
  let existing = resolve(directory);
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) throw new Error(existing === resolve(directory) ? 'it is not a directory' : `${existing} is not a directory`);
  rmSync(mkdtempSync(join(existing, '.echelon-probe-')), { recursive: true });
}

/** Runs a write to a path the user gave; what stops it is theirs to fix, said in one line (`invalid_option`). */
function writing<T>(flag: string, path: string, write: () => T): T {
  // An EchelonError (a missing optional peer that draws the charts) says what it is itself.
  const refuse = (error: unknown) => (error instanceof EchelonError ? error : new EchelonError('invalid_option', `${flag} ${path}: cannot write there (${error instanceof Error ? error.message : String(error)}).`, { cause: error }));
  try {
    const written = write();
    return (written instanceof Promise ? written.catch((error: unknown) => Promise.reject(refuse(error))) : written) as T;
  } catch (error) {
    throw refuse(error);
  }
}
