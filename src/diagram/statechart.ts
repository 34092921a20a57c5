/**
 * A statechart as a Mermaid state diagram, generated from the machine's own definition (so the
 * picture cannot drift from the code). Transitions leaving a nested state are drawn from its
 * top-most ancestor below the common parent, which is how Mermaid lays composite states out;
 * messages handled without changing state are listed in a note.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';

/** The parts of a transition the drawing reads. */
interface Edge {
  readonly source: AnyStateNode;
  readonly targets: readonly AnyStateNode[] | undefined;
  readonly label: string;
}

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
  const root = machine.root as AnyStateNode;
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
      for (const target of edge.targets) fromAny.add(`${edge.label} → ${target.key}`);
      continue;
    }
    for (const target of edge.targets) {
      const [from, to, parent] = visibleEnds(edge.source, target);
      const lines = edges.get(parent) ?? new Set<string>();
      lines.add(`${stateId(from)} --> ${stateId(to)}${edge.label === '' ? '' : `: ${edge.label}`}`);
      edges.set(parent, lines);
    }
  }
  const lines = ['stateDiagram-v2'];
  const render = (node: AnyStateNode, depth: number) => {
    const indent = '  '.repeat(depth);
    const initial = node.initial?.target[0] as AnyStateNode | undefined;
    if (initial !== undefined) lines.push(`${indent}[*] --> ${stateId(initial)}`);
    for (const child of Object.values(node.states) as AnyStateNode[]) {
      const label = `state "${child.key.replace(/"/g, "'")}" as ${stateId(child)}`;
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
    lines.push(`  note right of ${stateId(first)}`);
    if (fromAny.size > 0) lines.push('    From every state:', ...[...fromAny].map((line) => `    ${line}`));
    if (handled.size > 0) lines.push('    In every state, handled without leaving it:', `    ${[...handled].join(', ')}`);
    lines.push('  end note');
  }
  return lines.join('\n');
}

/** A Mermaid-safe id for a state: its path joined with underscores. */
function stateId(node: AnyStateNode): string {
  return node.path.length === 0 ? 'root' : node.path.map((key: string) => key.replace(/\W/g, '_')).join('__');
}

/** Every transition of a node and its descendants, with a readable label. */
function* allEdges(node: AnyStateNode): Generator<Edge> {
  for (const [event, transitions] of node.transitions) {
    for (const transition of transitions) {
      const guard = guardName(transition.guard);
      yield { source: node, targets: transition.target as AnyStateNode[] | undefined, label: [eventName(event), guard && `[${guard}]`].filter(Boolean).join(' ') };
    }
  }
  for (const transition of node.always ?? []) {
    const guard = guardName(transition.guard);
    yield { source: node, targets: transition.target as AnyStateNode[] | undefined, label: guard ? `[${guard}]` : '[otherwise]' };
  }
  for (const child of Object.values(node.states) as AnyStateNode[]) yield* allEdges(child);
}

/**
 * The two states to draw an edge between, and the composite that holds it: below the nearest
 * common ancestor, the ancestors of source and target (or themselves).
 */
function visibleEnds(source: AnyStateNode, target: AnyStateNode): [AnyStateNode, AnyStateNode, AnyStateNode] {
  const chain = (node: AnyStateNode) => {
    const nodes: AnyStateNode[] = [];
    for (let at: AnyStateNode | undefined = node; at !== undefined; at = at.parent) nodes.unshift(at);
    return nodes;
  };
  const a = chain(source);
  const b = chain(target);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  if (common === a.length || common === b.length) return [source, target, source.parent ?? source];
  return [a[common]!, b[common]!, a[common - 1]!];
}

function eventName(event: string): string {
  const done = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
  if (done !== null) return `${done[2] === '*' ? 'a child' : done[2]} ${done[1] === 'done' ? 'answered' : 'failed'}`;
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  if (after !== null) return `after ${after[1]}${/^\d+$/.test(after[1]!) ? ' ms' : ''}`;
  return event.replace(/[:;#\n]/g, ' ');
}

function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && 'type' in guard) {
    const { type, params } = guard as { type: unknown; params?: unknown };
    const detail = typeof params === 'object' && params !== null ? Object.values(params).filter((value) => typeof value === 'string') : [];
    return [String(type), ...detail].join(' ');
  }
  if (typeof guard === 'function') {
    const inner = (guard as { guards?: unknown[] }).guards;
    if (inner === undefined) return guard.name || 'guard';
    const names = inner.map(guardName);
    if (guard.name === 'not') return `not ${names.join('')}`;
    return names.join(` ${guard.name} `);
  }
  return 'guard';
}
