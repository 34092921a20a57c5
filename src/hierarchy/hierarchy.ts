/**
 * The built, immutable organisation tree and its lookups: find by id, path to root,
 * ancestry, subtree capabilities and nearest common ancestors. Building is linear in the
 * number of agents, whatever the depth or width; lookups are O(1), O(log n) or O(depth).
 *
 * Subtrees are intervals of the preorder: agent x's subtree is the indices [pre(x), end(x)).
 * "Does the subtree of x hold capability c" is then one binary search in the sorted preorder
 * indices of the agents that have c — no set of capabilities is kept per agent.
 */
import { EchelonError } from '../errors.js';
import { show } from '../show.js';
import { CapabilityIndex } from './capability-index.js';
import type { AgentNode } from './types.js';

/** A validated agent before it is placed in the tree. */
export interface HierarchyEntry {
  readonly id: string;
  readonly role: AgentNode['role'];
  readonly capabilities: readonly string[];
  readonly skills: Readonly<Record<string, number>>;
  readonly description: string | undefined;
  readonly parentId: string | undefined;
}

/**
 * An organisation of agents: an immutable tree with a single root.
 * Build one with {@link defineHierarchy}, {@link hierarchyFromList} or a preset such as
 * {@link developmentTeam}.
 *
 * @example
 * ```ts
 * const team = developmentTeam();
 * team.get('api_specialist').level;                       // 2
 * team.canHandle('cto', 'api_design');                    // true: someone under the CTO can
 * team.nearestCommonAncestor('api_specialist', 'react_specialist').id; // 'cto'
 * ```
 */
export class Hierarchy {
  readonly root: AgentNode;
  readonly size: number;
  readonly #nodes: ReadonlyMap<string, AgentNode>;
  readonly #preorder: readonly AgentNode[];
  /** Preorder index of each agent. */
  readonly #enter: ReadonlyMap<string, number>;
  /** By preorder index: one past the last index of that agent's subtree. */
  readonly #exit: Uint32Array;
  readonly #capabilities: CapabilityIndex;

  /** @internal Use {@link defineHierarchy} or {@link hierarchyFromList}. */
  constructor(entries: readonly HierarchyEntry[]) {
    const { root, nodes, preorder } = placeInTree(entries);
    this.root = root;
    this.size = preorder.length;
    this.#nodes = nodes;
    this.#preorder = preorder;
    const enter = new Map<string, number>();
    preorder.forEach((node, index) => enter.set(node.id, index));
    const exit = new Uint32Array(preorder.length);
    for (let index = preorder.length - 1; index >= 0; index--) {
      const childIds = preorder[index]!.childIds;
      // Children are laid out in order, so the last child's subtree ends this one.
      exit[index] = childIds.length === 0 ? index + 1 : exit[enter.get(childIds[childIds.length - 1]!)!]!;
    }
    this.#enter = enter;
    this.#exit = exit;
    this.#capabilities = new CapabilityIndex(preorder);
  }

  /** The agent with this id, or `undefined`. */
  find(id: string): AgentNode | undefined {
    return this.#nodes.get(id);
  }

  /** The agent with this id; throws `unknown_agent` when there is none. */
  get(id: string): AgentNode {
    const node = this.#nodes.get(id);
    if (node === undefined) throw this.#unknown(id);
    return node;
  }

  has(id: string): boolean {
    return this.#nodes.has(id);
  }

  /** Every agent, parents before children (preorder). */
  nodes(): readonly AgentNode[] {
    return this.#preorder;
  }

  parent(id: string): AgentNode | undefined {
    const parentId = this.get(id).parentId;
    return parentId === undefined ? undefined : this.#nodes.get(parentId);
  }

  children(id: string): readonly AgentNode[] {
    const children: AgentNode[] = [];
    this.eachChild(id, undefined, (node) => void children.push(node));
    return children;
  }

