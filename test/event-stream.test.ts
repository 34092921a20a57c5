import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { collectGarbage } from './support/collect.js';
import { describeEvent, developmentTeam, type EchelonError, type OrchestratorEvent } from '../src/index.js';
import { leakWarningsDuring, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });

/** Reads `count` events from an iterator. */
const take = async <T>(iterator: AsyncIterator<T>, count: number) => {
  const read: T[] = [];
  while (read.length < count) {
    const next = await iterator.next();
    if (next.done) break;
    read.push(next.value);
  }
  return read;
};

/** Lets the current job end: objects a `WeakRef` was read through in it may be collected only after. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('org.events(): lifecycle events as an async iterator', () => {
  it('yields every event of a task, in order, buffered from the moment it is created', async () => {
    const org = start();
    const events = org.events();
    await org.submit({ id: 'one', type: 'python' }); // everything happens before the first read
    const types: string[] = [];
    for await (const event of events) {
      if (event.type === 'agent.state') continue;
      types.push(event.type);
      if (event.type === 'task.completed') break;
    }
    expect(types).toEqual(['task.submitted', 'task.delegated', 'task.delegated', 'task.delegated', 'task.started', 'task.ended', 'task.completed']);
  });

  it('narrows to one event type, typed', async () => {
    const org = start();
    const completed = org.events('task.completed');
    const outcomes = await Promise.all([org.submit({ type: 'css' }), org.submit({ type: 'sql' })]);
    const read = await take(completed, 2);
    // `event.outcome` type-checks: the iterator yields task.completed events only.
    expect(read.map((event) => event.outcome.taskId)).toEqual(outcomes.map((outcome) => outcome.taskId));
  });

  it('ends on break, on return(), on abort, and when the organisation stops', async () => {
    const org = start();
    const returned = org.events('task.submitted');
    expect(await returned.return!()).toEqual({ done: true, value: undefined });
    await org.submit({ type: 'css' });
    expect(await returned.next()).toEqual({ done: true, value: undefined });

    const controller = new AbortController();
    const aborted = org.events('task.submitted', { signal: controller.signal });
    await org.submit({ id: 'before', type: 'css' });
    controller.abort();
    await org.submit({ id: 'after', type: 'css' });
    // What arrived before the abort is still read; the loop then ends without throwing.
    const read: OrchestratorEvent[] = [];
    for await (const event of aborted) read.push(event);
    expect(read.map((event) => (event.type === 'task.submitted' ? event.task.id : event.type))).toEqual(['before']);

    const alreadyAborted = org.events('*', { signal: AbortSignal.abort() });
    expect(await alreadyAborted.next()).toEqual({ done: true, value: undefined });

    const untilStop = org.events('task.completed');
    const reading = (async () => {
      const seen: string[] = [];
      for await (const event of untilStop) seen.push(event.outcome.taskId);
      return seen;
    })();
    await org.submit({ id: 'last', type: 'css' });
    await org.stop();
    expect(await reading).toEqual(['last']);
    const afterStop = org.events();
    expect(await afterStop.next()).toEqual({ done: true, value: undefined });
  });

  it('follows one signal for any number of readers with one listener on it: no MaxListenersExceededWarning for readers sharing an app-wide signal', async () => {
    const org = start();
    const warnings = await leakWarningsDuring(async () => {
      const controller = new AbortController();
      const readers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? org.events('*', { signal: controller.signal }) : org.stream({ type: 'css' }, { signal: controller.signal })));
      const reads = readers.map(async (reader) => {
        let count = 0;
        for await (const _ of reader) count++;
        return count;
      });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      await org.submit({ type: 'css' });
      // Readers that end on their own (return()) leave the others followed, and the last takes the listener off.
      await readers[0]![Symbol.asyncIterator]().return!();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      controller.abort();
      // Each stream reader followed its own task to its end before the abort ended the rest.
      expect((await Promise.all(reads)).filter((_, i) => i % 2 === 1).every((count) => count > 0)).toBe(true);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);

      const closing = new AbortController();
      const closed = Array.from({ length: 12 }, () => org.events('*', { signal: closing.signal }));
      for (const reader of closed) await reader.return!();
      expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
    });
    expect(warnings).toEqual([]);
  });

  it('lets go of an iterator dropped without return(): collected with what it held, its subscription and signal listener ended; a waiting read still holds it', async () => {
    const gc = collectGarbage();
    const org = start();
    const controller = new AbortController();
    const dropped: Array<WeakRef<object>> = [];
    // Never iterated, on a long-lived signal; read by hand, then let go with events still held.
    dropped.push(new WeakRef(org.events('*', { signal: controller.signal })));
    const readByHand = async () => {
      const events = org.events('task.delegated', { signal: controller.signal });
      await org.submit({ type: 'python' });
      expect((await events.next()).done).toBe(false);
      return new WeakRef(events);
    };
    dropped.push(await readByHand());
    // A loop nobody references, waiting for its next event.
    const waiting = (async () => {
      for await (const event of org.events('task.completed', { signal: controller.signal })) return event.outcome.taskId;
      return undefined;
    })();
    await nextTurn();
    gc();
    expect(dropped.map((ref) => ref.deref())).toEqual([undefined, undefined]);
    await org.submit({ id: 'later', type: 'python' }); // the dropped ones' subscriptions end at their next event
    expect(await waiting).toBe('later');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('one slow reader does not hold the organisation back: events wait in its buffer', async () => {
    const org = start();
    const events = org.events('task.completed');
    await Promise.all(Array.from({ length: 50 }, (_, i) => org.submit({ id: `t${i}`, type: 'css' })));
    expect((await take(events, 50)).map((event) => event.outcome.taskId)).toEqual(Array.from({ length: 50 }, (_, i) => `t${i}`));
    await events.return!();
  });

  it('lets go of a reader that falls maxBuffered events behind: it reads what was held, then events_overflow; the organisation goes on', async () => {
    const org = start();
    const stalled = org.events('task.completed', { maxBuffered: 3 });
    const reading = org.events('task.completed');
    await Promise.all(Array.from({ length: 5 }, (_, i) => org.submit({ id: `t${i}`, type: 'css' })));
    const held: string[] = [];
    const ending = await (async () => {
      try {
        for await (const event of stalled) held.push(event.outcome.taskId);
      } catch (error) {
        return error;
      }
      return 'ended without an error';
    })();
    expect(held).toEqual(['t0', 't1', 't2']);
    expect(ending).toMatchObject({ code: 'events_overflow', message: expect.stringContaining('maxBuffered'), details: { maxBuffered: 3 } });
    expect(await stalled.next()).toEqual({ done: true, value: undefined });
    // The other reader, and the organisation, saw everything.
    expect((await take(reading, 5)).map((event) => event.outcome.taskId)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect((await org.submit({ id: 'after', type: 'css' })).status).toBe('completed');
    await reading.return!();
  });

  it('holds up to 100,000 unread events by default, and any number with maxBuffered: Infinity', async () => {
    const org = start();
    const unbounded = org.events('task.completed', { maxBuffered: Number.POSITIVE_INFINITY });
    const bounded = org.events('task.completed');
    await Promise.all(Array.from({ length: 20 }, (_, i) => org.submit({ id: `t${i}`, type: 'css' })));
    expect(await take(unbounded, 20)).toHaveLength(20);
    expect(await take(bounded, 20)).toHaveLength(20);
    await unbounded.return!();
    await bounded.return!();
    for (const maxBuffered of [0, -1, 1.5, Number.NaN, '10']) {
      expect(() => org.events('*', { maxBuffered } as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('maxBuffered') }));
    }
    expect(() => org.events('*', { maxBufferd: 10 } as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('did you mean "maxBuffered"') }));
  });
});

describe('subscriptions are checked at the door', () => {
  it('refuses an event type that is none (with "did you mean"), a listener that is not a function and a signal that is not an AbortSignal', async () => {
    const org = start();
    const refusal = (subscribe: () => unknown) => {
      try {
        subscribe();
      } catch (error) {
        return error;
      }
      return 'accepted';
    };
    expect(refusal(() => org.on('task.complete' as never, () => {}))).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('org.on: "task.complete" is no event type — did you mean "task.completed"?') });
    expect(refusal(() => org.on(undefined as never, () => {}))).toMatchObject({ code: 'invalid_option', message: "org.on: name the event type to listen to ('*' for every event), got undefined." });
    expect(refusal(() => org.on('task.completed', 5 as never))).toMatchObject({ code: 'invalid_option', message: 'org.on: the listener must be a function, got number.' });
    expect(refusal(() => org.onProgress(undefined as never))).toMatchObject({ code: 'invalid_option', message: 'org.onProgress: the listener must be a function, got undefined.' });
    expect(refusal(() => org.events('nope' as never))).toMatchObject({ code: 'invalid_option' });
    expect(refusal(() => org.events('*', { signal: 5 as never }))).toMatchObject({ code: 'invalid_option', message: 'org.events: signal must be an AbortSignal.' });
    // A signal-like object whose getter or addEventListener throws is refused like one that is none.
    const throwing = { get aborted(): boolean { throw new Error('boom'); }, addEventListener: () => undefined, removeEventListener: () => undefined };
    expect(refusal(() => org.events('*', { signal: throwing as never }))).toMatchObject({ code: 'invalid_option', message: 'org.events: its signal could not be read: boom.' });
    const deaf = { aborted: false, addEventListener: () => { throw new Error('no listeners here'); }, removeEventListener: () => undefined };
    expect(refusal(() => org.events('*', { signal: deaf as never }))).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('reading it threw: no listeners here') });
    // A polyfilled signal (an EventTarget with aborted), as some libraries bring, is taken and ends the stream when it aborts.
    const polyfilled = Object.assign(new EventTarget(), { aborted: false });
    const stream = org.events('*', { signal: polyfilled as never });
    polyfilled.aborted = true;
    polyfilled.dispatchEvent(new Event('abort'));
    expect(await stream[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    // What is right is still taken, and nothing refused was left subscribed to break later events.
    const seen: string[] = [];
    org.on('task.completed', (event) => seen.push(event.outcome.taskId));
    expect(refusal(() => org.on('*', () => {}))).not.toBeInstanceOf(Error);
    await org.submit({ id: 'after', type: 'python' });
    expect(seen).toEqual(['after']);
  });
});

describe('describeEvent', () => {
  it('says any event in one line, and refuses what is no event (invalid_option) instead of a TypeError or undefined', async () => {
    const org = start();
    const events: OrchestratorEvent[] = [];
    org.on('*', (event) => events.push(event));
    await org.submit({ id: 'one', type: 'css' });
    expect(events.map((event) => typeof describeEvent(event))).toEqual(events.map(() => 'string'));
    const said = (value: unknown) => {
      try {
        return describeEvent(value as never);
      } catch (error) {
        return `${(error as EchelonError).code}: ${(error as Error).message}`;
      }
    };
    expect(said(undefined)).toBe('invalid_option: describeEvent takes an event as org.on and org.events give it, got undefined.');
    expect(said(null)).toMatch(/^invalid_option: describeEvent takes an event/);
    expect(said({ type: 'task.complete', outcome: {} })).toMatch(/^invalid_option: describeEvent: "task.complete" is no event type — did you mean "task.completed"\?/);
    expect(said({ type: '*' })).toMatch(/^invalid_option: describeEvent: "\*" is no event type/);
    expect(said({ type: 'task.completed' })).toMatch(/^invalid_option: describeEvent: the task.completed event \(pass it as org.on and org.events give it\) could not be read: /);
  });
});
