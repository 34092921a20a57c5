/**
 * `echelon step <scenario>` and `echelon run <scenario>`: the scenario under a step clock, one
 * message at a time (on a key, on a pace, or N steps) or straight through, with the same trace.
 */
import { formatStep, formatTree, formatWait } from './format.js';
import { immediately, keypresses, paced, stoppable, type Trigger } from './keys.js';
import { loadScenario, scenarioFailure } from './load.js';
import { createStepper, type ScenarioStep, type Stepper, type StepperWait } from '../scenario/stepper.js';

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
  const { out, signal } = options;
  const scenario = await loadScenario(options.file);
  out(`scenario ${options.file}: ${scenario.description}`);
  const pacing: Trigger =
    options.autoMs !== undefined ? paced(options.autoMs) : options.mode === 'run' || options.steps !== undefined ? immediately : keypresses(options.input);
  try {
    // While a step waits no key is asked for: q and Ctrl-C (a key in a terminal's raw mode) stop it through onQuit.
    const stop = pacing.onQuit === undefined ? 'Ctrl-C' : 'q or Ctrl-C';
    const narration: string[] = [];
    const state = { waiting: false };
    const onWaiting = (wait: StepperWait) => {
      state.waiting = true;
      out(formatWait(wait, stop));
    };
    const stepper = await createStepper(scenario, { log: (line) => narration.push(line), onWaiting });
    let quit = false;
    // Closing wakes a step that waits for an executor: it answers undefined.
    const abort = () => {
      quit = true;
      void stepper.close();
    };
    signal?.addEventListener('abort', abort, { once: true });
    if (signal?.aborted) abort();
    // Ctrl-C stops at once; q and Esc take their turn after keys typed ahead, but not behind a step that waits (its notice said q).
    pacing.onQuit?.((interrupt) => void ((interrupt || state.waiting) && abort()));
    try {
      if (pacing !== immediately && options.autoMs === undefined) out('(press a key for the next message; q to quit)');
      return await steps(stepper, stoppable(pacing, signal), options, () => quit, narration, state);
    } finally {
      signal?.removeEventListener('abort', abort);
      await stepper.close();
    }
  } finally {
    pacing.close();
  }
}

/** Steps until the scenario is over, the steps are done or the person quits; prints each step, then the status. */
async function steps(stepper: Stepper, trigger: Trigger, options: StepCommandOptions, quit: () => boolean, narration: string[], state: { waiting: boolean }): Promise<number> {
  const { out } = options;
  const { hierarchy } = stepper.org;
  const print = (step: ScenarioStep) => {
    for (const line of formatStep(step, hierarchy, { tree: options.tree, narration: narration.splice(0) })) out(line);
  };
  let last = stepper.start;
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
    const step = await stepper.step().catch((error: unknown) => Promise.reject(scenarioFailure(error, options.file)));
    state.waiting = false;
    if (quit()) {
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
}
