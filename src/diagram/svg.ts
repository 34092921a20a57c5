/**
 * A statechart as an SVG picture, generated from the machine's own definition (the live view draws
 * each agent's chart with this and lights its current state). The top-level states sit on an
 * ellipse, each composite state holds its children in a row, and each pair of states gets one
 * arrow per direction labelled with the events and guards that take it. Every state is a `<g>`
 * with `data-state="<path>"` (`evaluatingEscalation.consulting`), so a page can light states by
 * their path without knowing the chart.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { shownEscaped } from '../show.js';
import { allEdges, machineRoot, visibleEnds } from './edges.js';

interface Box {
  readonly node: AnyStateNode;
  x: number;
  y: number;
  readonly w: number;
  readonly h: number;
  readonly children: Box[];
}

/**
 * The picture's look as presentation attributes, so it reads on its own (a page or a file without
 * the live view's stylesheet); any CSS rule overrides them, so the live view's styles still win.
 */
const LOOK = {
  box: 'fill="#f4f6f9" stroke="#9aa3ae" stroke-width="1.2"',
  name: 'font-family="system-ui, sans-serif" font-size="12" fill="#1d2430" text-anchor="middle"',
  edge: 'fill="none" stroke="#8a93a0" stroke-width="1.1"',
  label: 'font-family="system-ui, sans-serif" font-size="10" fill="#5b6470" text-anchor="middle" paint-order="stroke" stroke="#fff" stroke-width="3" stroke-linejoin="round"',
  mark: 'fill="#8a93a0"',
} as const;

const CHAR = 7.2;
const LEAF_H = 34;
const CHILD_H = 24;

/**
 * Draws a machine as a standalone SVG document fragment (`<svg …>…</svg>`), with no external
 * references.
 *
 * @example
 * ```ts
 * const svg = statechartToSvg(org.actor.logic); // <svg … role="img" aria-label="statechart agent">…
 * document.querySelector('#chart').innerHTML = svg;
 * document.querySelector('[data-state="executing"]')?.classList.add('lit');
 * ```
 */