  /**
   * @internal Calls `visit` with each child of `id` in order and whether that child's subtree has
   * `capability` (false when none is given). Read from the preorder — a child's subtree is an
   * interval, the next child starts where it ends — so it costs one lookup for `id` and none per
   * child: delegation asks this of every agent a task passes, in organisations of any size.
   */
  eachChild(id: string, capability: string | undefined, visit: (node: AgentNode, capable: boolean) => void): void {
    const start = this.#start(id);
    const end = this.#exit[start]!;
    for (let at = start + 1; at < end; at = this.#exit[at]!) {
      visit(this.#preorder[at]!, capability !== undefined && this.#capabilities.within(capability, at, this.#exit[at]!));
    }
  }

  /** The agent itself, then its parent, up to the root — the reference's `get_path_to_root`. */
  pathToRoot(id: string): readonly AgentNode[] {
    const path: AgentNode[] = [];
    for (let node: AgentNode | undefined = this.get(id); node; node = node.parentId === undefined ? undefined : this.#nodes.get(node.parentId)) {
      path.push(node);
    }
    return path;
  }

  /** The agent's ancestors, nearest first (its path to the root without itself). */
  ancestors(id: string): readonly AgentNode[] {
    return this.pathToRoot(id).slice(1);
  }

  /** True when `ancestorId` is a strict ancestor of `id` (an agent is not its own ancestor). */
  isAncestor(ancestorId: string, id: string): boolean {
    const a = this.#enter.get(ancestorId);
    const b = this.#enter.get(id);
    if (a === undefined || b === undefined || a === b) return false;
    return a < b && b < this.#exit[a]!;
  }

  /** True when `id` is `ancestorId` or lies below it. */
  inSubtree(ancestorId: string, id: string): boolean {
    return ancestorId === id || this.isAncestor(ancestorId, id);
  }

  /**
   * Every capability of the agent and of everyone below it, in the order they first appear
   * (preorder). Computed on each call, in O(min(subtree, distinct capabilities × log n)).
   */
  subtreeCapabilities(id: string): ReadonlySet<string> {
    const [start, end] = this.#interval(id);
    return this.#capabilities.collect(start, end);
  }

  /** True when the agent or someone below it has `capability`. */
  canHandle(id: string, capability: string): boolean {
    const start = this.#start(id);
    return this.#capabilities.within(capability, start, this.#exit[start]!);
  }

  /** The agent and everyone below it, preorder. */
  subtree(id: string): readonly AgentNode[] {
    const [start, end] = this.#interval(id);
    return this.#preorder.slice(start, end);
  }

  /** The deepest agent that has every given agent in its subtree (an agent counts as its own). */
  nearestCommonAncestor(...ids: readonly string[]): AgentNode {
    if (ids.length === 0) return this.root;
    let candidate = this.get(ids[0]!);
    for (const id of ids.slice(1)) {
      this.get(id);
      while (!this.inSubtree(candidate.id, id)) candidate = this.#nodes.get(candidate.parentId!)!;
    }
    return candidate;
  }

  /** The agent's subtree as preorder indices [start, end); throws `unknown_agent`. */
  #interval(id: string): [start: number, end: number] {
    const start = this.#start(id);
    return [start, this.#exit[start]!];
  }

  /** The agent's preorder index; throws `unknown_agent`. */
  #start(id: string): number {
    const start = this.#enter.get(id);
    if (start === undefined) throw this.#unknown(id);
    return start;
  }

  #unknown(id: string): EchelonError {
    const ids = this.#preorder.slice(0, 12).map((node) => node.id);
    const agents = ids.join(', ') + (this.size > ids.length ? `, … ${this.size - ids.length} more` : '');
    // An id that is no string (an object from a caller's slip) is shown, not made a string: that can throw.
    const named = typeof id === 'string' ? `"${id}"` : show(id);
    return new EchelonError('unknown_agent', `No agent ${named} in this hierarchy (agents: ${agents}).`, { details: { agentId: typeof id === 'string' ? id : named } });
  }
}

