/**
 * Lifecycle events as an async iterator (`for await (const event of org.events())`), built on
 * Node's `events.on`, which buffers events between reads. The subscription starts when the
 * iterator is created and ends on `break` / `return()`, on the abort signal, or when the
 * orchestrator stops — whichever comes first; events already buffered are still read.
 */
import { EventEmitter, on } from 'node:events';

/** Options of `org.events()`. */
export interface EventStreamOptions {
  /** Ends the iteration when aborted (the loop finishes normally; it does not throw). */
  readonly signal?: AbortSignal;
}

/** An event iterator and the function that ends it from outside. */
export interface EventStream<E> {
  readonly iterator: AsyncIterableIterator<E>;
  close(): void;
}

/**
 * Turns a listener subscription into an async iterator. `subscribe` is called at once with the
 * function to push events to and returns the unsubscribe function; `onClose` runs once, when
 * the stream ends.
 */
export function eventStream<E>(
  subscribe: (push: (event: E) => void) => () => void,
  options: EventStreamOptions = {},
  onClose?: (close: () => void) => void,
): EventStream<E> {
  const emitter = new EventEmitter();
  // `on` attaches its listener now, so nothing emitted before the first read is lost.
  const source = on(emitter, 'event', { close: ['close'] }) as AsyncIterableIterator<[E]>;
  const unsubscribe = subscribe((event) => emitter.emit('event', event));
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    onClose?.(close);
    options.signal?.removeEventListener('abort', close);
    emitter.emit('close');
  };
  if (options.signal?.aborted) close();
  else options.signal?.addEventListener('abort', close, { once: true });

  const iterator: AsyncIterableIterator<E> = {
    async next() {
      const read = await source.next();
      if (read.done) return { done: true, value: undefined };
      return { done: false, value: read.value[0] };
    },
    async return() {
      close();
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return { iterator, close };
}
