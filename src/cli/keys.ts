/**
 * What moves `echelon step` on: a keypress on a terminal (q, Esc or Ctrl-C quits), a line on a
 * pipe (end of input quits), a fixed pace (`--auto <ms>`, real time, for people to watch), or
 * nothing at all (`run`, `--steps N`).
 */
import { emitKeypressEvents } from 'node:readline';
import { createInterface } from 'node:readline';
import { follow, unfollow } from '../runtime/events.js';

/** Resolves true to take the next step, false to stop. */
export interface Trigger {
  next(): Promise<boolean>;
  close(): void;
  /**
   * Calls `listener` as the person asks to stop (q, Esc, Ctrl-C: `interrupt` for Ctrl-C), before
   * any keys typed ahead of it are taken: for a step under way that should not wait its turn.
   */
  onQuit?(listener: (interrupt: boolean) => void): void;
}

/** Takes every step at once. */
export const immediately: Trigger = { next: async () => true, close: () => {} };

/** Waits `ms` of real time before each step (pacing for people, not synchronisation). */
export function paced(ms: number): Trigger {
  return { next: () => new Promise((resolve) => setTimeout(() => resolve(true), ms)), close: () => {} };
}

/** One step per keypress (terminal) or per line (pipe). */
export function keypresses(input: NodeJS.ReadStream): Trigger {
  const waiting: Array<(go: boolean) => void> = [];
  /** Keys pressed (lines read) before anyone asked: typed ahead, they are not lost. */
  const ahead: boolean[] = [];
  let ended = false;
  const quitters: Array<(interrupt: boolean) => void> = [];
  const answer = (go: boolean, interrupt = false) => {
    if (!go) for (const quit of quitters) quit(interrupt);
    const taker = waiting.shift();
    if (taker !== undefined) taker(go);
    else ahead.push(go);
  };
  let close: () => void;
  if (input.isTTY) {
    emitKeypressEvents(input);
    input.setRawMode(true);
    const onKey = (_: string, key: { name?: string; ctrl?: boolean } | undefined) => {
      const interrupt = key?.ctrl === true && key.name === 'c';
      answer(!(key?.name === 'q' || key?.name === 'escape' || interrupt), interrupt);
    };
    input.on('keypress', onKey);
    input.resume();
    close = () => {
      input.off('keypress', onKey);
      input.setRawMode(false);
      input.pause();
    };
  } else {
    const lines = createInterface({ input });
    lines.on('line', (line) => answer(line.trim() !== 'q'));
    lines.on('close', () => {
      ended = true;
      while (waiting.length > 0) waiting.shift()!(false);
    });
    close = () => lines.close();
  }
  return {
    next: () => {
      if (ahead.length > 0) return Promise.resolve(ahead.shift()!);
      return ended ? Promise.resolve(false) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => close(),
    onQuit: (listener) => void quitters.push(listener),
  };
}

/** `trigger`, answering false (stop) at once when `signal` aborts, even while it waits for a key. */
export function stoppable(trigger: Trigger, signal: AbortSignal | undefined): Trigger {
  if (signal === undefined) return trigger;
  return {
    // Each step follows the signal until it comes: a race with one promise kept for the signal's
    // whole life would leave a reaction on it per step (a long replay's, all in memory).
    next: () =>
      signal.aborted
        ? Promise.resolve(false)
        : new Promise<boolean>((resolve, reject) => {
            const stop = () => resolve(false);
            follow(signal, stop);
            trigger.next().then(
              (go) => (unfollow(signal, stop), resolve(go)),
              (error: unknown) => (unfollow(signal, stop), reject(error)),
            );
          }),
    close: () => trigger.close(),
    ...(trigger.onQuit === undefined ? {} : { onQuit: (listener: (interrupt: boolean) => void) => trigger.onQuit!(listener) }),
  };
}
