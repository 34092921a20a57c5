import { describe, expect, it } from 'vitest';
import { SimulationClock } from '../../src/simulate/clock.js';
import { mulberry32 } from '../../src/simulate/random.js';

/** Runs the clock to the end, as simulate drives it (from one due time to the next). */
function runAll(clock: SimulationClock): void {
  for (let due = clock.nextDue(); due !== undefined; due = clock.nextDue()) clock.runUntil(due);
}

describe('the simulation clock', () => {
  it('runs timers by due time, then in the order they were set, whatever was cleared — a callback clearing thousands of them included', () => {
    const random = mulberry32(7);
    const clock = new SimulationClock();
    const ran: Array<readonly [number, number]> = [];
    const expected: Array<readonly [number, number]> = [];
    const handles: unknown[] = [];
    for (let id = 0; id < 20_000; id++) {
      const ms = Math.floor(random() * 500);
      handles.push(clock.setTimeout(() => ran.push([id, clock.now()]), ms));
      expected.push([id, ms]);
    }
    // Most are cleared up front, and more from inside a callback, as an attempt clears its timeout.
    const cleared = new Set<number>();
    const clear = (id: number) => {
      cleared.add(id);
      clock.clearTimeout(handles[id]);
    };
    for (let id = 0; id < 20_000; id++) if (id % 4 !== 0) clear(id);
    clock.setTimeout(() => {
      for (let id = 0; id < 20_000; id += 4) if (expected[id]![1] > 250) clear(id);
    }, 250);
    runAll(clock);
    const live = expected.filter(([id]) => !cleared.has(id)).sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    expect(ran).toEqual(live);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('clears a timer once: clearing a fired or foreign one changes nothing', () => {
    const clock = new SimulationClock();
    const ran: number[] = [];
    const first = clock.setTimeout(() => ran.push(1), 10);
    clock.setTimeout(() => ran.push(2), 20);
    clock.runUntil(10);
    clock.clearTimeout(first);
    clock.clearTimeout(42);
    clock.clearTimeout(undefined);
    expect(clock.nextDue()).toBe(20);
    clock.runUntil(20);
    expect(ran).toEqual([1, 2]);
  });
});
