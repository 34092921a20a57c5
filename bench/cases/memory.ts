/**
 * Memory over time: one organisation completes a long stream of tasks (the development-team
 * mix, `inFlight` at a time) and the heap is read after full garbage collections at
 * checkpoints. Flat readings mean no per-task leak: finished task actors are stopped and the
 * books keep a bounded number of finished outcomes.
 */
import { developmentTeam } from '../../src/index.js';
import { SYSTEMS, type SystemKey } from '../systems/index.js';
import { pump, taskMix } from '../workload.js';
import { heapUsed } from './heap.js';

export interface MemoryJob {
  readonly system: SystemKey;
  /** Completed-task counts at which the heap is read; the last is the total. Multiples of `every`. */
  readonly checkpoints: readonly number[];
  /** How often the pump pauses to see whether a checkpoint is due. */
  readonly every: number;
  readonly inFlight: number;
}

export interface MemoryResult {
  /** Heap before the first task, in bytes. */
  readonly startBytes: number;
  readonly readings: ReadonlyArray<{ readonly tasks: number; readonly heapBytes: number; readonly elapsedMs: number }>;
}

export async function measureMemory(job: MemoryJob): Promise<MemoryResult> {
  const hierarchy = developmentTeam();
  const system = SYSTEMS[job.system]({ hierarchy, inFlight: job.inFlight });
  const wanted = new Set(job.checkpoints);
  const readings: Array<{ tasks: number; heapBytes: number; elapsedMs: number }> = [];
  const startBytes = heapUsed();
  const started = performance.now();
  try {
    await pump(system, {
      count: Math.max(...job.checkpoints),
      typeAt: taskMix(hierarchy),
      inFlight: job.inFlight,
      checkpoint: {
        every: job.every,
        at: (completed) => {
          if (wanted.has(completed)) readings.push({ tasks: completed, heapBytes: heapUsed(), elapsedMs: performance.now() - started });
        },
      },
    });
    return { startBytes, readings };
  } finally {
    await system.stop();
  }
}
