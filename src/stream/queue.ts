/**
 * A stream's buffer between the organisation (which never waits) and a reader (which may be slow):
 * an async iterator over two queues merged in arrival order — lifecycle events, never dropped, and
 * progress, bounded, whose oldest entries go first when it is full (the reader is told how many
 * with a `stream.dropped` notice). Like `org.events()`, it buffers from the moment it exists, and
 * what was buffered is still read after it is closed.
 */
import type { StreamDropped } from './types.js';

/** A FIFO with O(1) push and shift (an array with a moving head, compacted now and then). */
class Fifo<T> {
  #items: T[] = [];
  #head = 0;
  get size(): number {
    return this.#items.length - this.#head;
  }
  push(item: T): void {
    this.#items.push(item);
  }
  peek(): T | undefined {
    return this.#items[this.#head];
  }
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head]!;
    this.#items[this.#head] = undefined as T;
    this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return item;
  }
}

interface Entry<E> {
  readonly order: number;
  readonly event: E;
}

export class StreamQueue<E> implements AsyncIterableIterator<E | StreamDropped> {
  readonly #lifecycle = new Fifo<Entry<E>>();
  readonly #progress = new Fifo<Entry<E>>();
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #onReturn: () => void;
  readonly #onWaiting: (waiting: boolean) => void;
  #order = 0;
  #dropped = 0;
  #closed = false;
  /** Reads asked for and not yet answered, oldest first (a reader may call next() again before the last one settled). */
  readonly #waiting = new Fifo<(result: IteratorResult<E | StreamDropped>) => void>();

  /**
   * `onReturn` runs when the reader stops reading (`break`, `return()`); `onWaiting` when a read
   * starts waiting for an event (`true`) and when none waits any more (`false`).
   */
  constructor(capacity: number, now: () => number, onReturn: () => void, onWaiting: (waiting: boolean) => void = () => undefined) {
    this.#capacity = capacity;
    this.#now = now;
    this.#onReturn = onReturn;
    this.#onWaiting = onWaiting;
  }

  /** Progress dropped so far and not yet announced. */
  get pendingDrops(): number {
    return this.#dropped;
  }

  /** Adds an event; `droppable` ones (progress) may be dropped, oldest first, when the buffer is full. */
  push(event: E, droppable: boolean): void {
    if (this.#closed) return;
    const entry = { order: this.#order++, event };
    const waiting = this.#waiting.shift();
    if (waiting !== undefined) {
      if (this.#waiting.size === 0) this.#onWaiting(false);
      waiting({ done: false, value: event }); // a read waits only when nothing is buffered: this is the next event
      return;
    }
    if (!droppable) {
      this.#lifecycle.push(entry);
    } else {
      this.#progress.push(entry);
      if (this.#progress.size > this.#capacity) {
        this.#progress.shift();
        this.#dropped += 1;
      }
    }
    this.#wake();
  }

  /** Ends the stream once what is buffered has been read. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#wake();
  }

  next(): Promise<IteratorResult<E | StreamDropped>> {
    const ready = this.#waiting.size === 0 ? this.#take() : undefined;
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#waiting.size === 0) this.#onWaiting(true);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /** The reader is done: what is still buffered is let go. */
  return(): Promise<IteratorResult<E | StreamDropped>> {
    this.#closed = true;
    this.#dropped = 0;
    while (this.#lifecycle.shift() !== undefined);
    while (this.#progress.shift() !== undefined);
    this.#onReturn();
    for (let waiting = this.#waiting.shift(); waiting !== undefined; waiting = this.#waiting.shift()) waiting({ done: true, value: undefined });
    this.#onWaiting(false);
    return Promise.resolve({ done: true, value: undefined });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #wake(): void {
    while (this.#waiting.size > 0) {
      const ready = this.#take();
      if (ready === undefined) return;
      this.#waiting.shift()!(ready);
      if (this.#waiting.size === 0) this.#onWaiting(false);
    }
  }

  /** The next result if there is one now: the earlier of the two queues' heads, a drop notice just before the progress that survived. */
  #take(): IteratorResult<E | StreamDropped> | undefined {
    const lifecycle = this.#lifecycle.peek();
    const progress = this.#progress.peek();
    const next = lifecycle === undefined ? this.#progress : progress === undefined || lifecycle.order < progress.order ? this.#lifecycle : this.#progress;
    if (next === this.#progress && this.#dropped > 0) {
      const count = this.#dropped;
      this.#dropped = 0;
      return { done: false, value: { type: 'stream.dropped', count, at: this.#now() } };
    }
    const entry = next.shift();
    if (entry !== undefined) return { done: false, value: entry.event };
    return this.#closed ? { done: true, value: undefined } : undefined;
  }
}
