/**
 * The org chart of a stored organisation, from the agent links its store keeps (the store has
 * no roles or capabilities: only who reports to whom).
 */
import { EchelonError } from '../errors.js';
import type { AgentLink } from './steps.js';

/** An organisation's tree from its links: the root, and each agent's children in stored order. */
export interface LinkedChart {
  readonly root: { readonly id: string };
  get(id: string): { readonly childIds: readonly string[] };
}

/**
 * Builds the chart; throws when the links have no single root.
 *
 * @example
 * ```ts
 * chartFromLinks([{ id: 'cto', parent: null }, { id: 'lead', parent: 'cto' }]).get('cto').childIds; // ['lead']
 * ```
 */
export function chartFromLinks(links: readonly AgentLink[]): LinkedChart {
  const children = new Map<string, string[]>(links.map((link) => [link.id, []]));
  for (const link of links) {
    if (link.parent === null) continue;
    const siblings = children.get(link.parent);
    if (siblings === undefined) throw new EchelonError('store_corrupt', `The stored organisation's agent "${link.id}" reports to "${link.parent}", which is not one of its agents.`);
    siblings.push(link.id);
  }
  const roots = links.filter((link) => link.parent === null);
  if (roots.length === 0) throw new EchelonError('store_corrupt', 'The stored organisation has no root agent: every agent names a parent.');
  if (roots.length > 1) throw new EchelonError('store_corrupt', `The stored organisation has ${roots.length} root agents (${roots.map((root) => root.id).join(', ')}): an organisation has one.`);
  return { root: { id: roots[0]!.id }, get: (id) => ({ childIds: children.get(id) ?? [] }) };
}
