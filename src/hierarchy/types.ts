/**
 * The shapes of an organisation: roles, the declarative spec users write, and the
 * immutable nodes a built hierarchy is made of.
 */

/** The four roles of the reference organisation, top to bottom. */
export const ROLES = ['executive', 'manager', 'specialist', 'worker'] as const;

/** An agent's role: what kind of work it does in the organisation. */
export type Role = (typeof ROLES)[number];

/**
 * One agent in a declarative hierarchy spec; `children` nest the agents that report to it.
 *
 * @example
 * ```ts
 * const spec: AgentSpec = {
 *   id: 'cto', role: 'executive', capabilities: ['strategy'],
 *   children: [{ id: 'backend_lead', role: 'manager', capabilities: ['backend'] }],
 * };
 * ```
 */
export interface AgentSpec {
  readonly id: string;
  readonly role: Role;
  /** Task types this agent can execute itself. */
  readonly capabilities?: readonly string[];
  /** Expertise scores per skill (any scale; higher is better), used by skill-based delegation. */
  readonly skills?: Readonly<Record<string, number>>;
  /** A line for people: what this agent is for. */
  readonly description?: string;
  readonly children?: readonly AgentSpec[];
}

/** One agent in a flat list; `parent` names the agent it reports to (none for the root). */
export interface FlatAgentSpec extends Omit<AgentSpec, 'children'> {
  readonly parent?: string | null;
}

/** An agent in a built hierarchy. Immutable; levels are derived (root = 0). */
export interface AgentNode {
  readonly id: string;
  readonly role: Role;
  readonly level: number;
  readonly capabilities: readonly string[];
  readonly skills: Readonly<Record<string, number>>;
  readonly description: string | undefined;
  readonly parentId: string | undefined;
  readonly childIds: readonly string[];
}
