/**
 * What tracing, the live view and the Stately inspector attach to: a running organisation. Each
 * ends with it, through `org.signal`; one already stopped is refused, since nothing would ever
 * reach the watcher.
 */
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/api.js';
import { readingCaller } from '../shape/index.js';

/**
 * Refuses what is no orchestrator (with `needs`, the caller's usage sentence) and an organisation
 * already stopped; returns the signal the watcher ends on.
 */
export function runningOrganisation(org: unknown, caller: string, needs: string): AbortSignal {
  const read = (key: keyof Orchestrator) => readingCaller(caller, 'invalid_option', 'the orchestrator', () => (org as Partial<Orchestrator> | null | undefined)?.[key]);
  const signal = read('signal');
  if (typeof read('events') !== 'function' || !(signal instanceof AbortSignal)) throw new EchelonError('invalid_option', needs);
  if (signal.aborted) {
    throw new EchelonError('orchestrator_stopped', `${caller}: this organisation is stopped, so nothing would ever reach the watcher. Start watching before it stops, e.g. right after createOrchestrator.`);
  }
  return signal;
}
