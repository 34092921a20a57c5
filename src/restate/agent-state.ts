/**
 * An agent's persisted state in its virtual object: a small header (the agent's counters,
 * queues and load) and one state key per held-task record, so a message rewrites only the
 * records it changed. Restoring it is the agent's context as the in-process host's snapshot
 * holds it; the agent chart is resumed over it for each message (`agent-turn.ts`).
 */
import type { AgentContext, HeldTask } from '../../machines/agent.machine.js';

/** The object-state keys: the header, and one per held task. */
export const HEADER = 'agent';
const HELD = 'h:';

/** The header: the context without its table, and the ids the table holds. */
type Header = Omit<AgentContext, 'held' | 'current'> & { readonly heldIds: readonly string[] };

/** The part of a Restate object context this module needs. */
export interface StateAccess {
  get<T>(name: string): Promise<T | null>;
  set<T>(name: string, value: T): void;
  clear(name: string): void;
}

/** A restored agent, and what its records were as loaded (to write only what changed). */
export interface LoadedAgent {
  readonly context: AgentContext | undefined;
  readonly written: ReadonlyMap<string, string>;
}

/** Reads the agent's state: `context` undefined for an agent that never handled a message. */
export async function loadAgent(state: StateAccess): Promise<LoadedAgent> {
  const header = await state.get<Header>(HEADER);
  const written = new Map<string, string>();
  if (header === null) return { context: undefined, written };
  const held: Record<string, HeldTask> = {};
  const records = await Promise.all(header.heldIds.map((id) => state.get<HeldTask>(HELD + id)));
  header.heldIds.forEach((id, index) => {
    const record = records[index];
    if (record === null || record === undefined) return;
    held[id] = record;
    written.set(id, JSON.stringify(record));
  });
  const { heldIds: _ids, ...rest } = header;
  return { context: { ...rest, held, current: null }, written };
}

/** Writes the agent's state back: the header, the records that changed, and clears the ones it let go. */
export function saveAgent(state: StateAccess, context: AgentContext, before: LoadedAgent): void {
  const { held, current: _current, ...rest } = context;
  const heldIds = Object.keys(held);
  for (const id of heldIds) {
    const json = JSON.stringify(held[id]);
    if (before.written.get(id) !== json) state.set(HELD + id, held[id]);
  }
  for (const id of before.written.keys()) if (!(id in held)) state.clear(HELD + id);
  state.set<Header>(HEADER, { ...rest, heldIds });
}
