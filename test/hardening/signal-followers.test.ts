/**
 * The one abort listener echelon keeps per signal (`follow` in runtime/events.ts) calls its
 * followers as the signal would call listeners of their own: once each, in order, one added while
 * it aborts at once, one taken off by an earlier one not at all, and the signal let go of when the
 * last one goes.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { follow, unfollow } from '../../src/runtime/events.js';

describe('followers of a signal', () => {
  it('are called as its own listeners would be: one unfollowed by an earlier one is not called, one followed meanwhile at once', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    const second = () => calls.push('second');
    const first = () => {
      calls.push('first');
      unfollow(controller.signal, second);
      follow(controller.signal, () => calls.push('late'));
    };
    follow(controller.signal, first);
    follow(controller.signal, first);
    follow(controller.signal, second);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(calls).toEqual(['first', 'late']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('leave nothing on the signal once the last one unfollows', () => {
    const controller = new AbortController();
    const ends = [() => undefined, () => undefined];
    for (const end of ends) follow(controller.signal, end);
    for (const end of ends) unfollow(controller.signal, end);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
