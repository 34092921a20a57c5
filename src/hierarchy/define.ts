/**
 * Building a hierarchy from what users write: a nested spec or a flat `{ id, parent }`
 * list. Everything is validated here, with errors that say which agent is wrong and how.
 */
import { EchelonError } from '../errors.js';
import { CONTROL_CHARACTER, DOT_SEGMENT_SAYS, isDotSegment, LONE_SURROGATE, LONE_SURROGATE_SAYS, show } from '../show.js';
import { closest, readingCaller } from '../shape/index.js';
import { Hierarchy, type HierarchyEntry } from './hierarchy.js';
import { ROLES, type AgentSpec, type FlatAgentSpec, type Role } from './types.js';

/**
 * Builds an immutable hierarchy from a nested spec. Levels are derived (root = 0).
 *
 * Throws an {@link EchelonError} with code `empty_id`, `duplicate_agent`, `invalid_role`,
 * `hierarchy_cycle` (a spec object nested inside itself) or `invalid_spec`.
 *
 * @example
 * ```ts
 * const org = defineHierarchy({
 *   id: 'cto', role: 'executive', capabilities: ['strategy'],
 *   children: [
 *     { id: 'backend_lead', role: 'manager', capabilities: ['backend'],
 *       children: [{ id: 'backend_dev_1', role: 'worker', capabilities: ['python'] }] },
 *   ],
 * });
 * org.get('backend_dev_1').level; // 2
 * ```
 */
export function defineHierarchy(spec: AgentSpec): Hierarchy {
  return readingCaller('defineHierarchy', 'invalid_spec', 'the hierarchy spec', () => fromSpec(spec));
}

function fromSpec(spec: AgentSpec): Hierarchy {
  const entries: HierarchyEntry[] = [];
  // Specs on the path from the root to the agent being read: meeting one again is a cycle.
  const open = new Set<object>();
  // An explicit stack, not recursion, so a spec of any depth builds. A `leave` step closes a
  // spec once everything nested in it has been read.
  const stack: SpecStep[] = [{ value: spec, parentId: undefined, where: 'the hierarchy spec' }];
  while (stack.length > 0) {
    const step = stack.pop()!;
    if ('leave' in step) {
      open.delete(step.leave);
      continue;
    }
    const { value, where } = step;
    if (typeof value !== 'object' || value === null) {
      throw new EchelonError('invalid_spec', `${where} must be an agent spec object, got ${show(value)}.`);
    }
    if (open.has(value)) {
      throw new EchelonError('hierarchy_cycle', `${where} contains itself: a nested spec cannot be its own descendant.`, {
        details: { agentId: (value as { id?: unknown }).id },
      });
    }
    open.add(value);
    const agent = value as AgentSpec;
    const entry = validateEntry(agent, step.parentId, where, NESTED_KEYS);
    entries.push(entry);
    const children: unknown = agent.children ?? [];
    if (!Array.isArray(children)) {
      throw new EchelonError('invalid_spec', `children of agent "${entry.id}" must be an array, got ${show(children)}.`);
    }
    stack.push({ leave: value });
    // Pushed last to first so they are read first to last; holes are skipped, as forEach does.
    for (let index = children.length - 1; index >= 0; index--) {
      if (index in children) stack.push({ value: children[index], parentId: entry.id, where: `child ${index} of agent "${entry.id}"` });
    }
  }
  return new Hierarchy(entries);
}

/** One step of reading a nested spec: read a spec object, or close one that was read. */
type SpecStep = { readonly value: unknown; readonly parentId: string | undefined; readonly where: string } | { readonly leave: object };

/**
 * Builds an immutable hierarchy from a flat list in which each agent names its `parent`
 * (exactly one agent has none: the root). Order does not matter.
 *
 * Throws an {@link EchelonError} with code `empty_id`, `duplicate_agent`, `invalid_role`,
 * `unknown_parent`, `hierarchy_cycle`, `multiple_roots`, `no_root` or `invalid_spec`.
 *
 * @example
 * ```ts
 * const org = hierarchyFromList([
 *   { id: 'lead', role: 'manager', parent: 'ceo' },
 *   { id: 'ceo', role: 'executive' },
 * ]);
 * org.root.id; // 'ceo'
 * ```
 */
export function hierarchyFromList(agents: readonly FlatAgentSpec[]): Hierarchy {
  return readingCaller('hierarchyFromList', 'invalid_spec', 'the list of agents', () => fromList(agents));
}

