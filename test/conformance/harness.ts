/**
 * The suite's frame: a case is a named scenario that starts organisations through a `Harness`
 * and asserts on outcomes; `conformance(host, groups)` registers every case for one host.
 * Helpers here read the same on every host: `until` instead of flushing, `refusal` for a refusal
 * that may be thrown at once or rejected later, gates that finish an executor when a case says.
 */
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import { EchelonError, type Outcome } from '../../src/index.js';
import { deferred } from '../support/helpers.js';
import type { Awaitable, ConformanceHost, ConformanceOptions, ConformanceOrg, HostedOrg } from './host.js';

export { deferred };

/** What a case is given: organisations on the host under test, its time, and a way to wait. */
export interface Harness {
  readonly host: ConformanceHost;
  start(options: ConformanceOptions): Promise<ConformanceOrg>;
  /** Lets `ms` of every started organisation's time pass. */
  advance(ms: number): Promise<void>;
  until<T>(read: () => Awaitable<T>, done: (value: T) => boolean, what: string): Promise<T>;
}

/** One scenario, run unchanged on every host. */
export interface Case {
  readonly name: string;
  /** Why this case waits for timers (approval expiry, deadlines): on a real-time host it waits for real, briefly. */
  readonly timed?: string;
  run(harness: Harness): Promise<void>;
}

/** A named list of cases: one `describe` per host. */
export interface CaseGroup {
  readonly name: string;
  readonly cases: readonly Case[];
}

/** How long one case may take on a remote host (every hop is a network round trip): a hang guard. */
const REMOTE_CASE_MS = 60_000;
/** A known difference that hangs fails (as expected) at this bound instead of REMOTE_CASE_MS. */
const KNOWN_DIFFERENCE_MS = 25_000;

/**
 * Registers every group's cases under `describe(host.name)`. `known` names cases this host is known
 * to get wrong (case name → the difference, as reported to its owner): they run as `it.fails` with
 * the difference in their title, so the suite stays green while the difference is visible, and a
 * fix turns them red until they leave the list. A name in `known` that matches no case is refused.
 */
export function conformance(host: ConformanceHost, groups: readonly CaseGroup[], known: Readonly<Record<string, string>> = {}): void {
  const names = new Set(groups.flatMap((group) => group.cases.map((one) => one.name)));
  const stray = Object.keys(known).filter((name) => !names.has(name));
  if (stray.length > 0) throw new Error(`conformance(${host.name}): known differences name no case: ${stray.join('; ')}`);
  describe(`${host.name} host`, () => {
    let started: HostedOrg[] = [];
    beforeAll(async () => host.setup?.(), REMOTE_CASE_MS);
    afterAll(async () => host.teardown?.(), REMOTE_CASE_MS);
    afterEach(async () => {
      const closing = started;
      started = [];
      await Promise.all(closing.map((hosted) => hosted.close()));
    });
    const harness: Harness = {
      host,
      async start(options) {
        const hosted = await host.start(options);
        started.push(hosted);
        return hosted.org;
      },
      async advance(ms) {
        await Promise.all(started.map((hosted) => hosted.advance(ms)));
      },
      until: (read, done, what) => host.until(read, done, what),
    };
    for (const group of groups) {
      describe(group.name, () => {
        for (const one of group.cases) {
          const title = one.timed ? `${one.name} (timed: ${one.timed})` : one.name;
          const difference = known[one.name];
          if (difference === undefined) it(title, () => one.run(harness), host.realTime ? REMOTE_CASE_MS : undefined);
          // A known difference may leave an outcome pending when it fails; the host stops under it
          // later, and that rejection is expected, not an unhandled error of the run.
          else it.fails(`${title} — KNOWN DIFFERENCE: ${difference}`, () => one.run(quietly(harness)), KNOWN_DIFFERENCE_MS);
        }
      });
    }
  });
}

/** `harness`, whose organisations mark every promise they hand out as handled (it still rejects for whoever awaits it). */
function quietly(harness: Harness): Harness {
  const handled = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key) {
        const value = Reflect.get(object, key) as unknown;
        if (typeof value === 'function') {
          return (...args: unknown[]) => {
            const result = (value as (...args: unknown[]) => unknown).apply(object, args);
            if (result instanceof Promise) result.catch(() => undefined);
            return result;
          };
        }
        return value !== null && typeof value === 'object' ? handled(value) : value;
      },
    });
  return { ...harness, start: async (options) => handled(await harness.start(options)) };
}

/** The `EchelonError` `fn` throws (or rejects with); anything else, or nothing thrown, fails the case. */
export async function thrown(fn: () => unknown): Promise<EchelonError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof EchelonError) return error;
    throw error;
  }
  throw new Error('expected a refusal, and it was accepted');
}

/** The EchelonError code `fn` refuses with — thrown at once or as a rejection — or `'accepted'`. */
export async function refusal(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof EchelonError) return error.code;
    throw error;
  }
  return 'accepted';
}

/**
 * Executors that wait for the case: `executor` parks each task on a gate of its own (by task id),
 * `opened(id)` waits until that task's executor has started, and `aborted` lists tasks whose
 * signal aborted.
 */
export function gates(harness: Harness) {
  const open = new Map<string, ReturnType<typeof deferred>>();
  const aborted: string[] = [];
  const executor = (task: { id: string }, { signal }: { signal: AbortSignal }) => {
    const gate = deferred();
    open.set(task.id, gate);
    signal.addEventListener('abort', () => aborted.push(task.id));
    return gate.promise;
  };
  const opened = async (id: string) => (await harness.until(() => open.get(id), (gate) => gate !== undefined, `the executor of ${id} to start`))!;
  return { executor, opened, aborted, started: () => [...open.keys()] };
}

/** The first pending approval (after waiting for one), optionally for one task. */
export async function pendingApproval(harness: Harness, org: ConformanceOrg, taskId?: string) {
  const pending = await harness.until(
    () => org.approvals.pending(),
    (list) => list.some((approval) => taskId === undefined || approval.taskId === taskId),
    `an approval pending${taskId ? ` for ${taskId}` : ''}`,
  );
  return pending.filter((approval) => taskId === undefined || approval.taskId === taskId).at(-1)!;
}

/** Each escalation of an outcome as `reason from→to status by who`. */
export const path = (outcome: Outcome) => outcome.escalations.map((e) => `${e.reason} ${e.from}→${e.to} ${e.status}${e.resolvedBy ? ` by ${e.resolvedBy}` : ''}`);
