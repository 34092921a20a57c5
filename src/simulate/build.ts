/**
 * Turns a simulation's running sums into its report: rates, percentiles, shares of time, the
 * queue series of the agents where work waited longest, and the bottlenecks.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Collector } from './collect.js';
import { histogram, summarise, type AgentReport, type Bottleneck, type SimulationReport, type TaskTypeReport } from './report.js';
import { queueSeries } from './queues.js';

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
    tasks: {
      submitted,
      completed: total('completed'),
      failed: total('failed'),
      rejected: total('rejected'),
      cancelled: total('cancelled'),
      notCompleted: [...collector.notCompleted].map(([code, { count, example }]) => ({ code, count, example })).sort((a, b) => b.count - a.count || (a.code < b.code ? -1 : 1)),
    },
    escalations: { raised: collector.escalations, perTask: submitted === 0 ? 0 : collector.escalations / submitted, byReason: { ...collector.escalationsByReason } },
    approvals: { requested: approvals.requested, approved: approvals.approved, rejected: approvals.rejected, meanWaitMs: decided === 0 ? 0 : approvals.waitMs / decided },
    rejectionRate: submitted === 0 ? 0 : total('rejected') / submitted,
    cost: { total: collector.totalCost, perTask: submitted === 0 ? 0 : collector.totalCost / submitted },
    byType,
    agents,
    bottlenecks: bottlenecks(agents),
    ...queueSeries(collector, agents, run.end),
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
