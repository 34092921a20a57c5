/**
 * `echelon check [design.ts | scenario.ts]`: the static checks, as lines or JSON, with an exit
 * code for CI — 1 when there is an error (or, with `--strict`, a warning), else 0 (and 2, from the
 * bin, when the check cannot run: a file it cannot load, bad flags).
 */
import { checkOrganisation } from '../check/check.js';
import type { CheckReport } from '../check/types.js';
import { checkOptionsOf } from '../simulate/design.js';
import { loadDesign, referenceDesign } from './design.js';

export interface CheckCommandOptions {
  readonly file?: string;
  readonly json: boolean;
  readonly strict: boolean;
  readonly out: (line: string) => void;
}

export async function checkCommand(options: CheckCommandOptions): Promise<number> {
  const loaded = options.file === undefined ? { design: referenceDesign(), hierarchyOnly: false } : await loadDesign(options.file);
  const checked = checkOrganisation(checkOptionsOf(loaded.design));
  // With --strict a warning fails the check: what CI reads (ok, the mark) agrees with the exit code.
  const report = { ...checked, ok: checked.ok && !(options.strict && checked.counts.warning > 0) };
  if (options.json) options.out(JSON.stringify({ file: options.file ?? null, hierarchyOnly: loaded.hierarchyOnly, strict: options.strict, ...report }, null, 2));
  else options.out(formatCheck(report, options.file ?? 'the reference development team', loaded.hierarchyOnly, options.strict).join('\n'));
  return report.ok ? 0 : 1;
}

function formatCheck(report: CheckReport, what: string, hierarchyOnly: boolean, strict: boolean): string[] {
  const lines = [`echelon check: ${what} — ${report.taskTypes.length} task types`];
  if (hierarchyOnly) lines.push('  (a scenario: only its hierarchy is checked; export a `design` to check its executors, policies and workload)');
  for (const finding of report.findings) {
    const about = [finding.taskType === undefined ? undefined : `"${finding.taskType}"`, finding.agents.length === 0 ? undefined : finding.agents.join(', ')].filter(Boolean).join(' · ');
    lines.push(`  ${finding.severity.padEnd(7)} ${finding.code.padEnd(27)} ${finding.message}${about === '' ? '' : `  [${about}]`}`);
  }
  const { error, warning, note } = report.counts;
  lines.push(`${report.ok ? '✓' : '✗'} ${error} error(s), ${warning} warning(s), ${note} note(s)${strict ? ' (--strict: warnings fail)' : ''}`);
  return lines;
}
