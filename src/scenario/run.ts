/**
 * Running a scenario on its own, in real time: what `tsx examples/<name>.ts` does when the file
 * is the program being run (and not imported by `echelon step`, `run` or `view`).
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildOrganisation, scenarioProblem, type Scenario, type ScenarioContext, type ScenarioHost } from './define.js';
import { EchelonError } from '../errors.js';
import { processClock } from '../long-timer.js';
import { shownEscaped } from '../show.js';
import { sleepOn } from './step-clock.js';

/** The real clock, as a scenario host's clock. */
export const realClock: ScenarioHost['clock'] = {
  ...processClock,
  now: () => Date.now(),
};

/** A scenario context in real time: `sleep` really waits; `log` prints to the console, each character a terminal would obey shown as its escape (as the CLI prints). */
export function realTimeContext(log: (line: string) => void = (line) => console.log(shownEscaped(line))): ScenarioContext {
  return { log, sleep: (ms, signal) => sleepOn(realClock, ms, signal), waitsForPeople: false };
}

/**
 * Builds the scenario's organisation on the real clock, runs it and stops the organisation once
 * `run` resolves.
 *
 * @example
 * ```ts
 * const scenario = defineScenario({ … });
 * export default scenario;
 * if (isMainModule(import.meta.url)) await runScenario(scenario);
 * ```
 */
export async function runScenario(scenario: Scenario, options: { readonly log?: (line: string) => void } = {}): Promise<void> {
  const problem = scenarioProblem(scenario);
  if (problem !== undefined) throw new EchelonError('invalid_scenario', problem);
  const context = realTimeContext(options.log);
  const org = buildOrganisation(scenario, { clock: realClock }, context);
  try {
    await scenario.run(org, context);
  } finally {
    await org.stop();
  }
}

/**
 * True when the module with this `import.meta.url` is the program Node (or tsx) was asked to run.
 *
 * @example
 * ```ts
 * if (isMainModule(import.meta.url)) await runScenario(scenario);
 * ```
 */
export function isMainModule(moduleUrl: string): boolean {
  const main = process.argv[1];
  if (main === undefined) return false;
  try {
    return realpathSync(main) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}
