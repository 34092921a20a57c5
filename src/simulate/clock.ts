/**
 * The simulation's clock: time moves only from one timer to the next. Timers wait in a binary
 * heap (by due time, then the order they were set, so runs repeat exactly); cancelled ones are
 * dropped when they surface. Setting and clearing cost O(log n) with a million timers pending.
 */
import type { OrchestratorClock } from '../runtime/index.js';

/** A timer as the heap holds it, and the handle `setTimeout` gives: clearing it drops its callback. */
class SimulatedTimer {
  constructor(
    readonly due: number,
    /** The order it was set in: of two timers due together, the first set runs first. */
    readonly order: number,
    public callback: (() => void) | undefined,
  ) {}
}

export class SimulationClock implements OrchestratorClock {
  #now = 0;
  #sequence = 0;
  /**
   * A min-heap of timers, one object each: a timer's due time, order and callback move together,
   * so sifting swaps one slot (the parallel arrays and callback map before allocated at each swap
   * and set, a share of the simulation's garbage at 1,000 tasks in flight).
   */
  readonly #heap: SimulatedTimer[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): SimulatedTimer {
    const timer = new SimulatedTimer(this.#now + (ms > 0 && Number.isFinite(ms) ? ms : 0), ++this.#sequence, callback);
    this.#push(timer);
    return timer;
  }

  clearTimeout(id: unknown): void {
    if (id instanceof SimulatedTimer) id.callback = undefined;
  }

  /** When the next live timer is due, or `undefined` when none is. */
  nextDue(): number | undefined {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.callback === undefined) this.#pop();
    return heap.length === 0 ? undefined : heap[0]!.due;
  }

  /** Moves to `at` and runs every timer due by then (not those they set meanwhile for the same time); returns how many ran. */
  runUntil(at: number): number {
    this.#now = Math.max(this.#now, at);
    const last = this.#sequence;
    const heap = this.#heap;
    let ran = 0;
    while (heap.length > 0 && heap[0]!.due <= at && heap[0]!.order <= last) {
      const timer = this.#pop();
      const { callback } = timer;
      if (callback === undefined) continue;
      timer.callback = undefined;
      callback();
      ran++;
    }
    return ran;
  }

  #push(timer: SimulatedTimer): void {
    const heap = this.#heap;
    let at = heap.length;
    heap.push(timer);
    // Sift up: parents later than the timer move down into the hole.
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!earlier(timer, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = timer;
  }

  #pop(): SimulatedTimer {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const size = heap.length;
    if (size === 0) return top;
    // Sift down: the earlier child moves up into the hole until the last timer fits there.
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= size) break;
      if (child + 1 < size && earlier(heap[child + 1]!, heap[child]!)) child++;
      if (!earlier(heap[child]!, last)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = last;
    return top;
  }
}

/** True when `a` runs before `b`: it is due earlier, or due together and was set first. */
function earlier(a: SimulatedTimer, b: SimulatedTimer): boolean {
  return a.due < b.due || (a.due === b.due && a.order < b.order);
}
