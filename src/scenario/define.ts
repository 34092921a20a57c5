/**
 * The scenario format: a module whose default export builds an organisation and drives it.
 * The same file runs on its own (`tsx examples/dev-team.ts`), step by step (`echelon step`),
 * straight through with a trace (`echelon run`) and in the live view (`echelon view`): the
 * runner decides the clock and how messages travel, and hands them over as the `host` options.
 */
import { EchelonError } from '../errors.js';
import { readingCaller } from '../shape/index.js';
import { closest } from '../shape/suggest.js';
import type { Orchestrator, OrchestratorClock, OrchestratorOptions } from '../runtime/index.js';

/**
 * What the runner controls. Pass it on to `createOrchestrator` (`{ ...options, ...host }`):
 * when stepping it carries a step clock, `messageDelayMs: 0` and the stepper's inspector.
 */
export interface ScenarioHost {
  /** The clock every timer runs on. */
  readonly clock: OrchestratorClock & { now(): number };
  readonly messageDelayMs?: number;
  readonly inspect?: OrchestratorOptions['inspect'];
}

/** What `organisation` and `run` get besides the host options and the organisation. */
export interface ScenarioContext {
  /** Prints a line of the scenario's own narration (the runner may indent or prefix it). */
  log(line: string): void;
  /**
   * Resolves after `ms` on the scenario's clock: real time when the file runs on its own,
   * simulated when stepping. Executors that pretend to work should wait with this, passing
   * their abort signal so a timed-out or cancelled attempt stops waiting.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * True when people decide what the scenario leaves open (`echelon view`: approvals and
   * escalations wait for someone on the page). Otherwise the scenario decides them itself.
   */
  readonly waitsForPeople: boolean;
}

/** A runnable scenario: the default export of a file in `examples/`. */
export interface Scenario {
  /** One line: what the scenario shows. */
  readonly description: string;
  /** Builds the organisation; must pass `host` on to `createOrchestrator`. */
  organisation(host: ScenarioHost, context: ScenarioContext): Orchestrator;
  /** Drives it: submit tasks, decide approvals, resolve escalations, await outcomes. The scenario ends when this resolves. */
  run(org: Orchestrator, context: ScenarioContext): Promise<void> | void;
}

/**
 * Declares a scenario, checking its shape.
 *
 * @example
 * ```ts
 * export default defineScenario({
 *   description: 'An API design task travels from the CTO to the API specialist',
 *   organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', ...host }),
 *   async run(org, { log }) {
 *     const outcome = await org.submit({ type: 'api_design' });
 *     log(`${outcome.status} by ${outcome.executedBy}`);
 *   },
 * });
 * ```
 */
export function defineScenario(scenario: Scenario): Scenario {
  const problem = readingCaller('defineScenario', 'invalid_scenario', 'the scenario', () => scenarioProblem(scenario) ?? unknownKeyProblem(scenario));
  if (problem !== undefined) throw new EchelonError('invalid_scenario', problem);
  return scenario;
}

/** A key no runner reads (`setup`, `steps`, a second `run` under another name): said, rather than ignored. */
function unknownKeyProblem(scenario: object): string | undefined {
  const extra = Object.keys(scenario).find((key) => !SCENARIO_KEYS.includes(key as keyof Scenario));
  if (extra === undefined) return undefined;
  const near = closest(extra, SCENARIO_KEYS);
  return `A scenario has description, organisation and run; it also has "${extra}", which no runner reads${near === undefined ? '' : ` — did you mean "${near}"?`}. Do setup in organisation() or run(), and pass the runner's options (steps, pace) on the command line.`;
}

/**
 * True when `value` has the shape of a {@link Scenario}.
 *
 * @example
 * ```ts
 * const module = await import('./examples/dev-team.ts');
 * if (isScenario(module.default)) await runScenario(module.default);
 * ```
 */
export function isScenario(value: unknown): value is Scenario {
  return scenarioProblem(value) === undefined;
}