function placeInTree(entries: readonly HierarchyEntry[]): {
  root: AgentNode;
  nodes: Map<string, AgentNode>;
  preorder: AgentNode[];
} {
  const byId = new Map<string, HierarchyEntry>();
  const childIds = new Map<string, string[]>();
  for (const entry of entries) {
    if (byId.has(entry.id)) {
      throw new EchelonError('duplicate_agent', `Agent id "${entry.id}" is used more than once; every agent needs a unique id.`, {
        details: { agentId: entry.id },
      });
    }
    byId.set(entry.id, entry);
    childIds.set(entry.id, []);
  }
  const roots: string[] = [];
  for (const entry of entries) {
    if (entry.parentId === undefined) {
      roots.push(entry.id);
      continue;
    }
    if (entry.parentId === entry.id) {
      throw new EchelonError('hierarchy_cycle', `Agent "${entry.id}" names itself as its parent.`, {
        details: { cycle: [entry.id, entry.id] },
      });
    }
    const siblings = childIds.get(entry.parentId);
    if (siblings === undefined) {
      throw new EchelonError(
        'unknown_parent',
        `Agent "${entry.id}" reports to "${entry.parentId}", which is not in the hierarchy.`,
        { details: { agentId: entry.id, parent: entry.parentId } },
      );
    }
    siblings.push(entry.id);
  }
  if (entries.length === 0) throw new EchelonError('no_root', 'A hierarchy needs at least one agent.');
  if (roots.length > 1) {
    throw new EchelonError(
      'multiple_roots',
      `A hierarchy has exactly one root, but ${roots.length} agents have no parent: ${roots.join(', ')}. Give all but one a parent.`,
      { details: { roots } },
    );
  }
  if (roots.length === 0) {
    throw new EchelonError('hierarchy_cycle', `Every agent has a parent, so the hierarchy is a cycle: ${findCycle(byId).join(' → ')}.`, {
      details: { cycle: findCycle(byId) },
    });
  }

  const nodes = new Map<string, AgentNode>();
  const preorder: AgentNode[] = [];
  const stack: Array<{ id: string; level: number }> = [{ id: roots[0]!, level: 0 }];
  while (stack.length > 0) {
    const { id, level } = stack.pop()!;
    const entry = byId.get(id)!;
    const children = childIds.get(id)!;
    const node: AgentNode = Object.freeze({
      id,
      role: entry.role,
      level,
      capabilities: Object.freeze([...entry.capabilities]),
      skills: Object.freeze({ ...entry.skills }),
      description: entry.description,
      parentId: entry.parentId,
      childIds: Object.freeze([...children]),
    });
    nodes.set(id, node);
    preorder.push(node);
    for (let index = children.length - 1; index >= 0; index--) stack.push({ id: children[index]!, level: level + 1 });
  }
  if (nodes.size < byId.size) {
    const stranded = [...byId.keys()].find((id) => !nodes.has(id))!;
    const cycle = findCycle(byId, stranded);
    throw new EchelonError('hierarchy_cycle', `Agents form a cycle and cannot be reached from the root: ${cycle.join(' → ')}.`, {
      details: { cycle },
    });
  }
  return { root: nodes.get(roots[0]!)!, nodes, preorder };
}

/** Follows parent links from `start` until an agent repeats; returns the loop. */
function findCycle(byId: ReadonlyMap<string, HierarchyEntry>, start = byId.keys().next().value as string): string[] {
  const seen: string[] = [];
  const position = new Map<string, number>();
  let id: string | undefined = start;
  while (id !== undefined && !position.has(id)) {
    position.set(id, seen.length);
    seen.push(id);
    id = byId.get(id)?.parentId;
  }
  return id === undefined ? seen : [...seen.slice(position.get(id)), id];
}
