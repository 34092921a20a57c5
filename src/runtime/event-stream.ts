/**
 * Lifecycle events as an async iterator (`for await (const event of org.events())`). The
 * subscription starts when the iterator is created — nothing emitted before the first read is
 * lost — and ends on `break` / `return()`, on the abort signal, or when the orchestrator stops,
 * whichever comes first; events already held are still read. A reader that falls `maxBuffered`
 * events behind is let go: it reads what was held, then `next()` rejects with `events_overflow`.
 */
import { EchelonError } from '../errors.js';
import { anything, checkShape, fields, number, shapeContext } from '../shape/index.js';
import { show } from '../show.js';
import { forget, whenAborted } from './events.js';

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
 */
export function eventStream<E>(
  subscribe: (push: (event: E) => void) => () => void,
  options: EventStreamOptions & { readonly maxBuffered: number },
  onClose?: (close: () => void) => void,
): EventStream<E> {
  const { signal, maxBuffered } = options;
  // Held events are read from `head`; the array is cut down once most of it has been read.
  let held: E[] = [];
  let head = 0;
  const readers: Reader<E>[] = [];
  let closed = false;
  let overflow: EchelonError | undefined;

  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    onClose?.(close);
    forget(signal, close);
    // Readers wait only while nothing is held: they end (or learn of the overflow) now.
    for (const reader of readers.splice(0)) settle(reader);
  };
  const settle = (reader: Reader<E>) => {
    const error = overflow;
    overflow = undefined;
    if (error === undefined) reader.resolve(DONE);
    else reader.reject(error);
  };
  const unsubscribe = subscribe((event) => {
    if (closed) return;
    const reader = readers.shift();
    if (reader !== undefined) return reader.resolve({ done: false, value: event });
    if (held.length - head >= maxBuffered) {
      overflow = new EchelonError(
        'events_overflow',
        `org.events(): the reader fell ${maxBuffered} events behind (maxBuffered) and was let go; the organisation went on. Read faster, listen to fewer types, or raise maxBuffered.`,
        { details: { maxBuffered } },
      );
      return close();
    }
    held.push(event);
  });
  whenAborted('org.events', signal, close, close);

  const iterator: AsyncIterableIterator<E> = {
    next() {
      if (head < held.length) {
        const value = held[head]!;
        held[head++] = undefined as E;
        if (head > 1024 && head * 2 > held.length) {
          held = held.slice(head);
          head = 0;
        }
        return Promise.resolve({ done: false, value });
      }
      if (closed) {
        return new Promise<IteratorResult<E>>((resolve, reject) => settle({ resolve, reject }));
      }
      return new Promise<IteratorResult<E>>((resolve, reject) => readers.push({ resolve, reject }));
    },
    return() {
      close();
      held = [];
      head = 0;
      overflow = undefined;
      return Promise.resolve(DONE);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return { iterator, close };
}