export function statechartToSvg(machine: AnyStateMachine): string {
  const root = machineRoot(machine, 'statechartToSvg');
  const tops = (Object.values(root.states) as AnyStateNode[]).map(measure);
  const n = tops.length;
  const widest = Math.max(120, ...tops.map((box) => box.w));
  const rx = n <= 1 ? 0 : Math.max(widest * 1.25, (n * (widest + 40)) / (2 * Math.PI) + widest / 2);
  const ry = n <= 1 ? 0 : Math.max(130, rx * 0.62);
  tops.forEach((box, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, n);
    place(box, rx * Math.cos(angle) - box.w / 2, ry * Math.sin(angle) - box.h / 2);
  });
  const boxes = new Map<AnyStateNode, Box>();
  const index = (box: Box) => {
    boxes.set(box.node, box);
    box.children.forEach(index);
  };
  tops.forEach(index);

  const pairs = new Map<string, { from: Box; to: Box; labels: Set<string> }>();
  for (const edge of allEdges(root)) {
    for (const target of edge.targets ?? []) {
      const [fromNode, toNode] = visibleEnds(edge.source, target);
      const from = boxes.get(fromNode);
      const to = boxes.get(toNode);
      if (from === undefined || to === undefined || from === to) continue;
      const key = `${fromNode.id}→${toNode.id}`;
      const pair = pairs.get(key) ?? { from, to, labels: new Set<string>() };
      pair.labels.add(edge.label || 'always');
      pairs.set(key, pair);
    }
  }

  const all = [...boxes.values()];
  const left = Math.min(...all.map((box) => box.x)) - 70;
  const top = Math.min(...all.map((box) => box.y)) - 50;
  const width = Math.max(...all.map((box) => box.x + box.w)) + 70 - left;
  const height = Math.max(...all.map((box) => box.y + box.h)) + 50 - top;
  const parts: string[] = [];
  for (const { from, to, labels } of pairs.values()) parts.push(arrow(from, to, [...labels], pairs.has(`${to.node.id}→${from.node.id}`)));
  const initial = root.initial?.target[0] as AnyStateNode | undefined;
  const first = initial === undefined ? undefined : boxes.get(initial);
  if (first !== undefined) {
    parts.push(`<circle class="initial" cx="${f(first.x - 26)}" cy="${f(first.y + first.h / 2)}" r="5" ${LOOK.mark}/>`);
    parts.push(`<line class="edge" x1="${f(first.x - 21)}" y1="${f(first.y + first.h / 2)}" x2="${f(first.x - 2)}" y2="${f(first.y + first.h / 2)}" marker-end="url(#arrow)" ${LOOK.edge}/>`);
  }
  const states = tops.map(drawBox).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="statechart" viewBox="${f(left)} ${f(top)} ${f(width)} ${f(height)}" role="img" aria-label="statechart ${esc(root.key)}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" ${LOOK.mark}/></marker></defs>` +
    `${parts.join('')}${states}</svg>`
  );
}

/** A state's box, its children measured inside it. */
function measure(node: AnyStateNode): Box {
  const children = (Object.values(node.states) as AnyStateNode[]).map((child): Box => ({ node: child, x: 0, y: 0, w: Math.max(70, child.key.length * CHAR * 0.9 + 16), h: CHILD_H, children: [] }));
  const label = node.key.length * CHAR + 24;
  if (children.length === 0) return { node, x: 0, y: 0, w: Math.max(110, label), h: LEAF_H, children };
  const row = children.reduce((sum, child) => sum + child.w, 0) + 8 * (children.length + 1);
  return { node, x: 0, y: 0, w: Math.max(label, row), h: LEAF_H + CHILD_H + 8, children };
}

function place(box: Box, x: number, y: number): void {
  box.x = x;
  box.y = y;
  let at = x + (box.w - box.children.reduce((sum, child) => sum + child.w + 8, -8)) / 2;
  for (const child of box.children) {
    child.x = at;
    child.y = y + LEAF_H - 6;
    at += child.w + 8;
  }
}

function drawBox(box: Box): string {
  const path = box.node.path.join('.');
  const label = `<text x="${f(box.x + box.w / 2)}" y="${f(box.y + (box.children.length === 0 ? box.h / 2 + 4 : 17))}" ${LOOK.name}>${esc(box.node.key)}</text>`;
  const rx = box.children.length === 0 && box.h === CHILD_H ? 5 : 9;
  return `<g class="state" data-state="${markup(path)}"><rect x="${f(box.x)}" y="${f(box.y)}" width="${f(box.w)}" height="${f(box.h)}" rx="${rx}" ${LOOK.box}/>${label}${box.children.map(drawBox).join('')}</g>`;
}

/** An arrow from one box's border to the other's, bent when the pair is joined both ways. */
function arrow(from: Box, to: Box, labels: string[], bothWays: boolean): string {
  const [ax, ay] = [from.x + from.w / 2, from.y + from.h / 2];
  const [bx, by] = [to.x + to.w / 2, to.y + to.h / 2];
  const [dx, dy] = [bx - ax, by - ay];
  const length = Math.hypot(dx, dy) || 1;
  const bend = bothWays ? 26 : 0;
  const [cx, cy] = [(ax + bx) / 2 - (dy / length) * bend, (ay + by) / 2 + (dx / length) * bend];
  const [sx, sy] = border(from, cx - ax, cy - ay);
  const [ex, ey] = border(to, cx - bx, cy - by);
  const shown = labels.length <= 2 ? labels.join(', ') : `${labels.slice(0, 2).join(', ')} +${labels.length - 2}`;
  const [lx, ly] = [(sx + 2 * cx + ex) / 4, (sy + 2 * cy + ey) / 4];
  return (
    `<g class="transition"><title>${esc(`${from.node.key} → ${to.node.key}: ${labels.join(', ')}`)}</title>` +
    `<path class="edge" d="M${f(sx)} ${f(sy)}Q${f(cx)} ${f(cy)} ${f(ex)} ${f(ey)}" marker-end="url(#arrow)" ${LOOK.edge}/>` +
    `<text class="label" x="${f(lx)}" y="${f(ly - 3)}" ${LOOK.label}>${esc(shown)}</text></g>`
  );
}

/** Where a ray from the box's centre in direction (dx, dy) leaves the box. */
function border(box: Box, dx: number, dy: number): [number, number] {
  const [hw, hh] = [box.w / 2, box.h / 2];
  const t = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
  return [box.x + hw + dx * t, box.y + hh + dy * t];
}

function f(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

/**
 * Text as the drawing shows it: control characters and bidi overrides as their `\u202e`-style escapes
 * (an override would turn the rest of a label around), as the CLI and the live view show them, then
 * the markup characters as entities.
 */
function esc(text: string): string {
  return markup(shownEscaped(text));
}

/** The markup characters as entities: a `data-state` path stays the state's, to be matched against (the live view lights states by it). */
function markup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
