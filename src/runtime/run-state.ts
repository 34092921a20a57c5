/**
 * Whether an organisation still takes work, and who waits for it to finish: drains, and the event
 * iterators and live views to end when it stops.
 */
import { unhandledIsFine, withResolvers, type Resolvers } from '../thenable.js';
import type { Ledger } from './ledger.js';

export class RunState {
  stopped = false;
  /** Why the organisation stopped; whoever waits for work it will never finish is told this. */
  haltedBy: unknown;
  /** Event iterators and live views to end when the organisation stops. */
  readonly closers = new Set<() => unknown>();
  /** Aborted, with `haltedBy` as its reason, when the organisation stops (`org.signal`). */
  readonly #stopping = new AbortController();
  /** The one promise every `drain()` shares until nothing is active (a health check calling it under load adds nothing per call). */
  #drain: Resolvers<void> | undefined;

  constructor(private readonly ledger: Ledger) {}

  /** Stops taking work and rejects everyone waiting: outcomes, drains. */
  halt(error: unknown): void {
    this.stopped = true;
    this.haltedBy ??= error;
    this.ledger.abandon(this.haltedBy);
    this.#drain?.reject(this.haltedBy);
    this.#drain = undefined;
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
    if (this.ledger.activeCount() > 0) return;
    this.#drain?.resolve();
    this.#drain = undefined;
  }

  /** Resolves when no submitted task is active; rejects with why the organisation stopped first. */
  drained(): Promise<void> {
    if (this.ledger.activeCount() === 0) return Promise.resolve();
    if (this.haltedBy !== undefined) return Promise.reject(this.haltedBy);
    if (this.#drain === undefined) {
      this.#drain = withResolvers<void>();
      unhandledIsFine(this.#drain.promise);
    }
    return this.#drain.promise;
  }
}
