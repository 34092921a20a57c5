/**
 * The work a simulation submits: streams of one task each, arriving at a rate (Poisson: the gaps
 * are exponential), at fixed intervals, or at the times a recorded journal says.
 */
import { EchelonError, refusalAt } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { agentNames } from '../settings/index.js';
import { show } from '../show.js';
import { anything, checkShape, closest, fields, number, shapeContext, string, type Shape } from '../shape/index.js';
import type { JournalEntry } from '../store/types.js';
import { validateTaskInput } from '../task-input.js';
import type { TaskInput } from '../types.js';
import type { SimulationClock } from './clock.js';
import { checkedJournal } from './journal.js';
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
  /**
   * Submit the tasks of a recorded journal (`org.journal()`) at the times they were submitted there,
   * from its first submission: all of them, however long it runs (`durationMs` does not cut a recording short).
   */
  readonly journal?: readonly JournalEntry[];
  /** The arrivals stop after this much simulated time (default one hour); the run goes on until every task settles. */
  readonly durationMs?: number;
  /** Arrivals and the journal's submissions stop after this many tasks in all. */
  readonly maxTasks?: number;
}

/** The keys of a workload and of an arrival (their values are checked below). */
export const WORKLOAD = fields({ arrivals: anything, journal: anything, durationMs: number, maxTasks: number } satisfies Record<keyof Workload, Shape>);
const ARRIVAL = fields({ task: anything, perSecond: number, everyMs: number, at: string } satisfies Record<keyof Arrival, Shape>);

/** The longest time a simulation keeps exact to the ms: 2^53 − 1 (past it, t + 1 === t). */
const LONGEST = Number.MAX_SAFE_INTEGER;

/** More tasks than this from rates alone, without a maxTasks, are refused (10 million: an hour or more of simulating). */
const UNBOUNDED_TASKS = 10_000_000;

export type Submit = (task: Omit<TaskInput, 'id'>, at: string | undefined) => void;

/** A workload as {@link checkWorkload} found it: every submission it will make is one the organisation takes. */
export interface CheckedWorkload {
  readonly arrivals: readonly CheckedArrival[];
  readonly journal: readonly JournalSubmission[];
  readonly durationMs: number;
  readonly maxTasks: number;
  /** The simulated time its submissions span: the arrivals' durationMs, the journal's first to last submission, the longer. */
  readonly spanMs: number;
}

/**
 * Refuses a workload the simulation cannot run — a stream with neither or both rates, a rate
 * that never ends or floods the run, and every submission the organisation would refuse (a task it
 * cannot take, an entry agent it does not have, a journal entry that is none) — from its options
 * and the hierarchy alone, before anything is built or scheduled.
 */
