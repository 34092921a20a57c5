/**
 * Settings given per agent id, per role, or as a default — one shape for executors,
 * strategies, concurrency, execution policies and approvers.
 */
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { ROLES, type AgentNode, type Role } from '../hierarchy/types.js';

/**
 * A setting for every agent: by agent id first, then by role, then the default.
 *
 * @example
 * ```ts
 * const concurrency: PerAgent<number> = { default: 1, byRole: { worker: 4 }, byId: { cto: 1 } };
 * ```
 */
export interface PerAgent<T> {
  readonly byId?: Readonly<Record<string, T>>;
  readonly byRole?: Readonly<Partial<Record<Role, T>>>;
  readonly default?: T;
}

/** A setting given once for everyone, or per agent. */
export type Setting<T> = T | PerAgent<T>;

/** True when `value` is written in the per-agent form. */
export function isPerAgent<T>(value: Setting<T>): value is PerAgent<T> {
  return typeof value === 'object' && value !== null && ('byId' in value || 'byRole' in value || 'default' in value);
}

/**
 * Resolves a setting for each agent once, checking that `byId` names known agents and
 * `byRole` valid roles. Returns a lookup by agent id (undefined where nothing applies).
 */
export function resolveSetting<T>(hierarchy: Hierarchy, name: string, setting: Setting<T> | undefined): (agentId: string) => T | undefined {
  if (setting === undefined) return () => undefined;
  if (!isPerAgent(setting)) return () => setting;
  for (const id of Object.keys(setting.byId ?? {})) {
    if (!hierarchy.has(id)) {
      throw new EchelonError('unknown_agent', `${name}.byId names "${id}", which is not an agent of this hierarchy.`, { details: { option: name, agentId: id } });
    }
  }
  for (const role of Object.keys(setting.byRole ?? {})) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new EchelonError('invalid_role', `${name}.byRole names "${role}"; the roles are ${ROLES.join(', ')}.`, { details: { option: name, role } });
    }
  }
  const pick = (node: AgentNode): T | undefined => setting.byId?.[node.id] ?? setting.byRole?.[node.role] ?? setting.default;
  return (agentId) => pick(hierarchy.get(agentId));
}
