/**
 * What a simulation reports: per agent utilisation, queues and time in each statechart state; per
 * task type latency percentiles and where the time went; escalation and rejection rates; cost;
 * and the bottleneck agents — all plain data (JSON), for the terminal, the HTML page and CI.
 */

/** Latency of one task type, in ms of simulated time. */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

/** Mean ms per task of one type spent in each place, summed over the task and its parts. */
export interface TimeSpent {
  readonly queued: number;
  readonly executing: number;
  readonly awaitingApproval: number;
  readonly escalated: number;
}

/** Submitted tasks that ended with one error code, and what one of them said. */
export interface NotCompleted {
  readonly code: string;
  readonly count: number;
  /** The first such task's error message (cut at 300 characters; the random ids echelon makes shown as `apv_…`). */
  readonly example: string;
}

export interface TaskTypeReport {
  readonly type: string;
  readonly submitted: number;
  readonly completed: number;
  readonly failed: number;
  readonly rejected: number;
  readonly cancelled: number;
  readonly latency: LatencySummary;
  readonly spent: TimeSpent;
  /** Escalations raised per submitted task. */
  readonly escalationRate: number;
  /** Cost reported per submitted task. */
  readonly meanCost: number;
  /** A histogram of latencies: bucket upper bounds (ms) and counts. */
  readonly histogram: { readonly bounds: readonly number[]; readonly counts: readonly number[] };
}

export interface AgentReport {
  readonly id: string;
  readonly role: string;
  readonly level: number;
  /** Attempts started here. */
  readonly executions: number;
  /** Busy time ÷ (concurrency × simulated time), 0–1. */
  readonly utilisation: number;
  /** Time-weighted mean of tasks waiting in its execution queue. */
  readonly meanQueue: number;
  readonly maxQueue: number;
  /** Mean ms the tasks that had to wait in its queue waited before starting. */
  readonly meanWaitMs: number;
  /** Share of simulated time its statechart spent in each state (when states were tracked). */
  readonly states: Readonly<Record<string, number>>;
}

/** An agent where work piles up, and why it was picked. */
export interface Bottleneck {
  readonly agent: string;
  readonly utilisation: number;
  readonly meanQueue: number;
  readonly meanWaitMs: number;
  readonly reason: string;
}

/** The longest queue, over time, among the agents `queues` leaves out. */
export interface OtherQueues {
  /** How many agents that kept a queue are left out of `queues`. */
  readonly agents: number;
  /** The interval each point covers, as in each of `queues`. */
  readonly intervalMs: number;
  /** One point for each interval, as in each of `queues`: its start and the longest of their lengths within it. */
  readonly points: readonly (readonly [atMs: number, length: number])[];
}

/** A queue over time: the largest length within each interval. */
export interface QueueSeries {
  readonly agent: string;
  /**
   * The interval each point covers: `sampleEveryMs`, or a whole multiple of it when the run went on
   * longer than 100,000 of them (the intervals are widened to keep that many points at most).
   */
  readonly intervalMs: number;
  /** One point for each interval that starts by the end of the run: its start and the largest length within it. */
  readonly points: readonly (readonly [atMs: number, length: number])[];
}

export interface SimulationReport {
  readonly seed: number;
  /**
   * Simulated ms from the start to the last thing that happened: the last task settling, or a timer
   * that ran after it (a person answering a request already decided, say), whichever came later.
   */
  readonly simulatedMs: number;
  readonly tasks: {
    readonly submitted: number;
    readonly completed: number;
    readonly failed: number;
    readonly rejected: number;
    readonly cancelled: number;
    /** Why submitted tasks did not complete: by error code, most frequent first, each with one of its messages. */
    readonly notCompleted: readonly NotCompleted[];
  };
  readonly escalations: { readonly raised: number; readonly perTask: number; readonly byReason: Readonly<Record<string, number>> };
  readonly approvals: { readonly requested: number; readonly approved: number; readonly rejected: number; readonly meanWaitMs: number };
  /** Share of submitted tasks that ended rejected. */
  readonly rejectionRate: number;
  readonly cost: { readonly total: number; readonly perTask: number };
  readonly byType: readonly TaskTypeReport[];
  /** Every agent, in hierarchy order. */
  readonly agents: readonly AgentReport[];
  /** The busiest agents first (utilisation ≥ 0.8, or a queue that keeps tasks waiting). */
  readonly bottlenecks: readonly Bottleneck[];
  /** Queue lengths over time of the agents with the longest queues (at most 8). */
  readonly queues: readonly QueueSeries[];
  /**
   * When more than 8 agents kept a queue: the longest queue among the others at each point (the
   * largest of their largest lengths within the interval), so nobody's queue goes unseen.
   */
  readonly otherQueues?: OtherQueues;
  /** Each submitted task's end, when `outcomes: true` was asked for (id order). */
  readonly outcomes?: readonly { readonly id: string; readonly type: string; readonly status: string; readonly executedBy?: string; readonly chain: readonly string[] }[];
}

/** p-th percentile (0–100) of ascending `sorted`, nearest rank. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Count, mean, p50/p95/p99 and max of `values` (sorted in place). */
export function summarise(values: Float64Array): LatencySummary {
  values.sort();
  let total = 0;
  for (const value of values) total += value;
  return {
    count: values.length,
    mean: values.length === 0 ? 0 : total / values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length === 0 ? 0 : values[values.length - 1]!,
  };
}

/** 20 buckets from 0 to the 99th percentile and one up to the maximum, of ascending `sorted`. */
export function histogram(sorted: Float64Array, p99: number): TaskTypeReport['histogram'] {
  const top = p99 > 0 ? p99 : (sorted[sorted.length - 1] ?? 1) || 1;
  const width = top / 20;
  // Whole ms, unless buckets are narrower than that: then to the µs, so no two bounds read the same.
  const round = width >= 1 ? Math.round : (ms: number) => Math.round(ms * 1000) / 1000;
  const bounds = Array.from({ length: 20 }, (_, i) => round((i + 1) * width));
  const counts = new Array<number>(21).fill(0);
  for (const value of sorted) counts[Math.min(20, Math.floor(value / width))]!++;
  return { bounds: [...bounds, Math.max(bounds[19]!, round(sorted[sorted.length - 1] ?? 0))], counts };
}