export function checkWorkload(workload: Workload, hierarchy: Hierarchy): CheckedWorkload {
  const durationMs = workload.durationMs ?? 3_600_000;
  const maxTasks = workload.maxTasks ?? Infinity;
  if (!(durationMs >= 0 && (durationMs <= LONGEST || durationMs === Infinity))) throw new EchelonError('invalid_option', `workload.durationMs must be a number ≥ 0 up to 2^53 − 1 (285,000 years; Infinity: until maxTasks), got ${String(workload.durationMs)}.`);
  if (!(maxTasks >= 0 && (Number.isInteger(maxTasks) || maxTasks === Infinity))) throw new EchelonError('invalid_option', `workload.maxTasks must be a whole number ≥ 0, got ${String(workload.maxTasks)}.`);
  if (workload.arrivals !== undefined && !Array.isArray(workload.arrivals)) throw new EchelonError('invalid_option', 'workload.arrivals must be an array of { task, perSecond | everyMs }.');
  const arrivals = (workload.arrivals ?? []).map((arrival, index) => checkedArrival(arrival, `workload.arrivals[${index}]`, hierarchy));
  const recorded = workload.journal === undefined ? [] : submissions(checkedJournal(workload.journal, 'workload.journal'), hierarchy);
  // A journal's time starts at its first submission, whatever order its entries come in.
  const first = recorded.reduce((earliest, entry) => Math.min(earliest, entry.at), Infinity);
  const journal = recorded.map((entry) => ({ ...entry, at: entry.at - first }));
  const last = journal.reduce((latest, entry, index) => (entry.at > journal[latest]!.at ? index : latest), 0);
  if (journal.length > 0 && journal[last]!.at > LONGEST) {
    const earliest = journal.findIndex((entry) => entry.at === 0);
    throw new EchelonError('invalid_option', `workload.journal: its submissions span ${journal[last]!.at.toPrecision(3)} ms (from workload.journal[${recorded[earliest]!.index}] to workload.journal[${recorded[last]!.index}]), more than 2^53 − 1 ms (285,000 years): past it the simulated clock cannot tell one ms from the next. Is a time damaged?`);
  }
  if (durationMs === Infinity && maxTasks === Infinity && arrivals.length > 0) {
    throw new EchelonError('invalid_option', 'workload.durationMs is Infinity and there is no maxTasks: the arrivals would never end. Give a duration or a maxTasks.');
  }
  if (maxTasks === Infinity) {
    // A rate that fills the duration with more tasks than a simulation gets through in hours is almost always a slip (per second for per hour).
    const expected = arrivals.reduce((sum, arrival) => sum + (arrival.perSecond ?? 1000 / arrival.everyMs!) * (durationMs / 1000), 0);
    if (expected > UNBOUNDED_TASKS) {
      throw new EchelonError('invalid_option', `workload: the arrivals would submit about ${expected.toPrecision(2)} tasks in ${durationMs} ms; set workload.maxTasks to run that many on purpose (or check the rates: perSecond is per second).`);
    }
  }
  const spanMs = journal.reduce((latest, entry) => Math.max(latest, entry.at), arrivals.length > 0 ? durationMs : 0);
  return { arrivals, journal, durationMs, maxTasks, spanMs };
}

/**
 * Schedules a checked workload's submissions on the clock. No arrival is due after the workload's
 * end (or its last task), so the clock stops with the last thing that happened.
 */
export function scheduleWorkload(workload: CheckedWorkload, clock: SimulationClock, random: (name: string) => Random, submit: Submit): void {
  const { arrivals, journal, durationMs, maxTasks } = workload;
  // Submissions still to come; once the last task is taken they are dropped, so none moves the clock on.
  const timers = new Set<unknown>();
  const after = (ms: number, run: () => void) => {
    const id = clock.setTimeout(() => (timers.delete(id), run()), ms);
    timers.add(id);
  };
  let submitted = 0;
  const take = () => {
    if (submitted >= maxTasks) return false;
    if (++submitted >= maxTasks) {
      for (const id of timers) clock.clearTimeout(id);
      timers.clear();
    }
    return true;
  };
  arrivals.forEach((arrival, index) => {
    const stream = random(`arrival:${index}`);
    const gap = () => (arrival.everyMs !== undefined ? arrival.everyMs : exponential(stream, 1000 / arrival.perSecond!));
    const schedule = () => {
      const ms = gap();
      if (clock.now() + ms <= durationMs && submitted < maxTasks) after(ms, next);
    };
    const next = () => {
      if (!take()) return;
      submit(arrival.task, arrival.at);
      schedule();
    };
    schedule();
  });
  for (const entry of journal) after(entry.at, () => take() && submit({ type: entry.type }, entry.entry));
}

/** An arrival as scheduled: its task, and one rate checked to be a finite number > 0. */
export type CheckedArrival = { readonly task: Omit<TaskInput, 'id'>; readonly perSecond?: number; readonly everyMs?: number; readonly at?: string };

