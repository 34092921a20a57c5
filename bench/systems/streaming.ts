/**
 * What streaming costs: echelon with executors that report progress (PROGRESS_PER_TASK events per
 * task) and nobody listening, the same with a listener for every task's progress
 * (`org.onProgress`), and with every task followed from submission by its own stream
 * (`org.stream(task)`, read to its end: its progress and its lifecycle events).
 */
import { benchOrchestrator, system } from './echelon.js';
import type { SystemFactory } from './types.js';

/** Progress events each task's executor reports: a short streamed answer's worth of deltas. */
export const PROGRESS_PER_TASK = 10;

/** Progress reported, nobody listening. */
export const echelonProgress: SystemFactory = (options) => system('echelon + progress, unheard', benchOrchestrator({ ...options, progress: PROGRESS_PER_TASK }));

/** Progress reported, one listener hearing all of it. */
export const echelonProgressWatched: SystemFactory = (options) => {
  const org = benchOrchestrator({ ...options, progress: PROGRESS_PER_TASK });
  let heard = 0;
  org.onProgress(() => void (heard += 1));
  return system('echelon + progress, one listener', org);
};

/** Progress reported, every task followed by its own stream from submission, read to the end. */
export const echelonStreamed: SystemFactory = (options) => {
  const org = benchOrchestrator({ ...options, progress: PROGRESS_PER_TASK });
  return system('echelon + org.stream per task', org, undefined, async (type) => {
    const stream = org.stream({ type });
    for await (const _event of stream);
    return stream.outcome;
  });
};
