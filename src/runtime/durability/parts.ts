/**
 * Tasks in an agent's snapshot, stored once each. An agent's context holds whole tasks — its
 * queue, what it runs, parks, escalated, splits — and a busy worker's queue is long; writing
 * its snapshot again at every change would rewrite every queued task each time. So each task
 * object in a snapshot is stored as a part of its own, under a key, and the snapshot holds
 * `{ "echelon$part": key }` in its place: a write carries only the tasks that are new to the
 * agent (by object identity — XState's context keeps unchanged tasks as the same objects)
 * and the keys it no longer references. An approval request a parked task waits on carries the
 * task's payload, so it is a part as well (a request is replaced, never changed in place).
 */
import type { ApprovalRequest, Task } from '../../types.js';
import type { PersistedSnapshot, SnapshotPart } from '../../store/types.js';

const MARKER = 'echelon$part';

const isTask = (value: object): value is Task => {
  const candidate = value as Partial<Task>;
  return typeof candidate.id === 'string' && typeof candidate.rootId === 'string' && Array.isArray(candidate.chain) && typeof candidate.origin === 'object';
};

const isApprovalRequest = (value: object): value is ApprovalRequest => {
  const candidate = value as Partial<ApprovalRequest>;
  return typeof candidate.id === 'string' && typeof candidate.taskId === 'string' && typeof candidate.requester === 'string' && typeof candidate.quorum === 'number' && 'payload' in candidate;
};

/** What is stored once, as a part: objects that hold a task's payload and are never changed in place. */
const isPart = (value: object) => isTask(value) || isApprovalRequest(value);

const isReference = (value: object): value is { [MARKER]: string } => typeof (value as Record<string, unknown>)[MARKER] === 'string';

/** Which of an agent's parts a write adds, and which it no longer references. */
export interface PartChanges {
  readonly added: readonly SnapshotPart[];
  readonly removed: readonly string[];
}

/** One agent's parts: which task objects are stored under which key. */
export class AgentParts {
  /** Each task object stored, with the reference that stands for it (made once: writes allocate little). */
  readonly #keys = new WeakMap<object, { readonly key: string; readonly reference: object }>();
  #live = new Set<string>();
  #next = 0;
  /** Keys are `<session>.<n>`: unique across the processes that write the same store. */
  readonly #session: number;

  constructor(session: number) {
    this.#session = session;
  }

  /**
   * Starts a write: `encode` replaces each task in a value by a reference to its part (call it
   * on every piece of the snapshot), `finish` says which parts are new and which are no longer used.
   */
  round(): { encode(value: unknown): unknown; finish(): PartChanges } {
    const live = new Set<string>();
    const added: SnapshotPart[] = [];
    const walk = (value: unknown): unknown => {
      if (typeof value !== 'object' || value === null) return value;
      if (Array.isArray(value)) return value.map(walk);
      if (isPart(value)) {
        let known = this.#keys.get(value);
        if (known === undefined) {
          const key = `${this.#session}.${this.#next++}`;
          known = { key, reference: { [MARKER]: key } };
          this.#keys.set(value, known);
        }
        if (!this.#live.has(known.key) && !live.has(known.key)) added.push({ key: known.key, value });
        live.add(known.key);
        return known.reference;
      }
      const copy: Record<string, unknown> = {};
      for (const name in value) copy[name] = walk((value as Record<string, unknown>)[name]);
      return copy;
    };
    return {
      encode: walk,
      finish: () => {
        const removed = [...this.#live].filter((key) => !live.has(key));
        this.#live = live;
        return { added, removed };
      },
    };
  }

  /**
   * Puts the stored parts back in place of their references, and remembers them: tasks that
   * stay as they are after the restore are not written again. Returns `undefined` when a
   * reference has no part (a damaged store).
   */
  decode(snapshot: PersistedSnapshot, parts: Readonly<Record<string, unknown>>): PersistedSnapshot | undefined {
    let intact = true;
    const objects = new Map<string, object>();
    const walk = (value: unknown): unknown => {
      if (typeof value !== 'object' || value === null) return value;
      if (Array.isArray(value)) return value.map(walk);
      if (isReference(value)) {
        const key = value[MARKER];
        let part = objects.get(key);
        if (part === undefined) {
          const stored = parts[key];
          if (typeof stored !== 'object' || stored === null) {
            intact = false;
            return value;
          }
          part = stored;
          objects.set(key, part);
          this.#keys.set(part, { key, reference: value });
        }
        return part;
      }
      const copy: Record<string, unknown> = {};
      for (const name in value) copy[name] = walk((value as Record<string, unknown>)[name]);
      return copy;
    };
    const decoded = walk(snapshot) as PersistedSnapshot;
    this.#live = new Set(objects.keys());
    return intact ? decoded : undefined;
  }
}
