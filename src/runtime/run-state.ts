/**
 * Whether an organisation still takes work, and who waits for it to finish: drains, and the event
 * iterators and live views to end when it stops.
 */
import { unhandledIsFine } from '../thenable.js';
import type { Ledger } from './ledger.js';

export class RunState {
  stopped = false;
  /** Why the organisation stopped; whoever waits for work it will never finish is told this. */
  haltedBy: unknown;
  /** Event iterators and live views to end when the organisation stops. */
  readonly closers = new Set<() => unknown>();
  /** Aborted, with `haltedBy` as its reason, when the organisation stops (`org.signal`). */
  readonly #stopping = new AbortController();
  readonly #drains: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly ledger: Ledger) {}

  /** Stops taking work and rejects everyone waiting: outcomes, drains. */
  halt(error: unknown): void {
    this.stopped = true;
    this.haltedBy ??= error;
    this.ledger.abandon(this.haltedBy);
    for (const waiter of this.#drains.splice(0)) waiter.reject(this.haltedBy);
  }

  /** The organisation has stopped, every part of it: `signal` aborts, with why. */
  ended(): void {
    this.#stopping.abort(this.haltedBy);
  }

  /** Aborted once the organisation has stopped: by `org.stop()`, or by a failure that stops it. */
  get signal(): AbortSignal {
    return this.#stopping.signal;
  }

  /** Called when a task settles: resolves the drains once nothing is active. */
  settled(): void {
    if (this.ledger.activeCount() === 0) for (const waiter of this.#drains.splice(0)) waiter.resolve();
  }

  /** Resolves when no submitted task is active; rejects with why the organisation stopped first. */
  drained(): Promise<void> {
    if (this.ledger.activeCount() === 0) return Promise.resolve();
    if (this.haltedBy !== undefined) return Promise.reject(this.haltedBy);
    return unhandledIsFine(new Promise<void>((resolve, reject) => this.#drains.push({ resolve, reject })));
  }
}
