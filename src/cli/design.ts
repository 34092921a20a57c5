/**
 * Loads what `echelon check` and `echelon simulate` work on: a module's `design` export (or a
 * default export that is a design), or — for a scenario, whose options stay inside its
 * `organisation` function — the hierarchy of the organisation it builds.
 */
import { EchelonError } from '../errors.js';
import { developmentTeam, referenceExecutors } from '../hierarchy/presets.js';
import { fullStackFeature } from '../delegation/decomposition.js';
import { StepClock } from '../scenario/step-clock.js';
import { designProblem, type Design } from '../simulate/design.js';
import { buildOrganisation, scenarioProblem, type Scenario } from '../scenario/define.js';
import { importModule } from './load.js';

export interface LoadedDesign {
  readonly design: Design;
  /** Set when only the hierarchy could be read (a scenario without a `design` export). */
  readonly hierarchyOnly: boolean;
}

/** The reference development team, as `echelon check` checks it without a file. */
export function referenceDesign(): Design {
  return { organisation: { hierarchy: developmentTeam(), executors: { byRole: referenceExecutors() }, decomposers: { byType: { full_stack_feature: fullStackFeature() } } }, tasks: ['full_stack_feature'] };
}

export async function loadDesign(file: string): Promise<LoadedDesign> {
  const module = await importModule(file, process.cwd(), 'design or scenario file');
  for (const candidate of [module.design, module.default]) {
    if (candidate !== undefined && designProblem(candidate) === undefined) return { design: candidate as Design, hierarchyOnly: false };
  }
  if (module.design !== undefined) throw new EchelonError('invalid_option', `${file} exports a design that is not one: ${designProblem(module.design)}.`, { details: { file } });
  // A default export with an organisation but no run is meant as a design: say what is wrong with it.
  const meant = module.default as { organisation?: unknown; run?: unknown } | undefined;
  if (typeof meant === 'object' && meant !== null && 'organisation' in meant && !('run' in meant)) {
    throw new EchelonError('invalid_option', `${file}'s default export is a design that is not one: ${designProblem(meant)}.`, { details: { file } });
  }
  if (scenarioProblem(module.default) !== undefined) {
    throw new EchelonError('invalid_scenario', `${file} exports neither a design (export const design = defineDesign({ organisation, simulation })) nor a scenario.`, { details: { file } });
  }
  // Build the scenario's organisation only to read its hierarchy: nothing is submitted.
  const org = buildOrganisation(module.default as Scenario, { clock: new StepClock(), messageDelayMs: 0 }, { log: () => undefined, sleep: () => new Promise(() => undefined), waitsForPeople: false });
  try {
    return { design: { organisation: { hierarchy: org.hierarchy } }, hierarchyOnly: true };
  } finally {
    await org.stop();
  }
}
