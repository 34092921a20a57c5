import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { decomposeWith, developmentTeam, EchelonError, type ProgressEvent, type TaskStreamEvent } from '../../src/index.js';
import { deferred, flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });

/** Reads a stream to its end. */
async function readAll(stream: AsyncIterable<TaskStreamEvent>): Promise<TaskStreamEvent[]> {
  const read: TaskStreamEvent[] = [];
  for await (const event of stream) read.push(event);
  return read;
}

const progressOf = (events: readonly TaskStreamEvent[]) => events.filter((event): event is ProgressEvent => event.type === 'task.progress');

describe('context.progress and org.stream', () => {
  it('yields a task’s progress and lifecycle in the order they happened, tagged, ending with the outcome', async () => {
    const org = start({
      executors: async (_task, { progress }) => {
        progress('a');
        await Promise.resolve();
        progress({ percent: 50 });
        progress('b');
        return 'done';
      },
    });
    const stream = org.stream({ id: 'one', type: 'python' });
    const events = await readAll(stream);
    expect(events.map((event) => (event.type === 'task.progress' ? `progress ${JSON.stringify(event.data)}` : event.type))).toEqual([
      'task.submitted',
      'task.delegated',
      'task.delegated',
      'task.delegated',
      'task.started',
      'progress "a"',
      'progress {"percent":50}',
      'progress "b"',
      'task.completed',
    ]);
    const progress = progressOf(events);
    expect(progress.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(progress[0]).toMatchObject({ taskId: 'one', rootId: 'one', agent: 'backend_dev_1', attempt: 1, path: ['one'] });
    expect((await stream.outcome).status).toBe('completed');
  });

  it('nests subtasks and escalation resolutions under the task they derive from, by path', async () => {
    const org = start({
      decomposers: { byType: { release: decomposeWith('release', () => [{ key: 'db', type: 'python' }, { key: 'ui', type: 'css' }]) } },
      executors: async (task, { progress, agent, escalate }) => {
        // backend_dev_1 hands its part up for a decision: the resolution runs at api_specialist, under the subtask.
        if (agent.id === 'backend_dev_1') escalate('policy_decision', 'not mine to decide');
        progress(`${agent.id}: ${task.type}`);
        return `${task.type} by ${agent.id}`;
      },
    });
    const events = await readAll(org.stream({ id: 'release', type: 'release' }, { at: 'cto' }));
    const progress = progressOf(events);
    const byAgent = Object.fromEntries(progress.map((event) => [event.agent, event]));
    expect(byAgent.frontend_dev_1?.path).toEqual(['release', 'release.ui']);
    const resolved = byAgent.api_specialist!;
    expect(resolved.path.slice(0, 2)).toEqual(['release', 'release.db']);
    expect(resolved.path).toHaveLength(3); // the escalation's resolution, below the subtask it resolves
    expect(resolved.taskId).toBe(resolved.path[2]);
    const types = events.map((event) => event.type);
    expect(types).toContain('task.decomposed');
    expect(types).toContain('escalation.raised');
    expect(types.indexOf('escalation.raised')).toBeLessThan(types.indexOf('escalation.resolved'));
    expect(types.at(-1)).toBe('task.completed');
    // Each part's end where it ended, before the whole's outcome (which is the submitted task's own end).
    const ended = events.flatMap((event) => (event.type === 'task.ended' ? [`${event.task.id} ${event.settlement.status} at ${event.agent}`] : []));
    expect(ended).toContain('release.ui completed at frontend_dev_1');
    expect(ended).toContain(`${resolved.taskId} completed at api_specialist`);
    expect(ended.some((line) => line.startsWith('release '))).toBe(false);

    // Following the subtask alone: its own work and its escalation, not its sibling's.
    const gate = deferred();
    const held = start({
      decomposers: { byType: { release: decomposeWith('release', () => [{ key: 'db', type: 'sql' }, { key: 'ui', type: 'css' }]) } },
      executors: async (task, { progress, agent }) => {
        await gate.promise;
        progress(`${agent.id}: ${task.type}`);
        return 'ok';
      },
    });
    const outcome = held.submit({ id: 'r2', type: 'release' });
    await flush();
    const sub = held.stream('r2.db');
    gate.resolve(undefined);
    const subEvents = await readAll(sub);
    expect(progressOf(subEvents).map((event) => event.taskId)).toEqual(['r2.db']);
    expect(subEvents.at(-1)?.type).toBe('task.completed'); // the submitted task's outcome ends it
    expect((await outcome).status).toBe('completed');
  });

  it('loses nothing between submit and subscribe: onProgress and a submitting stream start before the first hop', async () => {
    const org = start({
      // Synchronous progress, before the executor ever yields: already there when submit returns.
      executors: (_task, { progress }) => {
        progress('first');
        progress('second');
        return 'done';
      },
    });
    const heard: ProgressEvent[] = [];
    await org.submit({ type: 'python' }, { onProgress: (event) => heard.push(event) });
    expect(heard.map((event) => event.data)).toEqual(['first', 'second']);

    const events = await readAll(org.stream({ type: 'python' }));
    expect(events[0]?.type).toBe('task.submitted');
    expect(progressOf(events).map((event) => event.data)).toEqual(['first', 'second']);
  });

  it('follows a task by id from now on, and a finished one yields its outcome', async () => {
    const gate = deferred();
    const org = start({
      executors: async (_task, { progress }) => {
        await gate.promise;
        progress('late');
        return 'done';
      },
    });
    const outcome = org.submit({ id: 'by-id', type: 'python' });
    const stream = org.stream('by-id');
    gate.resolve(undefined);
    const events = await readAll(stream);
    expect(events.map((event) => event.type)).toEqual(['task.progress', 'task.completed']);
    await outcome;
    expect((await readAll(org.stream('by-id'))).map((event) => event.type)).toEqual(['task.completed']);
    expect(() => org.stream('nobody')).toThrow(expect.objectContaining({ code: 'unknown_task', message: 'org.stream: no active or recent task "nobody" (never submitted, or finished and forgotten).' }));
    // Its `at` is org.stream's option, said as such.
    expect(() => org.stream({ type: 'css' }, { at: 5 as never })).toThrow(expect.objectContaining({ code: 'invalid_option', message: 'org.stream: at must be a string, got a number.' }));
    // An empty id is no task id at all, as org.outcome and org.cancel say.
    expect(() => org.stream('')).toThrow(expect.objectContaining({ code: 'invalid_option', message: 'org.stream takes a task id (a non-empty string), got an empty string.' }));
  });

  it('drops the oldest progress for a slow reader, says how many, and never drops lifecycle events', async () => {
    const org = start({
      executors: (_task, { progress }) => {
        for (let i = 1; i <= 10; i++) progress(i);
        return 'done';
      },
    });
    const events = await readAll(org.stream({ type: 'python' }, { bufferSize: 3 }));
    expect(events.map((event) => event.type)).toEqual([
      'task.submitted',
      'task.delegated',
      'task.delegated',
      'task.delegated',
      'task.started',
      'stream.dropped',
      'task.progress',
      'task.progress',
      'task.progress',
      'task.completed',
    ]);
    expect(events[5]).toMatchObject({ count: 7 });
    expect(progressOf(events).map((event) => event.data)).toEqual([8, 9, 10]);
  });

  it('answers reads asked for before anything arrived, each in turn (next() called again before the last one settled)', async () => {
    const gate = deferred();
    const org = start({
      executors: async (_task, { progress }) => {
        await gate.promise;
        progress('one');
        progress('two');
        return 'done';
      },
    });
    const outcome = org.submit({ id: 'eager', type: 'python' });
    await flush();
    const stream = org.stream('eager');
    const reads = [stream.next(), stream.next(), stream.next(), stream.next()];
    gate.resolve(undefined);
    const results = await Promise.all(reads);
    expect(results.map((result) => (result.done ? 'done' : result.value.type))).toEqual(['task.progress', 'task.progress', 'task.completed', 'done']);
    expect(progressOf(results.flatMap((result) => (result.done ? [] : [result.value]))).map((event) => event.data)).toEqual(['one', 'two']);
    await outcome;

    const held = deferred();
    const waiting = start({ executors: () => held.promise.then(() => 'done') });
    const quiet = waiting.submit({ id: 'quiet', type: 'python' });
    await flush();
    const left = waiting.stream('quiet');
    const pending = [left.next(), left.next(), left.next()];
    await left.return!();
    expect(await Promise.all(pending)).toEqual([0, 1, 2].map(() => ({ done: true, value: undefined })));
    held.resolve(undefined);
    await quiet;
  });

  it('drops the progress of an attempt the runtime gave up on (timed out, its signal aborted), which the next attempt would otherwise interleave with', async () => {
    const clock = new SimulatedClock();
    let attempts = 0;
    const org = start({
      clock,
      execution: { timeoutMs: 100, retry: { attempts: 2, initialDelayMs: 10, jitter: 0 } },
      // An executor that ignores its signal and goes on reporting.
      executors: async (_task, { progress }) => {
        const attempt = ++attempts;
        for (let step = 0; step < 4; step++) {
          progress(`attempt ${attempt}, step ${step}`);
          await new Promise<void>((resolve) => clock.setTimeout(resolve, 40));
        }
        return `done by attempt ${attempt}`;
      },
    });
    const stream = org.stream({ type: 'python' });
    const events: TaskStreamEvent[] = [];
    const reading = (async () => {
      for await (const event of stream) events.push(event);
    })();
    for (let tick = 0; tick < 20; tick++) {
      await flush();
      clock.increment(20);
    }
    await reading;
    const retried = events.findIndex((event) => event.type === 'task.retrying');
    expect(retried).toBeGreaterThan(0);
    expect(progressOf(events.slice(retried)).map((event) => event.attempt)).not.toContain(1);
    expect(progressOf(events).map((event) => event.data)).toEqual(['attempt 1, step 0', 'attempt 1, step 1', 'attempt 1, step 2', 'attempt 2, step 0', 'attempt 2, step 1', 'attempt 2, step 2']);
  });

  it('drops progress an executor reports after its attempt returned (its part ended; the whole goes on)', async () => {
    const gate = deferred();
    let late: ((data: unknown) => void) | undefined;
    // Messages take 10 ms: the part's result is still on its way up (its task still followed) when it reports late.
    const clock = new SimulatedClock();
    const org = start({
      clock,
      messageDelayMs: 10,
      decomposers: { byType: { release: decomposeWith('release', () => [{ key: 'db', type: 'python' }, { key: 'ui', type: 'css' }]) } },
      executors: async (task, { progress }) => {
        progress(`${task.type} working`);
        if (task.type === 'python') {
          late = progress;
          return 'db done';
        }
        await gate.promise;
        return 'ui done';
      },
    });
    const events: TaskStreamEvent[] = [];
    const reading = (async () => {
      for await (const event of org.stream({ id: 'rel', type: 'release' })) events.push(event);
    })();
    for (let round = 0; round < 40 && !events.some((event) => event.type === 'task.ended' && event.task.id === 'rel.db'); round++) {
      await flush();
      clock.increment(5);
    }
    late!('after the end');
    gate.resolve(undefined);
    for (let round = 0; round < 40; round++) {
      await flush();
      clock.increment(10);
    }
    await reading;
    expect(progressOf(events).map((event) => event.data).sort()).toEqual(['css working', 'python working']);
  });

  it('ends on abort and on break, and lets the task go on', async () => {
    const gate = deferred();
    const org = start({
      executors: async (_task, { progress }) => {
        progress('one');
        await gate.promise;
        progress('two');
        return 'done';
      },
    });
    const controller = new AbortController();
    const stream = org.stream({ type: 'python' }, { signal: controller.signal });
    const read: TaskStreamEvent[] = [];
    for await (const event of stream) {
      read.push(event);
      if (event.type === 'task.progress') controller.abort();
    }
    expect(read.at(-1)?.type).toBe('task.progress');
    gate.resolve(undefined);
    expect((await stream.outcome).status).toBe('completed');

    const broken = org.stream({ type: 'python' });
    for await (const event of broken) if (event.type === 'task.started') break;
    expect(await broken.next()).toEqual({ done: true, value: undefined });
  });

  it('org.stop() ends every stream', async () => {
    const org = start({ executors: () => new Promise(() => undefined) });
    const streams = [org.stream({ type: 'python' }), org.stream({ type: 'css' }), org.stream({ type: 'api_design' })];
    await flush();
    await org.stop();
    for (const stream of streams) {
      const events = await readAll(stream);
      expect(events.at(-1)?.type).toBe('task.started');
      await expect(stream.outcome).rejects.toMatchObject({ code: 'orchestrator_stopped' });
    }
  });

  it('tells executors whether anyone listens, and refuses progress that is not JSON data', async () => {
    const seen: boolean[] = [];
    const org = start({
      executors: (task, { progress, streaming }) => {
        seen.push(streaming);
        if (task.type === 'css') progress(10n);
        return 'done';
      },
    });
    await org.submit({ type: 'python' });
    await readAll(org.stream({ type: 'python' }));
    const stop = org.onProgress(() => undefined);
    await org.submit({ type: 'python' });
    stop();
    expect(seen).toEqual([false, true, true]);
    const failed = await org.submit({ type: 'css' });
    expect(failed.status).toBe('failed');
    expect(JSON.stringify(failed.error)).toContain('invalid_progress');
  });

  it('refuses a signal-like object that throws (invalid_option), following nothing for it', async () => {
    const seen: boolean[] = [];
    const org = start({ executors: (_task, { streaming }) => (seen.push(streaming), 'done') });
    const hostile = { aborted: false, addEventListener: () => { throw new Error('no listeners here'); }, removeEventListener: () => undefined };
    const done = org.submit({ id: 'a', type: 'python' });
    expect(() => org.stream('a', { signal: hostile as never })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('org.stream: signal must be an AbortSignal; reading it threw: no listeners here') }));
    await done;
    expect(seen).toEqual([false]); // the refused stream was let go: nobody followed the task
  });

  it('refuses bad options at the door', async () => {
    const org = start({ executors: () => 'done' });
    expect(() => org.stream({ type: 'python' }, { bufferSize: 0 })).toThrow(EchelonError);
    expect(() => org.stream({ type: 'python' }, { buffer: 3 } as never)).toThrow(/unknown option "buffer"/);
    expect(() => org.stream({ type: 'python' }, { signal: 'no' as never })).toThrow(/AbortSignal/);
    expect(org.status().activeTasks).toBe(0); // a refused stream submitted nothing
    await expect(org.submit({ type: 'python' }, { onProgress: 'no' as never })).rejects.toMatchObject({ code: 'invalid_option' });
  });

  it('reads its options as org.events reads its own: a misspelt one with "did you mean", options that are none refused when submitting too, a polyfilled signal taken', async () => {
    const org = start({ executors: () => 'done' });
    const refused = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return `${(error as EchelonError).code}: ${(error as Error).message}`;
      }
      return 'accepted';
    };
    expect(refused(() => org.stream({ type: 'python' }, { buffersize: 3 } as never))).toMatch(/^invalid_option: org\.stream: unknown option "buffersize" — did you mean "bufferSize"\?/);
    expect(refused(() => org.stream({ type: 'python' }, { sginal: new AbortController().signal } as never))).toMatch(/did you mean "signal"\?/);
    for (const options of [null, 5, 'fast']) expect(refused(() => org.stream({ type: 'python' }, options as never))).toMatch(/^invalid_option: org\.stream: /);
    expect(org.status().activeTasks).toBe(0);
    // `at` is an option of a stream that submits, not of one that follows.
    await org.submit({ id: 'held', type: 'python' });
    expect(refused(() => org.stream('held', { at: 'cto' } as never))).toMatch(/^invalid_option: org\.stream: unknown option "at"/);
    const polyfilled = Object.assign(new EventTarget(), { aborted: false });
    const stream = org.stream({ id: 'followed', type: 'css' }, { signal: polyfilled as never });
    polyfilled.aborted = true;
    polyfilled.dispatchEvent(new Event('abort'));
    const read: string[] = [];
    for await (const event of stream) read.push(event.type);
    expect(read.includes('task.completed')).toBe(false); // it ended on the abort, before the task did
    expect((await stream.outcome).status).toBe('completed');
  });
});
