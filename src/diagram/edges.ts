/**
 * A statechart's transitions as drawings read them, from the machine's own definition: every
 * transition with a readable label (event, guard), and the two states an edge is drawn between.
 * Shared by the Mermaid text and the live view's SVG.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { EchelonError } from '../errors.js';

/** The parts of a transition a drawing reads. */
export interface Edge {
  readonly source: AnyStateNode;
  readonly targets: readonly AnyStateNode[] | undefined;
  readonly label: string;
}

/** The machine's root state node, or `invalid_option` (naming `where`) for something that is no machine. */
export function machineRoot(machine: AnyStateMachine, where: string): AnyStateNode {
  const root = (machine as Partial<AnyStateMachine> | null | undefined)?.root as AnyStateNode | undefined;
  if (typeof root?.states !== 'object' || root.states === null) {
    throw new EchelonError('invalid_option', `${where} draws an XState machine (createMachine({ … }), or org.actor.logic for the agent statechart).`);
  }
  return root;
}

/** A Mermaid-safe id for a state: its path joined with underscores. */
export function stateId(node: AnyStateNode): string {
  return node.path.length === 0 ? 'root' : node.path.map((key: string) => key.replace(/\W/g, '_')).join('__');
}

/** Every transition of a node and its descendants, with a readable label. */
export function* allEdges(node: AnyStateNode): Generator<Edge> {
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
export function visibleEnds(source: AnyStateNode, target: AnyStateNode): [AnyStateNode, AnyStateNode, AnyStateNode] {
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
  return event.replace(/[:;#\u0000-\u001f\u007f]/g, ' ');
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
