/**
 * Where a crash driver may be killed: numbered hooks, the `killAt`-th of which stops the process
 * (the test SIGKILLs it there), and a store with a hook on each side of every write — just before
 * a batch commits, and just after.
 */
import { writeSync } from 'node:fs';
import { forwardStore } from '../../src/store/index.js';
import type { Store } from '../../src/index.js';

/** Prints a line at once (a killed process flushes nothing). */
export const say = (line: string) => writeSync(1, `${line}\n`);

/** Says `KILL <where>` and blocks until the test kills the process (at most 30 s): the crash happens exactly here. */
export function killedHere(where: string): void {
  say(`KILL ${where}`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30_000);
}

/** Lets promise callbacks and timers of this turn run. */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The hooks, how many were passed so far, and `file` with a hook on each side of every write; `also` is told of every hook passed. */
export function killPoints(killAt: number, file: Store, also: (what: string) => void = () => undefined): { hook: (what: string) => void; passed: () => number; store: Store } {
  let hooks = 0;
  const hook = (what: string) => {
    also(what);
    hooks += 1;
    if (hooks === killAt) killedHere(`${hooks} ${what}`);
  };
  const store = forwardStore(file, {
    write(batch) {
      hook('before a write');
      file.write(batch);
      hook('after a write');
    },
  });
  return { hook, passed: () => hooks, store };
}
