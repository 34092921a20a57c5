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
  for (const link of links) if (link.parent !== null) children.get(link.parent)?.push(link.id);
  const root = links.find((link) => link.parent === null);
  if (root === undefined) throw new EchelonError('store_corrupt', 'The stored organisation has no root agent: every agent names a parent.');
  return { root: { id: root.id }, get: (id) => ({ childIds: children.get(id) ?? [] }) };
}
