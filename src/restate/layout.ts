/**
 * Where an organisation lives in Restate: the names of its services, virtual objects and workflow
 * (all prefixed by the organisation's name, so organisations sharing one server never collide),
 * and which **unit** each agent belongs to. A unit is an agent heading its own object service (the
 * root and, by default, each of its reports): every agent of a unit's subtree is a key of that
 * unit's service, so the deployment that serves the unit hosts those agents, and moving a unit to
 * another process moves no data — its state stays in Restate under the same names.
 */
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';

/** The default organisation name. */
export const DEFAULT_ORGANISATION = 'echelon';

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,40}$/;

/** The names of one organisation's parts in Restate, and the unit of each agent. */
export interface RestateLayout {
  readonly name: string;
  /** The agents heading a unit, root first. */
  readonly units: readonly string[];
  /** The unit (the head's id) whose service holds `agentId`. */
  unitOf(agentId: string): string;
  /** The virtual-object service of a unit's agents. */
  agents(unit: string): string;
  /** The service that runs a unit's executors (in the process that hosts the unit). */
  executors(unit: string): string;
  /** The service that waits for the decisions a unit's agents await (in the process that hosts the unit). */
  decisions(unit: string): string;
  /** The workflow each submitted task is, by task id. */
  readonly task: string;
  /** The virtual object keeping a submitted task's books and journal, by root task id. */
  readonly case: string;
  /** The virtual object listing what waits for people: pending approvals, escalations at the top. */
  readonly desk: string;
  /** The virtual object holding resource claims. */
  readonly resources: string;
}

/** A unit's head as a service-name part: letters, digits and `_` kept, anything else as `-xx`. */
function part(id: string): string {
  return id.replace(/[^A-Za-z0-9_]/g, (char) => `-${char.codePointAt(0)!.toString(16)}`);
}

/**
 * The layout of an organisation: `name` checked, `units` (agent ids; the root is always one)
 * checked against the hierarchy.
 *
 * @example
 * ```ts
 * const layout = restateLayout(developmentTeam(), 'acme', ['backend_lead']);
 * layout.unitOf('api_specialist'); // 'backend_lead'
 * layout.agents('backend_lead');   // 'acme-agents-backend_lead'
 * ```
 */
export function restateLayout(hierarchy: Hierarchy, name: string = DEFAULT_ORGANISATION, units?: readonly string[]): RestateLayout {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new EchelonError('invalid_option', `The organisation's name must be a letter followed by up to 40 letters, digits or _ (it prefixes every Restate service), got ${JSON.stringify(name)}.`);
  }
  const heads = units ?? hierarchy.root.childIds;
  if (!Array.isArray(heads)) throw new EchelonError('invalid_option', `units must be an array of agent ids, got ${typeof heads}.`);
  for (const id of heads) {
    if (typeof id !== 'string' || !hierarchy.has(id)) {
      throw new EchelonError('unknown_agent', `units names "${String(id)}", which is not an agent of this hierarchy.`, { details: { agentId: id } });
    }
  }
  const unitSet = new Set<string>([hierarchy.root.id, ...heads]);
  const unitCache = new Map<string, string>();
  const unitOf = (agentId: string): string => {
    const known = unitCache.get(agentId);
    if (known !== undefined) return known;
    let unit = hierarchy.root.id;
    for (const node of hierarchy.pathToRoot(agentId)) {
      if (unitSet.has(node.id)) {
        unit = node.id;
        break;
      }
    }
    unitCache.set(agentId, unit);
    return unit;
  };
  return {
    name,
    units: [...unitSet],
    unitOf,
    agents: (unit) => `${name}-agents-${part(unit)}`,
    executors: (unit) => `${name}-run-${part(unit)}`,
    decisions: (unit) => `${name}-decide-${part(unit)}`,
    task: `${name}-task`,
    case: `${name}-case`,
    desk: `${name}-desk`,
    resources: `${name}-resources`,
  };
}
