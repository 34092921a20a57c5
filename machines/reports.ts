/**
 * How agents start and stop their reports: linear in the number of direct reports and in the
 * depth of the organisation.
 *
 * XState's own children (`spawn` in an entry `assign`) are stopped through one `stopChild` per
 * child, each copying the parent's remaining children map (10,000 reports under one manager: ~30 s
 * to stop), and a chain spawned from entry actions builds each actor inside its parent's
 * construction (Node's stack overflows 300–400 levels deep). So an agent's reports are created
 * with `createActor(agent, { parent, id, systemId })` beside its snapshot's `children`, level by
 * level from the top through one queue, never recursively, then started in that order by one loop;
 * and stopped leaves first, each agent once its reports are stopped, through one loop. They are the same actors as before — in the
 * same actor system, addressed by `systemId`, with their parent as `_parent` (inspectors draw the
 * tree from it) and reporting their errors to it.
 *
 * A restored organisation comes back the same way: the store nests each agent's snapshot in its
 * manager's `children` (as XState restores children); `splitRestored` takes them out again and
 * `restoreReports` creates them top down beside `children`.
 */
import { createActor, type AnyActor, type AnyActorRef } from 'xstate';
import { agentChildId } from './agent.types.js';
import { shareEmpty } from './core/tables.js';

/** What `createActor` gives and XState keeps internal: stopping a child from outside its parent's transition. */
interface StoppableRef {
  readonly _parent?: AnyActorRef;
  _stop(): void;
}

/** The reports each agent has, by agent id. */
export type ChildIds = (agentId: string) => readonly string[];

/** Agents whose reports are still to be created, in the order they were created (top down). */
const waiting: Array<{ readonly parent: AnyActorRef; readonly agentId: string; readonly childIds: ChildIds }> = [];
let draining = false;

/**
 * Creates the agent's reports, and theirs, level by level, and returns them in that order for
 * {@link startReports} — or nothing, when the agent is itself being created by a call further up,
 * which creates its reports in turn. Called while the agent's initial snapshot is computed (in an
 * `enqueueActions`, as XState's own `spawn` creates children while resolving an `assign`), so no
 * actor is built inside a custom action, and no stack grows with the depth.
 */
export function createReports(self: AnyActorRef, agentId: string, childIds: ChildIds): AnyActorRef[] {
  // Once the root's own reports are known (an agent id the hierarchy lacks throws first, with nothing to stop).
  if (self._parent === undefined) {
    childIds(agentId);
    stopAfterRoot(self as AnyActor, agentId, childIds);
  }
  waiting.push({ parent: self, agentId, childIds });
  if (draining) return [];
  draining = true;
  const created: AnyActorRef[] = [];
  try {
    for (let index = 0; index < waiting.length; index++) {
      const { parent, agentId: parentId, childIds: reportsOf } = waiting[index]!;
      waiting[index] = undefined as never;
      for (const childId of reportsOf(parentId)) {
        created.push(createActor((parent as AnyActor).logic, { parent, id: agentChildId(childId), systemId: childId, input: { agentId: childId } }));
      }
    }
  } finally {
    waiting.length = 0;
    draining = false;
  }
  return created;
}

/**
 * XState stops only snapshot children: when the root stops or fails by itself (a fatal store
 * error, an agent's internal error reaching the root), its reports are stopped after it.
 */
function stopAfterRoot(root: AnyActor, rootId: string, childIds: ChildIds): void {
  const stopReports = () => stopOrganisation(root, childIds, rootId);
  root.subscribe({ complete: stopReports, error: stopReports });
}

/**
 * Starts reports made by {@link createReports}, parents before their reports, in one loop: from
 * the agent's entry, once it runs. A report whose manager has already stopped or failed is not started.
 */
export function startReports(reports: readonly AnyActorRef[]): void {
  for (const report of reports) if (report._parent?.getSnapshot().status === 'active') report.start();
}

/**
 * Stops every agent of the organisation under `root`, leaves first: each agent after all of its
 * reports, so no agent ever stops a child of its own, then the root. One loop, whatever the
 * shape. Agents already stopped are passed over.
 */
export function stopOrganisation(root: AnyActor, childIds: ChildIds, rootId = root.systemId!): void {
  const order: string[] = [];
  // A root started without a systemId (an agent chart of echelon/charts on its own) names its agent in `rootId`.
  const stack = [rootId];
  while (stack.length > 0) {
    const agentId = stack.pop()!;
    order.push(agentId);
    for (const childId of childIds(agentId)) stack.push(childId);
  }
  const { system } = root;
  for (let index = order.length - 1; index > 0; index--) {
    const ref = system.get(order[index]!) as (AnyActorRef & StoppableRef) | undefined;
    ref?._stop();
  }
  root.stop();
}

/** A persisted agent snapshot as the store nests them: its reports among its `children`, under `agent:<id>`. */
interface NestedSnapshot {
  readonly children?: Readonly<Record<string, unknown>>;
  readonly context?: unknown;
}

/** A report to restore: where it goes and its own persisted snapshot. */
export interface RestoredReport {
  readonly parentId: string;
  readonly agentId: string;
  readonly snapshot: unknown;
}

/**
 * Splits a restored organisation's nested snapshot into the root's own (its reports taken out of
 * its `children`) and every report's, top down, for {@link restoreReports}: XState would otherwise
 * rebuild the reports as its children, recursively (a deep chain overflows the stack) and stopped
 * one `stopChild` at a time.
 */
export function splitRestored(snapshot: unknown, rootId: string): { readonly root: unknown; readonly reports: RestoredReport[] } {
  const reports: RestoredReport[] = [];
  const own = (agentId: string, nested: NestedSnapshot): unknown => {
    // Empty tables shared again (core/tables.ts): a store's copy may have made them one object.
    const context = shareEmpty(nested.context);
    if (typeof nested.children !== 'object' || nested.children === null) return context === nested.context ? nested : { ...nested, context };
    const children: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(nested.children)) {
      const entry = child as { readonly snapshot?: unknown; readonly systemId?: string };
      if (key.startsWith('agent:') && entry.systemId !== undefined) reports.push({ parentId: agentId, agentId: entry.systemId, snapshot: entry.snapshot });
      else children[key] = child;
    }
    return { ...nested, children, ...(context === nested.context ? {} : { context }) };
  };
  const root = own(rootId, snapshot as NestedSnapshot);
  for (let index = 0; index < reports.length; index++) {
    const report = reports[index]!;
    reports[index] = { ...report, snapshot: own(report.agentId, report.snapshot as NestedSnapshot) };
  }
  return { root, reports };
}

/** Brings back the reports {@link splitRestored} took out, top down, each started as it is made: one loop, whatever the shape. */
export function restoreReports(root: AnyActor, reports: readonly RestoredReport[], childIds: ChildIds): void {
  stopAfterRoot(root, root.systemId!, childIds);
  for (const { parentId, agentId, snapshot } of reports) {
    const parent = root.system.get(parentId) as AnyActorRef | undefined;
    if (parent === undefined) continue;
    const report = createActor(root.logic, { parent, id: agentChildId(agentId), systemId: agentId, snapshot: snapshot as never });
    if (report.getSnapshot().status === 'active') report.start();
  }
}
