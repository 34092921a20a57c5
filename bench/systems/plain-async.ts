/**
 * Baseline: plain async functions. Each agent is an async call that routes the task to a child
 * (awaiting it) or runs the work itself — the same routing as echelon with no actors, no
 * messages and no bookkeeping: the floor any orchestration adds cost to.
 */
import { work } from '../workload.js';
import { nextHop, routingTree, type RouteNode } from './routing.js';
import type { Routed, SystemFactory } from './types.js';

async function handle(node: RouteNode, type: string, chain: readonly string[]): Promise<Routed> {
  const hop = nextHop(node, type);
  if (hop.kind === 'delegate') return handle(hop.child, type, [...chain, hop.child.id]);
  if (hop.kind === 'none') throw new Error(`No agent at or below ${node.id} can do "${type}".`);
  const result = await work(type, node.id);
  return { executedBy: node.id, chain, result };
}

export const plainAsync: SystemFactory = ({ hierarchy }) => {
  const { root } = routingTree(hierarchy);
  return {
    name: 'plain async',
    submit: (type) => handle(root, type, [root.id]),
    stop: async () => undefined,
  };
};