function checkedArrival(arrival: Arrival, where: string, hierarchy: Hierarchy): CheckedArrival {
  checkShape(arrival, ARRIVAL, where, shapeContext('simulate', 'invalid_option'));
  const { perSecond: rate, everyMs: every, at } = arrival;
  if ((rate === undefined) === (every === undefined) || !((rate ?? every)! > 0) || !Number.isFinite(rate ?? every)) {
    // An infinite rate (or interval) would submit every task at one instant: the clock never moves on.
    throw new EchelonError('invalid_option', `${where} needs perSecond or everyMs (one of them, a finite number > 0), got ${JSON.stringify({ perSecond: rate, everyMs: every }, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? String(value) : value))}.`);
  }
  const gap = every ?? 1000 / rate!;
  if (gap > LONGEST) throw new EchelonError('invalid_option', `${where}: one every ${gap.toPrecision(3)} ms is more than 2^53 − 1 ms (285,000 years) apart: past it the simulated clock cannot tell one ms from the next.`);
  const entry = at ?? hierarchy.root.id;
  if (!hierarchy.has(entry)) throw notAnAgent(`${where}: at names "${entry}"`, entry, hierarchy);
  const task = typeof arrival.task === 'string' ? { type: arrival.task } : arrival.task;
  checkTask(task, entry, where);
  return { task, ...(rate === undefined ? {} : { perSecond: rate }), ...(every === undefined ? {} : { everyMs: every }), ...(at === undefined ? {} : { at }) };
}

/** A journal's submission as replayed: when it was submitted there (from its first submission, once checked), its type and its entry agent. */
export type JournalSubmission = { readonly at: number; readonly type: string; readonly entry: string | undefined };

/** Refuses, as `submit` would (`invalid_task` …), a task submitted at `entry`, naming `where`. */
function checkTask(task: Omit<TaskInput, 'id'>, entry: string, where: string): void {
  try {
    validateTaskInput(task as TaskInput, { entry, now: 0, newId: () => 'simulated', isActive: () => false, defaults: { maxSubtasks: Infinity, maxDepth: Infinity } });
  } catch (error) {
    if (!(error instanceof EchelonError)) throw error;
    throw refusalAt(where, error);
  }
}

/**
 * The journal's submissions: their times, task types and entry agents (each one of this
 * organisation). A type `submit` refuses — one with control characters, kept by a store from
 * before they were refused — is refused here, naming its entry: the simulation submits it anew.
 */
function submissions(journal: readonly JournalEntry[], hierarchy: Hierarchy): (JournalSubmission & { readonly index: number })[] {
  return journal.flatMap((entry, index) => {
    if (entry.type !== 'task.submitted') return [];
    // Every submission a store records has both: one without is damaged, and leaving it out would replay another workload.
    if (typeof entry.data?.type !== 'string' || !(entry.data.entry == null || typeof entry.data.entry === 'string')) {
      throw new EchelonError('invalid_option', `workload.journal[${index}]: a task.submitted entry has its task's type (data.type, a string) and, when it was submitted below the root, the agent it was submitted at (data.entry, a string); got ${show(entry.data)}.`, { details: { index } });
    }
    const at = entry.data.entry ?? undefined;
    if (at !== undefined && !hierarchy.has(at)) throw notAnAgent(`workload.journal[${index}] submits "${entry.data.type}" at "${at}"`, at, hierarchy, ' (a journal of another organisation?)');
    checkTask({ type: entry.data.type }, at ?? hierarchy.root.id, `workload.journal[${index}]`);
    return [{ at: entry.at, type: entry.data.type, entry: at, index }];
  });
}

function notAnAgent(what: string, id: string, hierarchy: Hierarchy, why = ''): EchelonError {
  const near = closest(id, agentNames(hierarchy));
  return new EchelonError('unknown_agent', `${what}, which is not an agent of this hierarchy${why}${near === undefined ? '' : ` — did you mean "${near}"?`}.`, { details: { agentId: id } });
}
