/**
 * What watchers see after `org.forget`: one `tasks.forgotten` event per store transaction (none
 * when nothing went), and an open live view that lets go of the tasks it took — from its list,
 * its held state and the page (a `forgotten` frame) — asking the journal only when the forget
 * reached its limit. On both stores, and without one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { describeEvent, developmentTeam, memoryStore, type OrchestratorEvent, type Store } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { serveLiveView, type LiveView } from '../../src/inspect/index.js';
import { FORGET_SLICE } from '../../src/runtime/forget.js';
import { deferred, orchestrators } from '../support/helpers.js';
import { sseFrames } from '../support/sse.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-forget-watch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const stores = [
  { name: 'memory', create: (): Store | undefined => memoryStore() },
  { name: 'sqlite', create: (): Store | undefined => sqliteStore(join(dir, `watch-${++files}.db`)) },
];

const start = orchestrators({ hierarchy: developmentTeam() });

/** An organisation at t=100: a, b and c settled at t=0, late at t=100; an open live view saw them all; the events it emitted. */
async function watched(store: Store | undefined) {
  const clock = new SimulatedClock();
  const org = start({ ...(store === undefined ? {} : { store }), clock, executors: (task) => ({ done: task.id }) });
  const view = await serveLiveView(org);
  const events: OrchestratorEvent[] = [];
  org.on('tasks.forgotten', (event) => events.push(event));
  for (const id of ['a', 'b', 'c']) await org.submit({ id, type: 'python' });
  clock.increment(100);
  await org.submit({ id: 'late', type: 'python' });
  return { org, view, events };
}

const listed = async (view: LiveView) => ((await (await fetch(`${view.url}api/tasks`)).json()) as Array<{ id: string }>).map((task) => task.id).sort();

describe.each(stores)('tasks.forgotten on the $name store', (factory) => {
  it('is emitted once per store transaction, with the time, the slice\'s limit and what went; a forget that took nothing emits none', async () => {
    const { org, view, events } = await watched(factory.create());
    await view.close();
    expect(await org.forget({ settledBefore: -1 })).toMatchObject({ tasks: 0 });
    expect(events).toEqual([]);
    const forgotten = await org.forget({ settledBefore: 50 });
    expect(forgotten.tasks).toBe(3);
    // Without a limit it went in slices: the event names the slice's.
    expect(events).toEqual([{ type: 'tasks.forgotten', settledBefore: 50, limit: FORGET_SLICE, forgotten, at: 100 }]);
    expect(describeEvent(events[0]!)).toBe('forgot 3 finished tasks settled before 50');
    const again = await org.forget({ settledBefore: 150, limit: 5 });
    expect(events[1]).toEqual({ type: 'tasks.forgotten', settledBefore: 150, limit: 5, forgotten: again, at: 100 });
  });

  it('an open live view drops the tasks it took from its list, its held timelines and the page (a forgotten frame)', async () => {
    const { org, view } = await watched(factory.create());
    try {
      expect(await listed(view)).toEqual(['a', 'b', 'c', 'late']);
      const frames = await sse(view);
      await org.forget({ settledBefore: 50 });
      await frames.until((frame) => frame.event === 'forgotten');
      expect(frames.all.find((frame) => frame.event === 'forgotten')?.data).toEqual({ ids: ['a', 'b', 'c'] });
      expect(await listed(view)).toEqual(['late']);
      // Before, it served a forgotten task from the events it saw, with an empty timeline.
      expect((await fetch(`${view.url}api/tasks/a`)).status).toBe(404);
      expect((await fetch(`${view.url}api/tasks/late`)).status).toBe(200);
      await frames.close();
    } finally {
      await view.close();
    }
  });

  it('when the forget reached its limit, drops only the tasks the journal no longer has (the oldest, by settledAt then id)', async () => {
    const { org, view } = await watched(factory.create());
    try {
      expect(await org.forget({ settledBefore: 50, limit: 2 })).toMatchObject({ tasks: 2 });
      expect(await listed(view)).toEqual(['c', 'late']);
      expect((await org.outcome('c')).status).toBe('completed');
    } finally {
      await view.close();
    }
  });
});

describe('tasks.forgotten to other readers', () => {
  it('comes through org.events, and a stream of an active task reads on through it to its end', async () => {
    const release = deferred<string>();
    const clock = new SimulatedClock();
    const org = start({ store: memoryStore(), clock, executors: (task) => (task.id === 'hold' ? release.promise : { done: task.id }) });
    const events = org.events('tasks.forgotten')[Symbol.asyncIterator]();
    await org.submit({ id: 'a', type: 'python' });
    const stream = org.stream({ id: 'hold', type: 'python' });
    clock.increment(100);
    await org.forget({ settledBefore: 50 });
    expect((await events.next()).value).toMatchObject({ type: 'tasks.forgotten', forgotten: { tasks: 1 } });
    await events.return?.();
    release.resolve('held');
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).not.toContain('tasks.forgotten');
    expect(types.at(-1)).toBe('task.completed');
    expect((await stream.outcome).result).toBe('held');
  });
});

describe('tasks.forgotten without a store', () => {
  it('drops every task that settled before the time; one cut by its limit leaves the view\'s list as it was (no journal to ask)', async () => {
    const { org, view, events } = await watched(undefined);
    try {
      expect(await org.forget({ settledBefore: 50, limit: 1 })).toMatchObject({ tasks: 1 });
      expect(events).toEqual([{ type: 'tasks.forgotten', settledBefore: 50, limit: 1, forgotten: { tasks: 1, escalations: 0, approvals: 0, journalEntries: 0 }, at: 100 }]);
      expect(await listed(view)).toEqual(['a', 'b', 'c', 'late']);
      await org.forget({ settledBefore: 50 });
      expect(events[1]).toMatchObject({ settledBefore: 50, forgotten: { tasks: 2 } });
      expect(events[1]).not.toHaveProperty('limit');
      expect(await listed(view)).toEqual(['late']);
    } finally {
      await view.close();
    }
  });
});

/** The live view's event stream, read from its first frame on. */
async function sse(view: LiveView) {
  const { frames, until, cancel } = sseFrames(await fetch(`${view.url}api/events`));
  await until(() => frames.some((frame) => frame.event === 'state'));
  return { all: frames, until: (predicate: (frame: { event: string; data: unknown }) => boolean) => until(() => frames.some(predicate)), close: cancel };
}
