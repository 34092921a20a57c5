/**
 * What moves `echelon step` on: a keypress on a terminal (q, Esc or Ctrl-C quits), a line on a
 * pipe (end of input quits), a fixed pace (`--auto <ms>`, real time, for people to watch), or
 * nothing at all (`run`, `--steps N`).
 */
import { emitKeypressEvents } from 'node:readline';
import { createInterface } from 'node:readline';

/** Resolves true to take the next step, false to stop. */
export interface Trigger {
  next(): Promise<boolean>;
  close(): void;
  /** Calls `listener` when the person asks to stop (q, Esc, Ctrl-C) while a step is under way rather than asked for. */
  onQuit?(listener: () => void): void;
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
  const quitters: Array<() => void> = [];
  const answer = (go: boolean) => {
    // A quit with nothing typed ahead and nobody asking comes while a step is under way: stop it now.
    if (!go && ahead.length === 0 && waiting.length === 0) for (const quit of quitters) quit();
    const taker = waiting.shift();
    if (taker !== undefined) taker(go);
    else ahead.push(go);
  };
  let close: () => void;
  if (input.isTTY) {
    emitKeypressEvents(input);
    input.setRawMode(true);
    const onKey = (_: string, key: { name?: string; ctrl?: boolean } | undefined) =>
      answer(!(key?.name === 'q' || key?.name === 'escape' || (key?.ctrl === true && key.name === 'c')));
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
  const aborted = new Promise<boolean>((resolve) => (signal.aborted ? resolve(false) : signal.addEventListener('abort', () => resolve(false), { once: true })));
  return {
    next: () => (signal.aborted ? Promise.resolve(false) : Promise.race([trigger.next(), aborted])),
    close: () => trigger.close(),
    ...(trigger.onQuit === undefined ? {} : { onQuit: (listener: () => void) => trigger.onQuit!(listener) }),
  };
}
