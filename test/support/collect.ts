/** Garbage collection on demand, for tests that check what a dropped object no longer holds. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full garbage collection on demand (as `node --expose-gc` gives one). */
export const collectGarbage = (): (() => void) => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
};
