/**
 * The work a simulation submits: streams of one task each, arriving at a rate (Poisson: the gaps
 * are exponential), at fixed intervals, or at the times a recorded journal says.
 */
import { EchelonError } from '../errors.js';
import type { JournalEntry } from '../store/types.js';
import type { TaskInput } from '../types.js';
import type { SimulationClock } from './clock.js';
import { exponential, type Random } from './random.js';

/** One stream of tasks. */
export interface Arrival {
  /** The task submitted each time (its id is replaced: simulated tasks are numbered `s1`, `s2` …). */
  readonly task: string | Omit<TaskInput, 'id'>;
  /** Mean arrivals per second of simulated time (a Poisson process). */
  readonly perSecond?: number;
  /** Or exactly one every this many ms. */
  readonly everyMs?: number;
  /** Where it is submitted (default: the root). */
  readonly at?: string;
}

/** What is submitted, for how long. */
export interface Workload {
  readonly arrivals?: readonly Arrival[];
  /** Submit the tasks of a recorded journal (`org.journal()`) at the times they were submitted there. */
  readonly journal?: readonly JournalEntry[];
  /** Arrivals stop after this much simulated time (default one hour); the run goes on until every task settles. */
  readonly durationMs?: number;
  /** Arrivals stop after this many tasks in all. */
  readonly maxTasks?: number;
}

/** More tasks than this from rates alone, without a maxTasks, are refused (10 million: an hour or more of simulating). */
const UNBOUNDED_TASKS = 10_000_000;

export type Submit = (task: Omit<TaskInput, 'id'>, at: string | undefined) => void;

/** Schedules the workload's submissions on the clock; refuses a stream with neither or both rates. */
export function scheduleWorkload(workload: Workload, clock: SimulationClock, random: (name: string) => Random, submit: Submit): void {
  const durationMs = workload.durationMs ?? 3_600_000;
  const maxTasks = workload.maxTasks ?? Infinity;
  if (!(durationMs >= 0)) throw new EchelonError('invalid_option', `workload.durationMs must be a number ≥ 0 (Infinity: until maxTasks), got ${String(workload.durationMs)}.`);
  if (!(maxTasks >= 0)) throw new EchelonError('invalid_option', `workload.maxTasks must be a number ≥ 0, got ${String(workload.maxTasks)}.`);
  if (workload.arrivals !== undefined && !Array.isArray(workload.arrivals)) throw new EchelonError('invalid_option', 'workload.arrivals must be an array of { task, perSecond | everyMs }.');
  if (durationMs === Infinity && maxTasks === Infinity && (workload.arrivals?.length ?? 0) > 0) {
    throw new EchelonError('invalid_option', 'workload.durationMs is Infinity and there is no maxTasks: the arrivals would never end. Give a duration or a maxTasks.');
  }
  if (maxTasks === Infinity) {
    // A rate that fills the duration with more tasks than a simulation gets through in hours is almost always a slip (per second for per hour).
    // Rates that are none are refused below, each with its own message.
    const perSecond = (arrival: NonNullable<Workload['arrivals']>[number]) => arrival?.perSecond ?? 1000 / (arrival?.everyMs ?? Infinity);
    const expected = (workload.arrivals ?? []).reduce((sum, arrival) => sum + (Number.isFinite(perSecond(arrival)) && perSecond(arrival) > 0 ? perSecond(arrival) * (durationMs / 1000) : 0), 0);
    if (expected > UNBOUNDED_TASKS) {
      throw new EchelonError('invalid_option', `workload: the arrivals would submit about ${expected.toPrecision(2)} tasks in ${durationMs} ms; set workload.maxTasks to run that many on purpose (or check the rates: perSecond is per second).`);
    }
  }
  let submitted = 0;
  const take = () => submitted < maxTasks && (submitted++, true);
  (workload.arrivals ?? []).forEach((arrival, index) => {
    const task = typeof arrival.task === 'string' ? { type: arrival.task } : arrival.task;
    const rate = arrival.perSecond;
    const every = arrival.everyMs;
    if ((rate === undefined) === (every === undefined) || !((rate ?? every)! > 0) || !Number.isFinite(rate ?? every)) {
      // An infinite rate (or interval) would submit every task at one instant: the clock never moves on.
      throw new EchelonError('invalid_option', `workload.arrivals[${index}] needs perSecond or everyMs (one of them, a finite number > 0), got ${JSON.stringify({ perSecond: rate, everyMs: every }, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value))}.`);
    }
    const stream = random(`arrival:${index}`);
    const gap = () => (every !== undefined ? every : exponential(stream, 1000 / rate!));
    const next = () => {
      if (clock.now() > durationMs || !take()) return;
      submit(task, arrival.at);
      clock.setTimeout(next, gap());
    };
    clock.setTimeout(next, gap());
  });
  for (const entry of workload.journal ?? []) {
    if (entry.type !== 'task.submitted' || typeof entry.data?.type !== 'string') continue;
    const at = typeof entry.data.entry === 'string' ? entry.data.entry : undefined;
    const first = workload.journal![0]!.at;
    clock.setTimeout(() => take() && submit({ type: entry.data!.type as string }, at), entry.at - first);
  }
}
