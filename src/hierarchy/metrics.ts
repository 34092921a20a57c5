/**
 * Structural metrics of a hierarchy — the reference's `HierarchyMetrics` — and a check of
 * each agent's span of control against the typical spans per role (warnings, not errors).
 */
import { EchelonError } from '../errors.js';
import { anything, checkShape, fields, readingCaller, shapeContext } from '../shape/index.js';
import { show } from '../show.js';
import type { Hierarchy } from './hierarchy.js';
import { ROLES, type Role } from './types.js';

/** Refuses, at the door, a first argument that is no hierarchy (a spec not yet built, say). */
function checkHierarchy(where: string, value: unknown): void {
  const nodes = readingCaller(where, 'invalid_option', 'its hierarchy', () => (value as Partial<Hierarchy> | null | undefined)?.nodes);
  if (typeof nodes !== 'function') {
    throw new EchelonError('invalid_option', `${where} needs a hierarchy (defineHierarchy(), hierarchyFromList() or a preset such as developmentTeam()), got ${show(value)}.`);
  }
}

/** The shape of an organisation in numbers. */
export interface HierarchyMetrics {
  /** Number of levels (a lone root has depth 1). */
  readonly depth: number;
  readonly totalNodes: number;
  /** Agents at each level, root level first. */
  readonly breadthByLevel: readonly number[];
  /** Direct reports per agent that has any: average, maximum, minimum (all 0 for a lone root). */
  readonly spanOfControl: { readonly avg: number; readonly max: number; readonly min: number };
}

/**
 * Computes depth, breadth per level, total nodes and span of control.
 *
 * @example
 * ```ts
 * hierarchyMetrics(developmentTeam());
 * // { depth: 4, totalNodes: 8, breadthByLevel: [1, 2, 3, 2], spanOfControl: { avg: 1.4, max: 2, min: 1 } }
 * ```
 */
export function hierarchyMetrics(hierarchy: Hierarchy): HierarchyMetrics {
  checkHierarchy('hierarchyMetrics', hierarchy);
  const breadthByLevel: number[] = [];
  const spans: number[] = [];
  for (const node of hierarchy.nodes()) {
    breadthByLevel[node.level] = (breadthByLevel[node.level] ?? 0) + 1;
    if (node.childIds.length > 0) spans.push(node.childIds.length);
  }
  // A loop, not Math.max(...spans): spreading 100,000 spans overflows the call stack.
  let total = 0;
  let max = 0;
  let min = Infinity;
  for (const span of spans) {
    total += span;
    if (span > max) max = span;
    if (span < min) min = span;
  }
  const spanOfControl = spans.length === 0 ? { avg: 0, max: 0, min: 0 } : { avg: total / spans.length, max, min };
  return { depth: breadthByLevel.length, totalNodes: hierarchy.size, breadthByLevel, spanOfControl };
}

/** A span range, inclusive. */
export interface SpanRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The reference's "typical span" table: how many direct reports each role usually has.
 * Workers are leaves (`null`: they should have no reports).
 */
export const TYPICAL_SPANS = {
  executive: { min: 2, max: 5 },
  manager: { min: 3, max: 7 },
  specialist: { min: 2, max: 4 },
  worker: null,
} as const satisfies Record<Role, SpanRange | null>;

/** An agent whose span of control is outside the typical range for its role. */
export interface SpanWarning {
  readonly agentId: string;
  readonly role: Role;
  readonly span: number;
  /** The expected range, or `null` when the role should have no reports at all. */
  readonly expected: SpanRange | null;
  readonly message: string;
}

/**
 * Compares every agent that has reports with the typical span for its role.
 * Returns warnings (an organisation outside the table still works); pass your own table to
 * change the ranges (roles it leaves out keep the typical ones). A table that is none — an unknown
 * role, a range without `min` and `max`, or with `min` above `max` — is refused with `invalid_option`.
 *
 * @example
 * ```ts
 * checkSpans(developmentTeam()).map((w) => w.agentId);
 * // ['backend_lead', 'api_specialist', 'frontend_lead', 'react_specialist']
 * ```
 */
export function checkSpans(
  hierarchy: Hierarchy,
  spans: Readonly<Partial<Record<Role, SpanRange | null>>> = TYPICAL_SPANS,
): SpanWarning[] {
  checkHierarchy('checkSpans', hierarchy);
  const table = spanTable(spans);
  const warnings: SpanWarning[] = [];
  for (const node of hierarchy.nodes()) {
    const span = node.childIds.length;
    if (span === 0) continue;
    const expected = table[node.role];
    if (expected === null) {
      warnings.push({ agentId: node.id, role: node.role, span, expected, message: `${node.role} "${node.id}" has ${span} direct report(s); ${node.role}s are usually leaves.` });
    } else if (span < expected.min || span > expected.max) {
      warnings.push({
        agentId: node.id,
        role: node.role,
        span,
        expected,
        message: `${node.role} "${node.id}" has ${span} direct report(s); ${/^[aeiou]/.test(node.role) ? 'an' : 'a'} ${node.role} typically has ${expected.min}–${expected.max}.`,
      });
    }
  }
  return warnings;
}

const SPANS = fields(Object.fromEntries(ROLES.map((role) => [role, anything])));

/** The roles' ranges: those given (each `null` or `{ min, max }` with 0 ≤ min ≤ max), the typical ones for the rest. */
function spanTable(spans: Readonly<Partial<Record<Role, SpanRange | null>>>): Readonly<Record<Role, SpanRange | null>> {
  checkShape(spans, SPANS, '', shapeContext('checkSpans', 'invalid_option'));
  const table: Record<Role, SpanRange | null> = { ...TYPICAL_SPANS };
  for (const [role, range] of Object.entries(spans) as [Role, unknown][]) {
    // A role given as undefined (a table built with `cond ? range : undefined`) keeps its typical span, as one left out does.
    if (range === undefined) continue;
    if (range !== null) {
      const { min, max } = range as Partial<SpanRange>;
      if (typeof min !== 'number' || typeof max !== 'number' || !(min >= 0) || !(max >= min)) {
        throw new EchelonError('invalid_option', `checkSpans: ${role} must be null (no reports) or { min, max } with 0 ≤ min ≤ max, got ${show(range)}.`, { details: { role } });
      }
    }
    table[role] = range as SpanRange | null;
  }
  return table;
}
