/**
 * A simulation's queue series: the agents where work waited longest, one series each, and the
 * longest queue among all the others, so a chart of them accounts for every agent that kept one.
 */
import type { Collector } from './collect.js';
import type { AgentReport, OtherQueues, QueueSeries } from './report.js';

/** Points a queue series has at most: a run longer than its intervals foresaw gets wider ones (a whole number of them each). */
export const QUEUE_POINTS = 100_000;

/** Points a series of intervals of `intervalMs` has over `spanMs`: one for each interval that starts within it. */
export const queuePoints = (spanMs: number, intervalMs: number) => Math.floor(spanMs / intervalMs) + 1;

/** Agents drawn as a series of their own: those with the longest mean queues. */
const SERIES = 8;

/**
 * The series of the (at most 8) agents with the longest mean queues — the largest length within
 * each interval, over every interval — and, when more agents kept a queue, the longest of theirs.
 */
export function queueSeries(collector: Collector, agents: readonly AgentReport[], end: number): { queues: QueueSeries[]; otherQueues?: OtherQueues } {
  const queued = agents.filter((agent) => agent.maxQueue > 0).sort((a, b) => b.meanQueue - a.meanQueue);
  const slots = queuePoints(end, collector.intervalMs);
  const width = Math.ceil(slots / Math.min(slots, QUEUE_POINTS));
  const count = Math.ceil(slots / width);
  const intervalMs = width * collector.intervalMs;
  const at = (point: number) => Math.round(point * width * collector.intervalMs);
  const changes = (agent: AgentReport) => [...(collector.agents.get(agent.id)!.series ?? [])].sort(([a], [b]) => a - b);
  const queues = queued.slice(0, SERIES).map((agent) => {
    const lengths = new Array<number>(count).fill(0);
    walkQueue(changes(agent), width, count, (from, to, length) => lengths.fill(length, from, to));
    return { agent: agent.id, intervalMs, points: lengths.map((length, point) => [at(point), length] as const) };
  });
  const others = queued.slice(SERIES);
  if (others.length === 0) return { queues };
  // The longest of thousands of queues at 100,000 points: each agent's runs of one length raise a range at once.
  const longest = new RangeMax(count);
  for (const agent of others) walkQueue(changes(agent), width, count, (from, to, length) => longest.raise(from, to, length));
  return { queues, otherQueues: { agents: others.length, intervalMs, points: Array.from({ length: count }, (_, point) => [at(point), longest.at(point)] as const) } };
}

/**
 * Walks a queue's intervals that saw a change (by interval index, in order) as points of `width`
 * intervals each: `visit(from, to, length)` for each run of points [from, to) with that largest
 * length — a point with a change its largest, a run without one the length the last change left.
 */
function walkQueue(changed: readonly (readonly [number, { readonly max: number; readonly end: number }])[], width: number, count: number, visit: (from: number, to: number, length: number) => void): void {
  let point = 0;
  let length = 0;
  for (let next = 0; next < changed.length; ) {
    const at = Math.floor(changed[next]![0] / width);
    if (at >= count) break;
    if (at > point) visit(point, at, length);
    let largest = length;
    for (; next < changed.length && Math.floor(changed[next]![0] / width) === at; next++) {
      largest = Math.max(largest, changed[next]![1].max);
      length = changed[next]![1].end;
    }
    visit(at, at + 1, largest);
    point = at + 1;
  }
  if (point < count) visit(point, count, length);
}

/** Points that only ever rise (`raise` a range to at least a value), read once all are raised: a segment tree of maxima. */
class RangeMax {
  readonly #size: number;
  readonly #tags: Float64Array;

  constructor(count: number) {
    let size = 1;
    while (size < count) size *= 2;
    this.#size = size;
    this.#tags = new Float64Array(2 * size);
  }

  /** Raises the points [from, to) to at least `value`. */
  raise(from: number, to: number, value: number): void {
    if (value <= 0) return;
    const tags = this.#tags;
    for (let left = from + this.#size, right = to + this.#size; left < right; left >>= 1, right >>= 1) {
      if (left & 1) tags[left] = Math.max(tags[left]!, value), left++;
      if (right & 1) --right, (tags[right] = Math.max(tags[right]!, value));
    }
  }

  /** The point's value: the largest any range holding it was raised to. */
  at(point: number): number {
    let value = 0;
    for (let node = point + this.#size; node >= 1; node >>= 1) value = Math.max(value, this.#tags[node]!);
    return value;
  }
}
