/**
 * A statechart as a Mermaid state diagram, generated from the machine's own definition (so the
 * picture cannot drift from the code). Transitions leaving a nested state are drawn from its
 * top-most ancestor below the common parent, which is how Mermaid lays composite states out;
 * messages handled without changing state are listed in a note.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { allEdges, machineRoot, stateId, visibleEnds } from './edges.js';
import { mermaidStateText } from './text.js';

/**
 * Draws a machine as a Mermaid `stateDiagram-v2`.
 *
 * @example
 * ```ts
 * const light = createMachine({ id: 'light', initial: 'green', states: { green: { on: { TIMER: 'amber' } }, amber: {} } });
 * console.log(statechartToMermaid(light)); // stateDiagram-v2 … green --> amber: TIMER
 * // The agent statechart: `echelon diagram --statechart`.
 * ```
 */
export function statechartToMermaid(machine: AnyStateMachine): string {
  const root = machineRoot(machine, 'statechartToMermaid');
  const id = stateIds(root);
  const edges = new Map<AnyStateNode, Set<string>>();
  const handled = new Set<string>();
  const fromAny = new Set<string>();
  for (const edge of allEdges(root)) {
    if (edge.targets === undefined || edge.targets.length === 0) {
      if (edge.source === root) handled.add(edge.label);
      continue;
    }
    if (edge.source === root) {
      // A transition of the machine itself leaves whatever state it is in: listed, not drawn from each.
      for (const target of edge.targets) fromAny.add(mermaidStateText(`${edge.label} → ${target.key}`));
      continue;
    }
    for (const target of edge.targets) {
      const [from, to, parent] = visibleEnds(edge.source, target);
      const lines = edges.get(parent) ?? new Set<string>();
      lines.add(`${id(from)} --> ${id(to)}${edge.label === '' ? '' : `: ${mermaidStateText(edge.label)}`}`);
      edges.set(parent, lines);
    }
  }
  const lines = ['stateDiagram-v2'];
  const render = (node: AnyStateNode, depth: number) => {
    const indent = '  '.repeat(depth);
    const initial = node.initial?.target[0] as AnyStateNode | undefined;
    if (initial !== undefined) lines.push(`${indent}[*] --> ${id(initial)}`);
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      const label = `state "${mermaidStateText(child.key)}" as ${id(child)}`;
      if (Object.keys(child.states).length === 0) {
        lines.push(`${indent}${label}`);
        continue;
      }
      lines.push(`${indent}${label} {`);
      render(child, depth + 1);
      lines.push(`${indent}}`);
    }
    for (const edge of edges.get(node) ?? []) lines.push(`${indent}${edge}`);
  };
  render(root, 1);
  const first = root.initial?.target[0] as AnyStateNode | undefined;
  if ((handled.size > 0 || fromAny.size > 0) && first !== undefined) {
    lines.push(`  note right of ${id(first)}`);
    if (fromAny.size > 0) lines.push('    From every state:', ...[...fromAny].map((line) => `    ${line}`));
    if (handled.size > 0) lines.push('    In every state, handled without leaving it:', `    ${mermaidStateText([...handled].join(', '))}`);
    lines.push('  end note');
  }
  return lines.join('\n');
}

/**
 * Each state's Mermaid id: its path made Mermaid-safe (`opened__swinging`), with `_2`, `_3`, … for
 * a state whose path reads the same as one before it (`e-f` and `e_f`), so no two states merge.
 */
function stateIds(root: AnyStateNode): (node: AnyStateNode) => string {
  const ids = new Map<AnyStateNode, string>();
  const taken = new Set<string>();
  const visit = (node: AnyStateNode) => {
    let candidate = stateId(node);
    for (let n = 2; taken.has(candidate); n++) candidate = `${stateId(node)}_${n}`;
    taken.add(candidate);
    ids.set(node, candidate);
    for (const child of Object.values(node.states) as AnyStateNode[]) visit(child);
  };
  visit(root);
  return (node) => ids.get(node) ?? stateId(node);
}
