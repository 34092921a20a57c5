import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../src/index.js';
import { followAttemptAbort } from '../src/runtime/executors.js';
import { deferred, flush, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });

describe('followAttemptAbort (the simulator follows an attempt without making its AbortSignal)', () => {
  it('calls the follower once, with the reason the signal aborts with, and a signal read later is aborted', async () => {
    const reasons: unknown[] = [];
    let context: Parameters<typeof followAttemptAbort>[0] | undefined;
    const gate = deferred();
    const org = start({
      executors: async (task, attempt) => {
        if (task.id === 'long') {
          context = attempt;
          expect(followAttemptAbort(attempt, (reason) => reasons.push(reason))).toBe(true);
          // One follower per attempt: a second is refused, and listens to the signal instead.
          expect(followAttemptAbort(attempt, () => reasons.push('second'))).toBe(false);
          await gate.promise;
        }
        return 'done';
      },
    });
    const long = org.submit({ id: 'long', type: 'css' });
    await flush();
    expect(reasons).toEqual([]);
    await org.cancel('long', 'changed my mind');
    expect(reasons).toHaveLength(1);
    expect(context!.signal.aborted).toBe(true);
    expect(context!.signal.reason).toBe(reasons[0]);
    expect(reasons[0]).toMatchObject({ code: 'cancelled' });
    expect((await long).status).toBe('cancelled');
    gate.resolve(undefined);
    await flush();
    expect(reasons).toHaveLength(1);
  });

  it('a follower that throws is reported (thrown on a microtask, as an abort listener is), and the abort goes on', async () => {
    const thrown: unknown[] = [];
    const listener = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', listener);
    try {
      let signal: AbortSignal | undefined;
      const org = start({
        executors: (_task, attempt) => {
          followAttemptAbort(attempt, () => {
            throw new Error('follower failed');
          });
          signal = attempt.signal;
          return new Promise(() => undefined);
        },
      });
      const outcome = org.submit({ id: 'a', type: 'css' });
      await flush();
      await org.cancel('a');
      expect((await outcome).status).toBe('cancelled');
      expect(signal?.aborted).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(thrown).toMatchObject([{ message: 'follower failed' }]);
    } finally {
      process.off('uncaughtException', listener);
    }
  });

  it('is refused for a context the runtime did not make', () => {
    expect(followAttemptAbort({ signal: new AbortController().signal } as never, () => undefined)).toBe(false);
  });
});
