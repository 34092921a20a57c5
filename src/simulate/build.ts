/**
 * Turns a simulation's running sums into its report: rates, percentiles, shares of time, the
 * queue series of the agents where work waited longest, and the bottlenecks.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Collector } from './collect.js';
import { histogram, summarise, type AgentReport, type Bottleneck, type QueueSeries, type SimulationReport, type TaskTypeReport } from './report.js';

/** Utilisation from which an agent counts as a bottleneck whatever its queue. */
const BUSY = 0.8;

export function buildReport(collector: Collector, hierarchy: Hierarchy, run: { seed: number; end: number; concurrency: (agentId: string) => number | undefined }): SimulationReport {
  const span = Math.max(1, run.end);
  const agents: AgentReport[] = hierarchy.nodes().map((node) => {
    const sums = collector.agents.get(node.id)!;
    const states: Record<string, number> = {};
    for (const [state, ms] of sums.stateMs) if (ms > 0) states[state] = ms / span;
    return {
      id: node.id,
      role: node.role,
      level: node.level,
      executions: sums.executions,
      utilisation: sums.busyMs / ((run.concurrency(node.id) ?? 1) * span),
      meanQueue: sums.queueArea / span,
      maxQueue: sums.maxQueue,
      meanWaitMs: sums.waits === 0 ? 0 : sums.waitMs / sums.waits,
      states,
    };
  });
  const byType: TaskTypeReport[] = [...collector.types].map(([type, sums]) => {
    const latencies = Float64Array.from(sums.latencies);
    const latency = summarise(latencies);
    const per = (total: number) => (latency.count === 0 ? 0 : total / latency.count);
    return {
      type,
      submitted: sums.submitted,
      ...sums.byStatus,
      latency,
      spent: { queued: per(sums.queued), executing: per(sums.executing), awaitingApproval: per(sums.approval), escalated: per(sums.escalated) },
      escalationRate: per(sums.escalations),
      meanCost: per(sums.cost),
      histogram: histogram(latencies, latency.p99),
    };
  });
  const total = (key: 'completed' | 'failed' | 'rejected' | 'cancelled') => byType.reduce((sum, type) => sum + type[key], 0);
  const submitted = byType.reduce((sum, type) => sum + type.submitted, 0);
  const { approvals } = collector;
  const decided = approvals.approved + approvals.rejected;
  return {
    seed: run.seed,
    simulatedMs: run.end,
    tasks: { submitted, completed: total('completed'), failed: total('failed'), rejected: total('rejected'), cancelled: total('cancelled') },
    escalations: { raised: collector.escalations, perTask: submitted === 0 ? 0 : collector.escalations / submitted, byReason: { ...collector.escalationsByReason } },
    approvals: { requested: approvals.requested, approved: approvals.approved, rejected: approvals.rejected, meanWaitMs: decided === 0 ? 0 : approvals.waitMs / decided },
    rejectionRate: submitted === 0 ? 0 : total('rejected') / submitted,
    cost: { total: collector.totalCost, perTask: submitted === 0 ? 0 : collector.totalCost / submitted },
    byType,
    agents,
    bottlenecks: bottlenecks(agents),
    queues: queues(collector, agents, run.end),
    ...(collector.keepOutcomes ? { outcomes: [...collector.outcomes].sort((a, b) => Number(a.id.slice(1)) - Number(b.id.slice(1))) } : {}),
  };
}

/** Agents busy ≥ 80 % of the time, or whose queue kept tasks waiting, the worst first (at most 5). */
function bottlenecks(agents: readonly AgentReport[]): Bottleneck[] {
  return agents
    .filter((agent) => agent.utilisation >= BUSY || agent.meanQueue >= 1)
    .sort((a, b) => b.meanQueue - a.meanQueue || b.utilisation - a.utilisation)
    .slice(0, 5)
    .map((agent) => ({
      agent: agent.id,
      utilisation: agent.utilisation,
      meanQueue: agent.meanQueue,
      meanWaitMs: agent.meanWaitMs,
      reason: `busy ${(agent.utilisation * 100).toFixed(0)} % of the time; ${agent.meanQueue.toFixed(1)} task(s) waiting on average (at most ${agent.maxQueue}), each for ${(agent.meanWaitMs / 1000).toFixed(1)} s`,
    }));
}

/** Points a queue series has at most: a run longer than its intervals foresaw gets wider ones (a whole number of them each). */
export const QUEUE_POINTS = 100_000;

/** Points a series of intervals of `intervalMs` has over `spanMs`: one for each interval that starts within it. */
export const queuePoints = (spanMs: number, intervalMs: number) => Math.floor(spanMs / intervalMs) + 1;

/** The series of the (at most 8) agents with the longest mean queues: the largest length within each interval, over every interval. */
function queues(collector: Collector, agents: readonly AgentReport[], end: number): QueueSeries[] {
  const longest = agents.filter((agent) => agent.maxQueue > 0).sort((a, b) => b.meanQueue - a.meanQueue).slice(0, 8);
  const slots = queuePoints(end, collector.intervalMs);
  const width = Math.ceil(slots / Math.min(slots, QUEUE_POINTS));
  return longest.map((agent) => {
    // Only intervals with a change are kept: walk them in order (an interval without one holds the length the last one ended with).
    const changed = [...(collector.agents.get(agent.id)!.series ?? [])].sort(([a], [b]) => a - b);
    const points: [number, number][] = [];
    let next = 0;
    let length = 0;
    for (let point = 0; point * width < slots; point++) {
      let largest = length;
      for (; next < changed.length && changed[next]![0] < (point + 1) * width; next++) {
        largest = Math.max(largest, changed[next]![1].max);
        length = changed[next]![1].end;
      }
      points.push([Math.round(point * width * collector.intervalMs), largest]);
    }
    return { agent: agent.id, intervalMs: width * collector.intervalMs, points };
  });
}
