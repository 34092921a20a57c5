/** The organisation as a Mermaid flowchart: one box per agent (id, role, capabilities), top-down. */
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { ROLES } from '../hierarchy/types.js';
import { mermaidText } from './text.js';

const ROLE_STYLES = {
  executive: 'fill:#1d2430,stroke:#1d2430,color:#fff',
  manager: 'fill:#e2ecfd,stroke:#2f6fde,color:#1d2430',
  specialist: 'fill:#dcf5e6,stroke:#1f9d55,color:#1d2430',
  worker: 'fill:#fff3d1,stroke:#d99a00,color:#1d2430',
} as const satisfies Record<(typeof ROLES)[number], string>;

/**
 * Draws a hierarchy as a Mermaid flowchart (paste it into a fenced `mermaid` block).
 *
 * @example
 * ```ts
 * console.log(hierarchyToMermaid(developmentTeam()));
 * // flowchart TD
 * //   a0["cto<br/><i>executive</i><br/>strategy, architecture, resource_allocation"]
 * //   …
 * //   a0 --> a1
 * ```
 */
export function hierarchyToMermaid(hierarchy: Hierarchy): string {
  if (typeof (hierarchy as Partial<Hierarchy> | null | undefined)?.nodes !== 'function') {
    throw new EchelonError('invalid_option', 'hierarchyToMermaid draws a Hierarchy (defineHierarchy(), hierarchyFromList() or a preset such as developmentTeam()).');
  }
  const nodes = hierarchy.nodes();
  const key = new Map(nodes.map((node, index) => [node.id, `a${index}`]));
  const lines = ['flowchart TD'];
  for (const node of nodes) {
    const capabilities = node.capabilities.length === 0 ? '' : `<br/>${mermaidText(node.capabilities.join(', '))}`;
    lines.push(`  ${key.get(node.id)}["${mermaidText(node.id)}<br/><i>${node.role}</i>${capabilities}"]`);
  }
  for (const node of nodes) {
    if (node.parentId !== undefined) lines.push(`  ${key.get(node.parentId)} --> ${key.get(node.id)}`);
  }
  for (const role of ROLES) {
    const members = nodes.filter((node) => node.role === role).map((node) => key.get(node.id));
    if (members.length === 0) continue;
    lines.push(`  classDef ${role} ${ROLE_STYLES[role]}`);
    lines.push(`  class ${members.join(',')} ${role}`);
  }
  return lines.join('\n');
}
