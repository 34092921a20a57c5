/**
 * The contexts echelon hands to user code — a strategy's at every hop, an executor's at every
 * attempt, a decomposer's, an approver's — each have an own, enumerable `signal`, made only when
 * read. They are built on this class rather than as object literals with a getter
 * (`{ get signal() { … } }`): V8 gives every such literal its own hidden class, holding its own
 * getter closure, and the young-generation collector keeps whatever that closure reaches alive
 * until the next full collection. For a strategy's context that is the whole hop — the task, its
 * candidates, the decision — so every hop's garbage was promoted to the old generation, scavenges
 * took 5–10× as long and full collections came far more often (bench/README.md, "Fifth pass").
 * Here the getter is one function for every context. It reads the context's own thunk under a
 * symbol, not a private field, so that the getter also answers through a wrapper — a `Proxy`, or an
 * object whose prototype is the context — as a literal's getter did.
 */
const SIGNAL = Symbol('signal');

/**
 * An own, enumerable property whose value a thunk stored under `key` gives when read: one getter
 * for every object it is defined on (the thunk under a symbol key stays out of `Object.keys`,
 * `JSON.stringify` and `for…in`).
 */
export function thunkAccessor(key: symbol): PropertyDescriptor {
  return {
    get(this: Record<symbol, () => unknown>): unknown {
      return this[key]!();
    },
    enumerable: true,
    configurable: true,
  };
}

export abstract class LazySignal {
  /** The thunk `signal` reads. */
  readonly [SIGNAL]: () => AbortSignal;

  static readonly #descriptor = thunkAccessor(SIGNAL);

  protected constructor(signal: () => AbortSignal) {
    this[SIGNAL] = signal;
  }

  /** Defines the own `signal` here, in the order the context's properties are made. */
  protected defineSignal(): void {
    Object.defineProperty(this, 'signal', LazySignal.#descriptor);
  }
}
