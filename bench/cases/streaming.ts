/**
 * What streaming costs, measured in one process with the variants alternated run by run (the
 * machine is shared: separate processes at separate times would compare the load, not the code).
 * The same development-team workload runs through plain echelon and through echelon whose
 * executors report PROGRESS_PER_TASK progress events per task — heard by nobody, by one listener
 * (`org.onProgress`), and with every task followed by its own stream (`org.stream`). Each run
 * records tasks per second and CPU time per task; the first system of each run rotates.
 */
import { developmentTeam } from '../../src/index.js';
import { SYSTEMS, type SystemKey } from '../systems/index.js';
import { PROGRESS_PER_TASK } from '../systems/streaming.js';
import { summarize, type Summary } from '../stats.js';
import { pump, taskMix } from '../workload.js';
import { collectGarbage } from './heap.js';

/** The variants, plain echelon first (what the others are compared with). */
export const STREAMING_VARIANTS = ['echelon', 'echelon-progress', 'echelon-progress-watched', 'echelon-stream'] as const satisfies readonly SystemKey[];

export interface StreamingJob {
  readonly inFlight: number;
  readonly count: number;
  readonly warmup: number;
  readonly runs: number;
}

export interface StreamingResult {
  readonly progressPerTask: number;
  /** Per variant, one figure per run. */
  readonly tasksPerSecond: Readonly<Record<string, readonly number[]>>;
  readonly cpuMicrosPerTask: Readonly<Record<string, readonly number[]>>;
}

export async function measureStreaming(job: StreamingJob): Promise<StreamingResult> {
  const hierarchy = developmentTeam();
  const typeAt = taskMix(hierarchy);
  const systems = STREAMING_VARIANTS.map((key) => ({ key, system: SYSTEMS[key]({ hierarchy, inFlight: job.inFlight }) }));
  const tasksPerSecond: Record<string, number[]> = {};
  const cpuMicrosPerTask: Record<string, number[]> = {};
  try {
    for (const { system } of systems) await pump(system, { count: job.warmup, typeAt, inFlight: job.inFlight });
    for (let run = 0; run < job.runs; run++) {
      for (let turn = 0; turn < systems.length; turn++) {
        const { key, system } = systems[(run + turn) % systems.length]!;
        collectGarbage();
        const before = process.cpuUsage();
        const { ms, completed } = await pump(system, { count: job.count, typeAt, inFlight: job.inFlight });
        const cpu = process.cpuUsage(before);
        (tasksPerSecond[key] ??= []).push((completed / ms) * 1000);
        (cpuMicrosPerTask[key] ??= []).push((cpu.user + cpu.system) / completed);
      }
    }
    return { progressPerTask: PROGRESS_PER_TASK, tasksPerSecond, cpuMicrosPerTask };
  } finally {
    for (const { system } of systems) await system.stop();
  }
}

/** What streaming costs, per variant: tasks/s, CPU per task and its ratio to plain echelon's, progress events/s (medians over runs). */
export interface StreamingCost {
  readonly inFlight: number;
  readonly progressPerTask: number;
  readonly variants: Readonly<Record<string, { readonly tasksPerSecond: Summary; readonly cpuMicrosPerTask: Summary; readonly cpuRatio: number; readonly progressPerSecond: number }>>;
}

export function streamingCost(job: StreamingJob, result: StreamingResult): StreamingCost {
  const plain = summarize(result.cpuMicrosPerTask.echelon ?? []).median;
  const variants = Object.fromEntries(
    Object.keys(result.tasksPerSecond).map((system) => {
      const tasksPerSecond = summarize(result.tasksPerSecond[system]!);
      const cpuMicrosPerTask = summarize(result.cpuMicrosPerTask[system]!);
      const progressPerSecond = system === 'echelon' ? 0 : tasksPerSecond.median * result.progressPerTask;
      return [system, { tasksPerSecond, cpuMicrosPerTask, cpuRatio: cpuMicrosPerTask.median / plain, progressPerSecond }];
    }),
  );
  return { inFlight: job.inFlight, progressPerTask: result.progressPerTask, variants };
}
