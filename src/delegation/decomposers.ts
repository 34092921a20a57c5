/**
 * Who splits which tasks: the `decomposers` option (by task type first, then by agent id, role, or
 * for everyone), resolved once against the hierarchy and checked up front.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { invalid, resolveSetting, type PerAgent } from '../settings/index.js';
import type { Task } from '../types.js';
import type { Decomposer } from './decomposition.js';

/** Decomposers by task type (consulted first), then by agent id, role, or for everyone. */
export interface DecomposerSetting extends PerAgent<Decomposer> {
  readonly byType?: Readonly<Record<string, Decomposer>>;
}

/**
 * Resolves `decomposers` once: by task type first, then by agent id, role, or for everyone.
 * Refuses a decomposer without `decompose` (`invalid_option`) and `byId` / `byRole` keys that are
 * no agent / no role (`unknown_agent` / `invalid_role`).
 *
 * @example
 * ```ts
 * const decomposerFor = decomposerLookup(hierarchy, { byType: { feature: featureSplitter } });
 * decomposerFor('cto', task); // featureSplitter when task.type is 'feature'
 * ```
 */
export function decomposerLookup(hierarchy: Hierarchy, setting: DecomposerSetting | undefined): (agentId: string, task: Task) => Decomposer | undefined {
  if (setting === undefined) return () => undefined;
  const { byType, byId, byRole } = setting;
  const forAgent = resolveSetting<Decomposer>(hierarchy, 'decomposers', { byId, byRole, default: setting.default } as PerAgent<Decomposer>);
  for (const [type, decomposer] of Object.entries(byType ?? {})) {
    if (typeof decomposer?.decompose !== 'function') invalid(`decomposers.byType.${type} needs a decompose(task, context) function.`);
  }
  for (const node of hierarchy.nodes()) {
    const decomposer = forAgent(node.id);
    if (decomposer !== undefined && typeof decomposer.decompose !== 'function') invalid(`The decomposer for "${node.id}" needs a decompose(task, context) function.`);
  }
  return (agentId, task) => byType?.[task.type] ?? forAgent(agentId);
}
