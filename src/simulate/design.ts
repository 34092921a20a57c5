/**
 * A design file: an organisation with what it is expected to do — the tasks it should take and,
 * for `echelon simulate`, the models and workload to run it under. `echelon check` and
 * `echelon simulate` load one from a module's `design` export (or its default export).
 */
import { EchelonError } from '../errors.js';
import { closest, readingCaller } from '../shape/index.js';
import type { CheckOptions, OrganisationOptions } from '../check/types.js';
import type { SimulationOptions } from './simulate.js';

/** An organisation to check and simulate. */
export interface Design {
  /** `createOrchestrator`'s options (executors optional: the simulation replaces them). */
  readonly organisation: OrganisationOptions;
  /** Tasks it is expected to take at its root, for the check (the workload's are added). */
  readonly tasks?: CheckOptions['tasks'];
  /** Models, people and workload for `echelon simulate`. */
  readonly simulation?: Omit<SimulationOptions, 'organisation'>;
}

/**
 * Checks the shape of a design and returns it (typed).
 *
 * @example
 * ```ts
 * export const design = defineDesign({
 *   organisation: { hierarchy: developmentTeam() },
 *   simulation: { workload: { arrivals: [{ task: 'python', perSecond: 0.05 }], durationMs: 3_600_000 }, agents: { default: { latency: latency.fixed(15_000) } } },
 * });
 * ```
 */
export function defineDesign(design: Design): Design {
  const problem = readingCaller('defineDesign', 'invalid_option', 'the design', () => designProblem(design));
  if (problem !== undefined) throw new EchelonError('invalid_option', `defineDesign: ${problem}`);
  return design;
}

const DESIGN_KEYS = ['organisation', 'tasks', 'simulation'] as const satisfies readonly (keyof Design)[];

/** Why `value` is not a design, or `undefined` when it is one. */
export function designProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'a design is an object { organisation, tasks?, simulation? }';
  const unknown = Object.keys(value).find((key) => !(DESIGN_KEYS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    const near = closest(unknown, DESIGN_KEYS);
    return `unknown key "${unknown}"${near === undefined ? '' : ` — did you mean "${near}"?`} (a design has ${DESIGN_KEYS.join(', ')})`;
  }
  const { organisation, simulation } = value as Partial<Design>;
  if (typeof organisation?.hierarchy?.nodes !== 'function') return 'its organisation needs a hierarchy (defineHierarchy(), hierarchyFromList() or a preset such as developmentTeam())';
  if (simulation !== undefined && (typeof simulation !== 'object' || simulation === null || typeof simulation.workload !== 'object')) return 'its simulation needs a workload: { arrivals: [{ task, perSecond }], durationMs } or { journal }';
  return undefined;
}

/** The check's options for a design: its tasks, and every task its workload submits. */
export function checkOptionsOf(design: Design): CheckOptions {
  const arrivals = design.simulation?.workload.arrivals ?? [];
  return { ...design.organisation, tasks: [...(design.tasks ?? []), ...arrivals.map((arrival) => (typeof arrival.task === 'string' ? arrival.task : { ...arrival.task }))] };
}