/**
 * What is wrong with a would-be scenario, in words; `undefined` when nothing is.
 *
 * @example
 * ```ts
 * scenarioProblem({ description: 'x' }); // 'A scenario needs organisation(host, context): …'
 * ```
 */
export function scenarioProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return `A scenario is an object { description, organisation, run }, got ${value === null ? 'null' : typeof value}.`;
  if (typeof (value as PromiseLike<unknown>).then === 'function') {
    return 'A scenario is an object { description, organisation, run }, got a promise: export the scenario itself (export default defineScenario({ … })), not the result of an async call.';
  }
  const candidate = value as Partial<Record<keyof Scenario, unknown>>;
  if (typeof candidate.description !== 'string' || candidate.description.trim() === '') {
    return `A scenario needs a description: one line saying what it shows.${misspelt(value, 'description')}`;
  }
  if (typeof candidate.organisation !== 'function') {
    return `A scenario needs organisation(host, context): build the organisation with createOrchestrator({ ...options, ...host }).${misspelt(value, 'organisation')}`;
  }
  if (typeof candidate.run !== 'function') return `A scenario needs run(org, context): submit tasks and await their outcomes.${misspelt(value, 'run')}`;
  return undefined;
}

/** " It has "organization" — did you mean "organisation"?" when a key the scenario has is a slip for the one it lacks. */
function misspelt(value: object, needed: keyof Scenario): string {
  const keys = Object.keys(value).filter((key) => !SCENARIO_KEYS.includes(key as keyof Scenario));
  const slip = keys.find((key) => closest(key, [needed]) === needed);
  return slip === undefined ? '' : ` It has "${slip}" — did you mean "${needed}"?`;
}

const SCENARIO_KEYS: readonly (keyof Scenario)[] = ['description', 'organisation', 'run'];

/**
 * The scenario's organisation, built with `host`: what `organisation()` throws, a promise (an
 * `async organisation()`) and anything else that is not an organisation (a block body without a
 * `return`) are `invalid_scenario`, said as such — for every runner.
 */
export function buildOrganisation(scenario: Scenario, host: ScenarioHost, context: ScenarioContext): Orchestrator {
  let org: unknown;
  try {
    org = scenario.organisation(host, context);
  } catch (error) {
    if (error instanceof EchelonError) throw error;
    throw new EchelonError('invalid_scenario', `The scenario's organisation() threw: ${String(error)}.`, { cause: error });
  }
  if (typeof (org as PromiseLike<unknown> | null)?.then === 'function') {
    // What it builds is stopped once it is there, so nothing of it runs on after the refusal.
    Promise.resolve(org).then((built) => (built as Partial<Orchestrator> | undefined)?.stop?.(), () => undefined).catch(() => undefined);
    throw new EchelonError(
      'invalid_scenario',
      "The scenario's organisation() returned a promise (is it async?): return the organisation itself — organisation: (host) => createOrchestrator({ ...options, ...host }) — and do asynchronous setup in run().",
    );
  }
  if (!isOrchestrator(org)) {
    // What it returned is stopped if it can be (an organisation it built and did not return is out of reach).
    Promise.resolve()
      .then(() => (org as Partial<Orchestrator> | null | undefined)?.stop?.())
      .catch(() => undefined);
    const got = org === null ? 'null' : typeof org === 'object' ? 'an object' : typeof org === 'undefined' ? 'undefined' : `a ${typeof org}`;
    throw new EchelonError(
      'invalid_scenario',
      `The scenario's organisation() returned ${got}, not an organisation: return it — organisation: (host) => createOrchestrator({ ...options, ...host }) (a function body in braces needs a return).`,
    );
  }
  return org;
}

/** What every runner uses of an organisation is there (`createOrchestrator`'s result has it). */
function isOrchestrator(value: unknown): value is Orchestrator {
  const org = value as Partial<Orchestrator> | null | undefined;
  return typeof org?.submit === 'function' && typeof org.stop === 'function' && typeof org.on === 'function' && typeof org.hierarchy?.nodes === 'function';
}