function fromList(agents: readonly FlatAgentSpec[]): Hierarchy {
  if (!Array.isArray(agents)) {
    throw new EchelonError('invalid_spec', `hierarchyFromList expects an array of agents, got ${show(agents)}.`);
  }
  const entries = agents.map((agent: unknown, index) => {
    if (typeof agent !== 'object' || agent === null) {
      throw new EchelonError('invalid_spec', `agent ${index} must be an object, got ${show(agent)}.`);
    }
    const { parent } = agent as FlatAgentSpec;
    if (parent !== undefined && parent !== null && typeof parent !== 'string') {
      throw new EchelonError('invalid_spec', `parent of agent ${index} must be an agent id, got ${show(parent)}.`);
    }
    return validateEntry(agent as FlatAgentSpec, parent ?? undefined, `agent ${index}`, FLAT_KEYS);
  });
  return new Hierarchy(entries);
}

/** The keys an agent has in a nested spec, and in a flat list. */
const NESTED_KEYS: readonly string[] = ['id', 'role', 'capabilities', 'skills', 'description', 'children'] satisfies (keyof AgentSpec)[];
const FLAT_KEYS: readonly string[] = ['id', 'role', 'capabilities', 'skills', 'description', 'parent'] satisfies (keyof FlatAgentSpec)[];

function validateEntry(agent: Omit<AgentSpec, 'children'>, parentId: string | undefined, where: string, keys: readonly string[]): HierarchyEntry {
  const { id, role, capabilities = [], skills = {}, description } = agent;
  // A key it does not know would be dropped without a word: `parentId` for `parent` makes every agent a root.
  const unknown = Object.keys(agent).find((key) => !keys.includes(key));
  if (unknown !== undefined) {
    const near = closest(unknown, keys) ?? (keys.includes('parent') ? undefined : /^(reports|subordinates|team|members|kids)$/i.test(unknown) ? 'children' : undefined);
    throw new EchelonError(
      'invalid_spec',
      `${typeof id === 'string' && id !== '' ? `agent "${id}"` : where} has the key "${unknown}", which an agent does not have${near === undefined ? '' : ` — did you mean "${near}"?`} (an agent has ${keys.join(', ')}).`,
      { details: { agentId: id, key: unknown, ...(near === undefined ? {} : { suggestion: near }) } },
    );
  }
  if (typeof id !== 'string' || id.trim() === '') {
    throw new EchelonError('empty_id', `${where} has ${typeof id === 'string' ? 'an empty' : 'no'} id; every agent needs a non-empty string id.`, {
      details: { id },
    });
  }
  if (CONTROL_CHARACTER.test(id)) {
    throw new EchelonError('invalid_spec', `${where} has the id ${show(id)}, which holds control characters (a newline, a tab, an escape …); ids may not.`, { details: { id } });
  }
  if (isDotSegment(id)) {
    throw new EchelonError('invalid_spec', `${where} has the id ${show(id)}, which an agent may not have: ${DOT_SEGMENT_SAYS}.`, { details: { id } });
  }
  if (LONE_SURROGATE.test(id)) {
    throw new EchelonError('invalid_spec', `${where} has the id ${show(id)}, which holds ${LONE_SURROGATE_SAYS}; ids may not.`, { details: { id } });
  }
  if (!(ROLES as readonly unknown[]).includes(role)) {
    throw new EchelonError(
      'invalid_role',
      `Agent "${id}" has role ${show(role)}; the roles are ${ROLES.join(', ')}.`,
      { details: { agentId: id, role } },
    );
  }
  if (!Array.isArray(capabilities) || capabilities.some((capability) => typeof capability !== 'string' || capability === '' || CONTROL_CHARACTER.test(capability) || LONE_SURROGATE.test(capability))) {
    throw new EchelonError('invalid_spec', `capabilities of agent "${id}" must be an array of non-empty strings without control characters or lone surrogates, got ${show(capabilities)}.`, {
      details: { agentId: id },
    });
  }
  if (typeof skills !== 'object' || skills === null || Object.values(skills).some((score) => typeof score !== 'number' || Number.isNaN(score))) {
    throw new EchelonError('invalid_spec', `skills of agent "${id}" must map skill names to numbers, got ${show(skills)}.`, {
      details: { agentId: id },
    });
  }
  if (description !== undefined && typeof description !== 'string') {
    throw new EchelonError('invalid_spec', `description of agent "${id}" must be a string.`, { details: { agentId: id } });
  }
  return { id, role: role as Role, capabilities, skills, description, parentId };
}

