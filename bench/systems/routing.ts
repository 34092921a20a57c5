/**
 * Routing by subtree, written once for the baselines: an agent hands a task to its first child
 * whose subtree has the capability, else executes it when it has the capability itself. This
 * is echelon's default (`capabilityMatching()`), reimplemented from the raw tree so the
 * baselines share nothing with echelon but the hierarchy's data.
 */
import type { AgentNode, Hierarchy } from '../../src/index.js';

/** One agent as the baselines see it: plain objects, precomputed subtree capabilities. */
export interface RouteNode {
  readonly id: string;
  readonly parent: RouteNode | undefined;
  readonly children: RouteNode[];
  readonly capabilities: ReadonlySet<string>;
  readonly subtree: Set<string>;
}

export type Hop = { readonly kind: 'delegate'; readonly child: RouteNode } | { readonly kind: 'execute' } | { readonly kind: 'none' };

/** What routing needs of an agent: plain data, so a process that loads no echelon code can route too. */
export type RouteEntry = Pick<AgentNode, 'id' | 'parentId' | 'capabilities'>;

/** Builds the baselines' tree from a hierarchy; returns the root and every node by id. */
export function routingTree(hierarchy: Hierarchy): { readonly root: RouteNode; readonly byId: ReadonlyMap<string, RouteNode> } {
  return routingTreeOf(hierarchy.nodes());
}

/** The same from the agents as data, in preorder (the root first, parents before their reports). */
export function routingTreeOf(entries: readonly RouteEntry[]): { readonly root: RouteNode; readonly byId: ReadonlyMap<string, RouteNode> } {
  const byId = new Map<string, RouteNode>();
  for (const node of entries) {
    const parent = node.parentId === undefined ? undefined : byId.get(node.parentId)!;
    const routeNode: RouteNode = { id: node.id, parent, children: [], capabilities: new Set(node.capabilities), subtree: new Set(node.capabilities) };
    parent?.children.push(routeNode);
    byId.set(node.id, routeNode);
  }
  // Preorder lists parents first, so walking it backwards folds each subtree into its parent.
  const nodes = [...byId.values()];
  for (let index = nodes.length - 1; index >= 0; index--) {
    const node = nodes[index]!;
    for (const capability of node.subtree) node.parent?.subtree.add(capability);
  }
  const root = nodes[0];
  if (root === undefined || root.parent !== undefined) throw new Error('routingTreeOf: the agents must come in preorder, the root first');
  return { root, byId };
}

/** What `node` does with a task of this type. */
export function nextHop(node: RouteNode, type: string): Hop {
  for (const child of node.children) if (child.subtree.has(type)) return { kind: 'delegate', child };
  return node.capabilities.has(type) ? { kind: 'execute' } : { kind: 'none' };
}
