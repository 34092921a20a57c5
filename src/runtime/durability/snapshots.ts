/**
 * Agents' statecharts in and out of a store. Each agent is stored on its own — its XState
 * persisted snapshot without its child agents, its tasks stored apart — so a change at one
 * agent rewrites one small row, not the organisation. On restore the rows are nested back into one snapshot of the root (XState
 * restores spawned children from their parent's snapshot), after checking that the stored
 * organisation has the shape of the one being started.
 */
import type { AnyActor, AnyActorRef, Snapshot } from 'xstate';
import { agentChildId } from '../../../machines/agent.machine.js';
import { EchelonError } from '../../errors.js';
import type { Hierarchy } from '../../hierarchy/hierarchy.js';
import { AgentParts } from './parts.js';
import { show } from '../../show.js';
import type { PersistedSnapshot, StoredAgentLink, StoredOrganisation, StoredSnapshot, StoreHeader } from '../../store/types.js';

/**
 * The format of stored agent snapshots. Bump it when a change to the statecharts (state names,
 * context fields) would make older snapshots restore wrongly; a store written with another
 * format is refused with `store_version_unsupported`, resumed or replayed ({@link checkSnapshotFormat}).
 */
export const SNAPSHOT_FORMAT = 2;

/**
 * Refuses (`store_version_unsupported`) a store whose agent snapshots are of another format than
 * {@link SNAPSHOT_FORMAT}, naming the format found and the one this echelon reads: the one rule
 * for resuming a store (`resume`) and for replaying it (`replay`). No older format can be brought
 * up to this one (none is kept that could), so none is migrated.
 */
export function checkSnapshotFormat(header: Pick<StoreHeader, 'snapshotFormat'>, storeName: string, doing: 'resume' | 'replay'): void {
  if (header.snapshotFormat === SNAPSHOT_FORMAT) return;
  throw new EchelonError(
    'store_version_unsupported',
    `${storeName} holds agent snapshots of format ${show(header.snapshotFormat)}; this version of echelon reads format ${SNAPSHOT_FORMAT}. ${doing === 'resume' ? 'Resume' : 'Replay'} it with the echelon version that wrote it.`,
    { details: { store: storeName, found: header.snapshotFormat, supported: SNAPSHOT_FORMAT } },
  );
}

/** The organisation's shape: each agent and its parent, in the hierarchy's order. */
export function agentLinks(hierarchy: Hierarchy): StoredAgentLink[] {
  return hierarchy.nodes().map((node) => ({ id: node.id, parent: node.parentId ?? null }));
}

/** Refuses a store whose organisation has another shape than `hierarchy` (agents added, removed or moved). */
export function checkShape(stored: readonly StoredAgentLink[], hierarchy: Hierarchy, storeName: string): void {
  const now = new Map(agentLinks(hierarchy).map((link) => [link.id, link.parent]));
  const then = new Map(stored.map((link) => [link.id, link.parent]));
  const problems: string[] = [];
  for (const [id, parent] of then) {
    if (!now.has(id)) problems.push(`agent "${id}" is stored but not in this hierarchy`);
    else if (now.get(id) !== parent) problems.push(`agent "${id}" reported to ${parent ?? 'nobody'}, now to ${now.get(id) ?? 'nobody'}`);
  }
  for (const id of now.keys()) if (!then.has(id)) problems.push(`agent "${id}" is new in this hierarchy`);
  if (problems.length > 0) {
    throw new EchelonError(
      'store_incompatible',
      `The organisation stored in ${storeName} has another shape than this hierarchy: ${problems.join('; ')}. ` +
        'Resume it with the hierarchy it was stored with (finish or cancel its work first), or start from a new store.',
      { details: { store: storeName, problems } },
    );
  }
}

/**
 * Each agent's snapshots as they are written and read back: an agent that only processed
 * events changing nothing (XState kept its snapshot, context and helpers' snapshots as they
 * were) is not written again, and its tasks are stored as parts (see `parts.ts`).
 */
export class SnapshotBook {
  readonly #seen = new Map<string, unknown[]>();
  readonly #parts = new Map<string, AgentParts>();
  readonly #session: number;

  constructor(session: number) {
    this.#session = session;
  }

  /** What to write for the agent, or `undefined` when nothing changed since it was last written. */
  write(agentId: string, ref: AnyActorRef): StoredSnapshot | undefined {
    const now = identity(ref);
    const before = this.#seen.get(agentId);
    if (before !== undefined && before.length === now.length && before.every((part, index) => part === now[index])) return undefined;
    this.#seen.set(agentId, now);
    const round = this.#partsOf(agentId).round();
    // The context is encoded before XState persists it: XState then walks references, not whole queues of tasks.
    const snapshot = ref.getSnapshot() as Snapshot<unknown> & { context: unknown; children: Record<string, AnyActorRef> };
    const children: Record<string, AnyActorRef> = {};
    for (const id in snapshot.children) if (!id.startsWith('agent:')) children[id] = snapshot.children[id]!;
    const persisted = (ref as AnyActor).logic.getPersistedSnapshot({ ...snapshot, context: round.encode(snapshot.context), children }) as PersistedSnapshot;
    const encoded = { ...persisted, children: round.encode(persisted.children) };
    const { added, removed } = round.finish();
    return { id: agentId, snapshot: encoded, addedParts: added, removedParts: removed };
  }

  /** Nests the stored agents back into one persisted snapshot of the root, as XState restores it. */
  restore(hierarchy: Hierarchy, stored: Pick<StoredOrganisation, 'snapshots' | 'parts'>, storeName: string): Snapshot<unknown> {
    const nest = (agentId: string): PersistedSnapshot => {
      const encoded = stored.snapshots[agentId];
      const own = encoded === undefined ? undefined : this.#partsOf(agentId).decode(encoded, stored.parts[agentId] ?? {});
      if (own === undefined || typeof own.children !== 'object' || own.children === null) {
        throw new EchelonError('store_corrupt', `${storeName} has no usable snapshot of agent "${agentId}"; the store is damaged.`, { details: { store: storeName, agentId } });
      }
      const children: Record<string, unknown> = { ...(own.children as Record<string, unknown>) };
      for (const childId of hierarchy.get(agentId).childIds) {
        children[agentChildId(childId)] = { snapshot: nest(childId), src: 'agent', systemId: childId, syncSnapshot: false };
      }
      return { ...own, children };
    };
    return nest(hierarchy.root.id) as unknown as Snapshot<unknown>;
  }

  #partsOf(agentId: string): AgentParts {
    let parts = this.#parts.get(agentId);
    if (parts === undefined) this.#parts.set(agentId, (parts = new AgentParts(this.#session)));
    return parts;
  }
}

/**
 * What changes whenever the agent's persisted snapshot would: its snapshot object (XState makes a
 * new one when the state changes) and its context's version (the agent changes its table of held
 * tasks in place, and counts every change).
 */
function identity(ref: AnyActorRef): unknown[] {
  const snapshot = ref.getSnapshot() as { context?: { version?: number } };
  return [snapshot, snapshot.context?.version];
}
