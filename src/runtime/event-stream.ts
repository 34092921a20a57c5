/**
 * Lifecycle events as an async iterator (`for await (const event of org.events())`). The
 * subscription starts when the iterator is created — nothing emitted before the first read is
 * lost — and ends on `break` / `return()`, on the abort signal, or when the orchestrator stops,
 * whichever comes first; events already held are still read. A reader that falls `maxBuffered`
 * events behind is let go: it reads what was held, then `next()` rejects with `events_overflow`.
 * An iterator dropped without `return()` is collected, and its subscription with it.
 */
import { EchelonError } from '../errors.js';
import { anything, checkShape, fields, number, shapeContext } from '../shape/index.js';
import { show } from '../show.js';
import { whenAborted } from './events.js';
import { WeakHold, weakEnds } from './weak-hold.js';

/** Options of `org.events()`. */
export interface EventStreamOptions {
  /** Ends the iteration when aborted (the loop finishes normally; it does not throw). */
  readonly signal?: AbortSignal;
  /**
   * Events held for a reader that has not read them yet, at most (default 100,000; `Infinity` for
   * no bound). One more and the reader is let go: it reads the events held, then `next()` rejects
   * with `events_overflow`. The organisation and other readers go on.
   */
  readonly maxBuffered?: number;
}

/** Unread events a reader may fall behind by default: a stalled reader costs memory, not the process. */
export const DEFAULT_MAX_BUFFERED = 100_000;

const EVENT_STREAM_OPTIONS = fields({ signal: anything, maxBuffered: number } satisfies Record<keyof EventStreamOptions, typeof anything>);

/** Refuses options `org.events()` does not know, and a `maxBuffered` that is no count; the bound to use. */
export function checkEventStreamOptions(where: string, options: unknown): number {
  if (options === undefined) return DEFAULT_MAX_BUFFERED;
  checkShape(options, EVENT_STREAM_OPTIONS, '', { ...shapeContext(where, 'invalid_option'), subject: 'its options' });
  const { maxBuffered = DEFAULT_MAX_BUFFERED } = options as EventStreamOptions;
  if (!(maxBuffered === Number.POSITIVE_INFINITY || (Number.isInteger(maxBuffered) && maxBuffered >= 1))) {
    throw new EchelonError('invalid_option', `${where}: maxBuffered must be a whole number ≥ 1 (or Infinity), got ${show(maxBuffered)}.`);
  }
  return maxBuffered;
}

/** An event iterator and the function that ends it from outside. */
export interface EventStream<E> {
  readonly iterator: AsyncIterableIterator<E>;
  close(): void;
}

type Reader<E> = { readonly resolve: (result: IteratorResult<E>) => void; readonly reject: (error: unknown) => void };

const DONE: IteratorResult<never> = { done: true, value: undefined };

/**
 * Turns a listener subscription into an async iterator. `subscribe` is called at once with the
 * function to push events to and returns the unsubscribe function; `onClose` runs once, when
 * the stream ends.
 *
 * What the organisation keeps — the subscription, the abort signal's listener, the closer `stop()`
 * runs — holds the iterator only weakly while no read waits (`WeakHold`): one dropped without
 * `return()` is collected with the events it held, and its subscription ends at its next event.
 */
export function eventStream<E>(
  subscribe: (push: (event: E) => void) => () => void,
  options: EventStreamOptions & { readonly maxBuffered: number },
  onClose?: (close: () => void) => void,
): EventStream<E> {
  const hold = new WeakHold<EventBuffer<E>>();
  const { close, release } = subscription(hold, subscribe, options.signal, onClose);
  const iterator = new EventBuffer<E>(options.maxBuffered, hold, close);
  hold.attach(iterator, release);
  whenAborted('org.events', options.signal, close, close);
  return { iterator, close };
}

/**
 * The subscription's side, built apart from the iterator so that none of its closures holds it:
 * each event, the signal and `stop()` reach it through `hold` (`weakEnds`).
 */
function subscription<E>(hold: WeakHold<EventBuffer<E>>, subscribe: (push: (event: E) => void) => () => void, signal: AbortSignal | undefined, onClose?: (close: () => void) => void) {
  const ends = weakEnds(hold, signal, (iterator) => iterator.end());
  ends.feeding(subscribe((event) => ends.current()?.push(event)));
  if (onClose !== undefined) ends.feeding(() => onClose(ends.end));
  return { close: ends.end, release: ends.release };
}

/** The iterator: events held for its reader, and the reads waiting for events. */
class EventBuffer<E> implements AsyncIterableIterator<E> {
  // Held events are read from `head`; the array is cut down once most of it has been read.
  #held: E[] = [];
  #head = 0;
  readonly #readers: Reader<E>[] = [];
  #closed = false;
  #overflow: EchelonError | undefined;
  readonly #maxBuffered: number;
  readonly #hold: WeakHold<EventBuffer<E>>;
  readonly #close: () => void;

  constructor(maxBuffered: number, hold: WeakHold<EventBuffer<E>>, close: () => void) {
    this.#maxBuffered = maxBuffered;
    this.#hold = hold;
    this.#close = close;
  }

  push(event: E): void {
    if (this.#closed) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      if (this.#readers.length === 0) this.#hold.hold(false);
      return reader.resolve({ done: false, value: event });
    }
    if (this.#held.length - this.#head >= this.#maxBuffered) {
      this.#overflow = new EchelonError(
        'events_overflow',
        `org.events(): the reader fell ${this.#maxBuffered} events behind (maxBuffered) and was let go; the organisation went on. Read faster, listen to fewer types, or raise maxBuffered.`,
        { details: { maxBuffered: this.#maxBuffered } },
      );
      return this.#close();
    }
    this.#held.push(event);
  }

  /** No more events come: readers wait only while nothing is held, so they end (or learn of the overflow) now. */
  end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#hold.hold(false);
    for (const reader of this.#readers.splice(0)) this.#settle(reader);
  }

  #settle(reader: Reader<E>): void {
    const error = this.#overflow;
    this.#overflow = undefined;
    if (error === undefined) reader.resolve(DONE);
    else reader.reject(error);
  }

  next(): Promise<IteratorResult<E>> {
    if (this.#head < this.#held.length) {
      const value = this.#held[this.#head]!;
      this.#held[this.#head++] = undefined as E;
      if (this.#head > 1024 && this.#head * 2 > this.#held.length) {
        this.#held = this.#held.slice(this.#head);
        this.#head = 0;
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.#closed) return new Promise<IteratorResult<E>>((resolve, reject) => this.#settle({ resolve, reject }));
    this.#hold.hold(true);
    return new Promise<IteratorResult<E>>((resolve, reject) => this.#readers.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<E>> {
    this.#close();
    this.#held = [];
    this.#head = 0;
    this.#overflow = undefined;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
