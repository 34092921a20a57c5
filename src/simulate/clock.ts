/**
 * The simulation's clock: time moves only from one timer to the next. Timers wait in a binary
 * heap (by due time, then the order they were set, so runs repeat exactly); cancelled ones are
 * dropped when they surface. Setting and clearing cost O(log n) with a million timers pending.
 */
import type { OrchestratorClock } from '../runtime/index.js';

export class SimulationClock implements OrchestratorClock {
  #now = 0;
  #sequence = 0;
  /** Parallel arrays of a min-heap: due time, sequence number (the timer's id), callback. */
  readonly #due: number[] = [];
  readonly #ids: number[] = [];
  readonly #callbacks = new Map<number, () => void>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = ++this.#sequence;
    this.#callbacks.set(id, callback);
    this.#push(this.#now + (ms > 0 && Number.isFinite(ms) ? ms : 0), id);
    return id;
  }

  clearTimeout(id: unknown): void {
    this.#callbacks.delete(id as number);
  }

  /** When the next live timer is due, or `undefined` when none is. */
  nextDue(): number | undefined {
    while (this.#ids.length > 0 && !this.#callbacks.has(this.#ids[0]!)) this.#pop();
    return this.#ids.length === 0 ? undefined : this.#due[0];
  }

  /** Moves to `at` and runs every timer due by then (not those they set meanwhile for the same time); returns how many ran. */
  runUntil(at: number): number {
    this.#now = Math.max(this.#now, at);
    const last = this.#sequence;
    let ran = 0;
    while (this.#ids.length > 0 && this.#due[0]! <= at && this.#ids[0]! <= last) {
      const id = this.#pop();
      const callback = this.#callbacks.get(id);
      if (callback === undefined) continue;
      this.#callbacks.delete(id);
      callback();
      ran++;
    }
    return ran;
  }

  /** Timers waiting (cancelled ones excluded). */
  get pending(): number {
    return this.#callbacks.size;
  }

  #less(a: number, b: number): boolean {
    const due = this.#due;
    return due[a]! < due[b]! || (due[a] === due[b] && this.#ids[a]! < this.#ids[b]!);
  }

  #swap(a: number, b: number): void {
    const due = this.#due;
    const ids = this.#ids;
    [due[a], due[b]] = [due[b]!, due[a]!];
    [ids[a], ids[b]] = [ids[b]!, ids[a]!];
  }

  #push(due: number, id: number): void {
    this.#due.push(due);
    this.#ids.push(id);
    let at = this.#ids.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#less(at, parent)) break;
      this.#swap(at, parent);
      at = parent;
    }
  }

  #pop(): number {
    const top = this.#ids[0]!;
    const lastDue = this.#due.pop()!;
    const lastId = this.#ids.pop()!;
    if (this.#ids.length > 0) {
      this.#due[0] = lastDue;
      this.#ids[0] = lastId;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        const right = left + 1;
        let smallest = at;
        if (left < this.#ids.length && this.#less(left, smallest)) smallest = left;
        if (right < this.#ids.length && this.#less(right, smallest)) smallest = right;
        if (smallest === at) break;
        this.#swap(at, smallest);
        at = smallest;
      }
    }
    return top;
  }
}
