/**
 * The agent's tables and lines, made when first written. Most agents of a large organisation never
 * hold a task, wait for an approval or remember a cancellation: a fresh context shares one frozen
 * empty object per field (100,000 agents would otherwise carry 700,000 empty objects), and a
 * handler about to write asks for the agent's own here. Reading needs nothing: a shared empty
 * reads as empty, and a write that forgot to ask throws (it is frozen) instead of writing into
 * every agent at once. Each field has its own shared empty, so a copy of one context (JSON, or a
 * `structuredClone`, which keeps shared references shared) never makes two of its fields one object.
 */
import type { AgentContext } from '../agent.types.js';

/** The tables of the context, by name. */
type TableName = 'held' | 'load' | 'approvals' | 'escalations' | 'cancelled';
/** The lines (oldest first). */
type LineName = 'ready' | 'queue';
type Tables = { -readonly [K in TableName | LineName]: AgentContext[K] };

const emptyTable = () => Object.freeze({}) as Record<string, never>;
// Frozen, typed as the lines they stand in for.
const emptyLine = () => Object.freeze([]) as unknown as string[];

/** The shared empties every fresh context starts with, one per field. */
const EMPTY: Readonly<Tables> = Object.freeze({
  held: emptyTable(),
  load: emptyTable(),
  ready: emptyLine(),
  queue: emptyLine(),
  approvals: emptyTable(),
  escalations: emptyTable(),
  cancelled: emptyTable(),
});

const NAMES = Object.keys(EMPTY) as (keyof Tables)[];

/** The tables and lines of a fresh context: all shared, all empty. */
export function emptyTables(): Readonly<Tables> {
  return EMPTY;
}

/** The agent's own table `name`, made now if it still shares the empty one. */
export function table<K extends TableName>(ctx: AgentContext, name: K): AgentContext[K] {
  const current = ctx[name];
  if (current !== EMPTY[name]) return current;
  const own = {} as AgentContext[K];
  (ctx as Tables)[name] = own;
  return own;
}

/** Appends `taskId` to the agent's line `name` (made now if it still shares the empty one). */
export function enlist(ctx: AgentContext, name: LineName, taskId: string): void {
  const current = ctx[name];
  if (current !== EMPTY[name]) current.push(taskId);
  else (ctx as Tables)[name] = [taskId];
}

/**
 * A restored context with its empty tables and lines shared again. A store may hand back several
 * agents' snapshots from one copy (a `structuredClone` of a batch makes each shared empty one
 * object for every agent in it); an empty table is then replaced, so no two agents write into one.
 */
export function shareEmpty(context: unknown): unknown {
  if (typeof context !== 'object' || context === null) return context;
  const restored = context as Partial<Tables>;
  let shared: Partial<Tables> | undefined;
  for (const name of NAMES) {
    const value = restored[name] as object | undefined;
    if (value === undefined || value === EMPTY[name] || !isEmpty(value)) continue;
    shared ??= { ...restored };
    (shared as Record<string, unknown>)[name] = EMPTY[name];
  }
  return shared ?? context;
}

function isEmpty(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const _ in value) return false;
  return true;
}
