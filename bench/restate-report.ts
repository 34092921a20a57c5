/**
 * The Restate part of the report: throughput and latency by number of service processes, the CPU
 * each process spent per task (the profile of where the time goes), the per-message restore
 * cost, echelon beside the floor (restate-floor-report.ts), and the aim (≥ 200 tasks/s on
 * the development team, growing with processes).
 */
import { cpus } from 'node:os';
import type { RestateJob, RestateResult } from './cases/restate.js';
import type { RestateFloorJob, RestateFloorResult } from './cases/restate-floor.js';
import { floorMeasured, floorSection, formatFloor, type FloorSection, type FloorSkipped } from './restate-floor-report.js';
import type { RestoreJob, RestoreResult } from './cases/restore.js';
import { summarize, type Summary } from './stats.js';

export interface RestateSection {
  /** By number of service processes; `skipped` says why there are no figures. */
  readonly runs: Readonly<Record<string, RestateResult & { readonly inFlight: number; readonly count: number }>>;
  readonly restore?: { readonly parked: number; readonly microseconds: Readonly<Record<string, Summary>>; readonly stateBytes: Readonly<Record<string, number>> };
  /** echelon beside the floor on one server, and what one invocation costs it. */
  readonly floor?: FloorSection | FloorSkipped;
}

type Entry = { readonly job: { readonly case: string }; readonly result: unknown };

export function restateSection(measured: readonly Entry[]): RestateSection | undefined {
  const runs: Record<string, RestateSection['runs'][string]> = {};
  for (const { job, result } of measured) {
    if (job.case !== 'restate') continue;
    const restate = job as unknown as RestateJob;
    runs[String(restate.processes)] = { ...(result as RestateResult), inFlight: restate.inFlight, count: restate.count };
  }
  const restoreEntry = measured.find((entry) => entry.job.case === 'restore');
  const restore =
    restoreEntry === undefined
      ? undefined
      : (() => {
          const result = restoreEntry.result as RestoreResult;
          return { parked: (restoreEntry.job as unknown as RestoreJob).parked, microseconds: Object.fromEntries(Object.entries(result.microseconds).map(([name, values]) => [name, summarize(values)])), stateBytes: result.stateBytes };
        })();
  const floorEntry = measured.find((entry) => entry.job.case === 'restate-floor');
  const floor = floorEntry === undefined ? undefined : floorSection(floorEntry.job as unknown as RestateFloorJob, floorEntry.result as RestateFloorResult, cpus().length);
  if (Object.keys(runs).length === 0 && restore === undefined && floor === undefined) return undefined;
  return { runs, ...(restore === undefined ? {} : { restore }), ...(floor === undefined ? {} : { floor }) };
}

/** The aim, judged on the best placement, and whether more processes gave more throughput. */
export function restateTargets(section: RestateSection | undefined): Array<{ name: string; goal: string; measured: string; met: boolean | undefined }> {
  const measured = Object.entries(section?.runs ?? {}).filter(([, run]) => run.skipped === undefined && run.tasksPerSecond.length > 0);
  const floor = section?.floor;
  if (measured.length === 0 && floorMeasured(floor)) {
    // Only the floor job ran: judge the aim on echelon's figure beside it.
    const { echelon } = floor.systems;
    return [{ name: 'Restate throughput, development team (beside the floor)', goal: '≥ 200 tasks/s', measured: `${echelon.tasksPerSecond.toFixed(1)} tasks/s (the floor: ${floor.systems.floor.tasksPerSecond.toFixed(1)})`, met: echelon.tasksPerSecond >= 200 }];
  }
  if (measured.length === 0) return [];
  const tps = Object.fromEntries(measured.map(([processes, run]) => [processes, run.tasksPerSecond[0]!]));
  const best = Math.max(...Object.values(tps));
  const beside = floorMeasured(floor) ? ` (the floor, the SDK alone: ${floor.systems.floor.tasksPerSecond.toFixed(1)})` : '';
  const targets = [{ name: 'Restate throughput, development team', goal: '≥ 200 tasks/s', measured: `${best.toFixed(1)} tasks/s${beside}`, met: best >= 200 }];
  if (tps['1'] !== undefined && tps['3'] !== undefined) targets.push({ name: 'Restate: grows with service processes', goal: '3 processes > 1', measured: `${(tps['3'] / tps['1']).toFixed(2)}× (3 ÷ 1)`, met: tps['3'] > tps['1'] });
  return targets;
}

export function formatRestate(section: RestateSection | undefined, grid: (head: string[], rows: string[][]) => string): string[] {
  if (section === undefined) return [];
  const out: string[] = [];
  const runs = Object.entries(section.runs);
  if (runs.length > 0) {
    const first = runs[0]![1];
    out.push('', `8. On Restate: development team on a real restate-server, ${first.count} mixed tasks, ${first.inFlight} in flight (one run); latency one in flight; CPU ms per task by process`);
    out.push(
      grid(
        ['service processes', 'tasks/s', 'p50 ms', 'p99 ms', 'CPU ms per task'],
        runs.map(([processes, run]) =>
          run.skipped !== undefined
            ? [processes, 'skipped', '', '', run.skipped.split(':')[0]!]
            : [processes, run.tasksPerSecond[0]!.toFixed(1), run.p50Ms!.toFixed(0), run.p99Ms!.toFixed(0), Object.entries(run.cpuMsPerTask ?? {}).map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')],
        ),
      ),
    );
  }
  if (section.restore !== undefined) {
    out.push('', `9. Restate per-message restore (object state from JSON → agent chart resumed), µs, median [min–max] of 3 runs`);
    out.push(grid(['agent', 'µs', 'state'], Object.entries(section.restore.microseconds).map(([name, summary]) => [name, `${summary.median.toFixed(0)} [${summary.min.toFixed(0)}–${summary.max.toFixed(0)}]`, `${(section.restore!.stateBytes[name]! / 1024).toFixed(1)} KB`])));
  }
  out.push(...formatFloor(section.floor, grid));
  return out;
}
