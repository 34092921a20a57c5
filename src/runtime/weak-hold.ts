/**
 * How the organisation holds a reader's iterator (`org.events()`, `org.stream()`): strongly while a
 * read waits, weakly otherwise. A caller that drops an iterator without `return()` — never iterated,
 * or read by hand and let go — can then never read it again, so the collector takes it with what it
 * buffered, and its subscription ends; a `for await` loop waiting for its next event is held, so it
 * gets that event even when nothing else references it.
 */
import { unfollow } from './events.js';

/** Ends the subscriptions of iterators collected without having been closed. */
const collected = new FinalizationRegistry<() => void>((release) => release());

export class WeakHold<T extends object> {
  #weak: WeakRef<T> | undefined;
  #strong: T | undefined;

  /**
   * Holds `target` weakly; `release` runs once it is collected. `release` must not reach `target`
   * (build it where `target` is out of reach), or it would keep it.
   */
  attach(target: T, release: () => void): void {
    this.#weak = new WeakRef(target);
    collected.register(target, release, this);
  }

  /** The target, unless it was collected or let go. */
  get(): T | undefined {
    return this.#strong ?? this.#weak?.deref();
  }

  /** Holds the target strongly (a read waits) or weakly again (none does). */
  hold(strongly: boolean): void {
    this.#strong = strongly ? this.#weak?.deref() : undefined;
  }

  /** Lets go of the target for good (its stream ended); returns it when it was still there. */
  detach(): T | undefined {
    const target = this.get();
    this.#strong = undefined;
    this.#weak = undefined;
    collected.unregister(this);
    return target;
  }
}

/**
 * The ends of a reader held through `hold` (an `org.events()` iterator, an `org.stream()` queue),
 * built apart from it so that none of them holds it. `feeding` names what feeds the reader (a
 * subscription's unsubscribe, a closer to take back); `release` stops all of it and the signal's
 * listener, once; `end` releases and ends the reader with `finish`; `current()` is the reader to
 * hand an event to — or, once its caller let it go without `return()` and it was collected,
 * `undefined`, having released what fed it: nobody can read what it would hold.
 */
export function weakEnds<T extends object>(hold: WeakHold<T>, signal: AbortSignal | undefined, finish: (reader: T) => void) {
  const stops: Array<() => void> = [];
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    for (const stop of stops) stop();
    unfollow(signal, end);
  };
  const end = () => {
    release();
    const reader = hold.detach();
    if (reader !== undefined) finish(reader);
  };
  return {
    release,
    end,
    feeding(stop: () => void): void {
      if (released) stop();
      else stops.push(stop);
    },
    current(): T | undefined {
      const reader = hold.get();
      if (reader === undefined) release();
      return reader;
    },
  };
}
