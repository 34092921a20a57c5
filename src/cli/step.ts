/**
 * `echelon step <scenario>` and `echelon run <scenario>`: the scenario under a step clock, one
 * message at a time (on a key, on a pace, or N steps) or straight through, with the same trace.
 */
import { formatStep, formatTree } from './format.js';
import { immediately, keypresses, paced, stoppable, type Trigger } from './keys.js';
import { loadScenario } from './load.js';
import { createStepper, type ScenarioStep } from '../scenario/stepper.js';

export interface StepCommandOptions {
  readonly file: string;
  /** `run`: straight through; `step`: wait for a key (unless `autoMs` or `steps` says otherwise). */
  readonly mode: 'run' | 'step';
  readonly autoMs?: number;
  /** Stop after this many steps. */
  readonly steps?: number;
  /** Print the org chart after every step (default), or only at the end. */
  readonly tree: boolean;
  readonly out: (line: string) => void;
  readonly input: NodeJS.ReadStream;
  /** Aborts the run (stdout closed): the organisation is stopped, and the command resolves. */
  readonly signal?: AbortSignal;
}

/** Runs the command; resolves with the process exit code. */
export async function stepCommand(options: StepCommandOptions): Promise<number> {
  const { out } = options;
  const scenario = await loadScenario(options.file);
  out(`scenario ${options.file}: ${scenario.description}`);
  const narration: string[] = [];
  const stepper = await createStepper(scenario, { log: (line) => narration.push(line) });
  const print = (step: ScenarioStep) => {
    for (const line of formatStep(step, hierarchy, { tree: options.tree, narration: narration.splice(0) })) out(line);
  };
  const { hierarchy } = stepper.org;
  const { signal } = options;
  // Closing wakes a step that waits for an executor: it answers undefined.
  const abort = () => void stepper.close();
  signal?.addEventListener('abort', abort, { once: true });
  if (signal?.aborted) abort();
  const pacing: Trigger =
    options.autoMs !== undefined ? paced(options.autoMs) : options.mode === 'run' || options.steps !== undefined ? immediately : keypresses(options.input);
  if (pacing !== immediately && options.autoMs === undefined) out('(press a key for the next message; q to quit)');
  const trigger = stoppable(pacing, signal);
  let last = stepper.start;
  try {
    print(stepper.start);
    for (let count = 0; ; count++) {
      if (options.steps !== undefined && count >= options.steps) {
        out(`── stopped after ${count} step${count === 1 ? '' : 's'}`);
        break;
      }
      if (!(await trigger.next())) {
        out('── stopped');
        break;
      }
      const step = await stepper.step();
      if (signal?.aborted) {
        out('── stopped');
        break;
      }
      if (step === undefined) {
        out(`── the scenario is over after ${count} step${count === 1 ? '' : 's'} (t=${stepper.clock.now()} ms)`);
        break;
      }
      last = step;
      print(step);
    }
    if (!options.tree && last.agents.length > 0) for (const line of formatTree(hierarchy, last.agents)) out(line);
    const status = stepper.org.status();
    out(`status: ${status.activeTasks} active tasks, ${status.pendingApprovals} pending approvals, ${status.activeEscalations} active escalations`);
    return 0;
  } finally {
    signal?.removeEventListener('abort', abort);
    trigger.close();
    await stepper.close();
  }
}
