/**
 * What a simulation measures while the organisation runs: it listens to the organisation's
 * lifecycle events (queued, started, escalations, approvals, state changes, outcomes) and to the
 * modelled executors (busy time, cost), and keeps running sums — never the event stream itself —
 * so a run of a million tasks stays in memory.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Orchestrator } from '../runtime/index.js';
import type { Outcome } from '../types.js';
import { agentKey, agentOfKey } from '../show.js';

/** The submitted task a task id belongs to: simulated tasks are `s<n>`, parts and resolutions extend it. */
export const rootOf = (taskId: string): string => {
  const cut = taskId.search(/[.!]/);
  return cut < 0 ? taskId : taskId.slice(0, cut);
};

interface AgentSums {
  executions: number;
  busyMs: number;
  queue: number;
  maxQueue: number;
  /** ∫ queue length dt, and when it last changed. */
  queueArea: number;
  queueSince: number;
  waits: number;
  waitMs: number;
  state: string;
  stateSince: number;
  stateMs: Map<string, number>;
  /** Per interval (index) with a change: the largest length within it (the one it opened with included), and the length it ended with. */
  series: Map<number, { max: number; end: number }> | undefined;
}

/** Where time went (ms), what it cost and how often it escalated: for one task, or summed per type. */
interface Spent {
  queued: number;
  executing: number;
  approval: number;
  escalated: number;
  cost: number;
  escalations: number;
}

interface ActiveTask extends Spent {
  readonly type: string;
  readonly at: number;
}

export interface TypeSums extends Spent {
  submitted: number;
  byStatus: Record<Outcome['status'], number>;
  latencies: number[];
}

/**
 * Ids echelon makes (`task_…`, `apv_…`, `esc_…`) are random, not seeded: a report of the same seed
 * must read the same. An id's ten characters come from nanoid's alphabet, `-` and `_` included, so
 * its ends are found by what may not touch them rather than by `\b` (`apv_P--Hw2fIO-` ends in `-`).
 */
export const withoutIds = (message: string) =>
  message.replace(/(?<![A-Za-z0-9_-])(task|apv|esc)_[A-Za-z0-9_-]{10}(?![A-Za-z0-9_-])/g, '$1_…');

export class Collector {
  readonly agents = new Map<string, AgentSums>();
  readonly types = new Map<string, TypeSums>();
  readonly active = new Map<string, ActiveTask>();
  readonly escalationsByReason: Record<string, number> = {};
  /** Submitted tasks that did not complete, by error code: how many, and the first one's message. */
  readonly notCompleted = new Map<string, { count: number; example: string }>();
  readonly approvals = { requested: 0, approved: 0, rejected: 0, waitMs: 0 };
  readonly outcomes: { id: string; type: string; status: string; executedBy?: string; chain: readonly string[] }[] = [];
  readonly #queuedAt = new Map<string, number>();
  /** Submitted task → the queue places (`agentKey(agent, task)`) its tree holds: those it never started leave when it settles. */
  readonly #queuedByRoot = new Map<string, Set<string>>();
  readonly #approvalAt = new Map<string, number>();
  /** Open escalation → the task its chain started at (`t` for `t`, `t!esc_1`, …): nested escalations overlap, their time counts once. */
  readonly #escalationChain = new Map<string, string>();
  readonly #chains = new Map<string, { open: number; since: number }>();
  totalCost = 0;
  escalations = 0;
  lastSettled = 0;

  constructor(
    hierarchy: Hierarchy,
    readonly intervalMs: number,
    readonly keepOutcomes: boolean,
  ) {
    for (const node of hierarchy.nodes()) {
      this.agents.set(node.id, { executions: 0, busyMs: 0, queue: 0, maxQueue: 0, queueArea: 0, queueSince: 0, waits: 0, waitMs: 0, state: 'receiving', stateSince: 0, stateMs: new Map(), series: undefined });
    }
  }

  /** Subscribes to the organisation's events; `states` also follows every agent's statechart (it costs throughput). */
  listen(org: Orchestrator, states: boolean): void {
    org.on('task.queued', ({ task, agent, at }) => {
      const key = agentKey(agent, task.id);
      this.#queuedAt.set(key, at);
      let places = this.#queuedByRoot.get(task.rootId);
      if (places === undefined) this.#queuedByRoot.set(task.rootId, (places = new Set()));
      places.add(key);
      this.#queue(agent, at, +1);
    });
    org.on('task.started', ({ task, agent, at }) => {
      const key = agentKey(agent, task.id);
      const since = this.#queuedAt.get(key);
      if (since === undefined) return;
      this.#queuedAt.delete(key);
      this.#queuedByRoot.get(task.rootId)?.delete(key);
      this.#queue(agent, at, -1);
      const sums = this.agents.get(agent)!;
      sums.waits++;
      sums.waitMs += at - since;
      const active = this.active.get(task.rootId);
      if (active !== undefined) active.queued += at - since;
    });
    org.on('escalation.raised', ({ escalation, at }) => {
      this.escalations++;
      this.escalationsByReason[escalation.reason] = (this.escalationsByReason[escalation.reason] ?? 0) + 1;
      const chain = escalation.taskId.split('!')[0]!;
      this.#escalationChain.set(escalation.id, chain);
      const open = this.#chains.get(chain);
      if (open === undefined) this.#chains.set(chain, { open: 1, since: at });
      else open.open++;
      const active = this.active.get(rootOf(escalation.taskId));
      if (active !== undefined) active.escalations++;
    });
    org.on('escalation.resolved', ({ escalation, at }) => {
      const chain = this.#escalationChain.get(escalation.id);
      if (chain === undefined) return;
      this.#escalationChain.delete(escalation.id);
      const open = this.#chains.get(chain)!;
      if (--open.open > 0) return;
      this.#chains.delete(chain);
      const active = this.active.get(rootOf(chain));
      if (active !== undefined) active.escalated += at - open.since;
    });
    org.on('approval.requested', ({ approval, at }) => {
      if (this.#approvalAt.has(approval.id)) return;
      this.approvals.requested++;
      this.#approvalAt.set(approval.id, at);
    });
    org.on('approval.decided', ({ approval, at }) => {
      if (approval.status === 'approved') this.approvals.approved++;
      else this.approvals.rejected++;
      const since = this.#approvalAt.get(approval.id);
      if (since === undefined) return;
      this.#approvalAt.delete(approval.id);
      this.approvals.waitMs += at - since;
      const active = this.active.get(rootOf(approval.taskId));
      if (active !== undefined) active.approval += at - since;
    });
    if (states) {
      org.on('agent.state', ({ agent, state, at }) => {
        const sums = this.agents.get(agent)!;
        sums.stateMs.set(sums.state, (sums.stateMs.get(sums.state) ?? 0) + (at - sums.stateSince));
        sums.state = state;
        sums.stateSince = at;
      });
    }
  }

  submitted(id: string, type: string, at: number): void {
    this.active.set(id, { type, at, queued: 0, executing: 0, approval: 0, escalated: 0, cost: 0, escalations: 0 });
    this.#type(type).submitted++;
  }

  /** An attempt of a modelled executor ran from `start` to `end` at `agent`. */
  executed(agent: string, taskId: string, start: number, end: number, cost: number): void {
    const sums = this.agents.get(agent)!;
    sums.executions++;
    sums.busyMs += end - start;
    this.totalCost += cost;
    const active = this.active.get(rootOf(taskId));
    if (active === undefined) return;
    active.executing += end - start;
    active.cost += cost;
  }

  settled(outcome: Outcome, at: number): void {
    // Queued work of this task that never started (cancelled, out of time, its join decided) leaves its queue now.
    for (const key of this.#queuedByRoot.get(outcome.taskId) ?? []) {
      const since = this.#queuedAt.get(key);
      this.#queuedAt.delete(key);
      if (since !== undefined) this.#queue(agentOfKey(key), at, -1);
    }
    this.#queuedByRoot.delete(outcome.taskId);
    const active = this.active.get(outcome.taskId);
    if (active === undefined) return;
    this.active.delete(outcome.taskId);
    this.lastSettled = Math.max(this.lastSettled, at);
    const sums = this.#type(active.type);
    sums.byStatus[outcome.status]++;
    if (outcome.status !== 'completed') this.#notCompleted(outcome);
    sums.latencies.push(at - active.at);
    sums.queued += active.queued;
    sums.executing += active.executing;
    sums.approval += active.approval;
    sums.escalated += active.escalated;
    sums.cost += active.cost;
    sums.escalations += active.escalations;
    if (this.keepOutcomes) {
      this.outcomes.push({ id: outcome.taskId, type: outcome.type, status: outcome.status, ...(outcome.executedBy === undefined ? {} : { executedBy: outcome.executedBy }), chain: outcome.delegationChain });
    }
  }

  /** Closes the books at `end`: the open intervals of queues and states. */
  finish(end: number): void {
    for (const sums of this.agents.values()) {
      sums.queueArea += sums.queue * (end - sums.queueSince);
      sums.queueSince = end;
      sums.stateMs.set(sums.state, (sums.stateMs.get(sums.state) ?? 0) + (end - sums.stateSince));
      sums.stateSince = end;
    }
  }

  #queue(agent: string, at: number, change: number): void {
    const sums = this.agents.get(agent)!;
    sums.queueArea += sums.queue * (at - sums.queueSince);
    sums.queueSince = at;
    const series = (sums.series ??= new Map());
    const slot = Math.floor(at / this.intervalMs);
    // An interval's first change: it opened with the length before it.
    let interval = series.get(slot);
    if (interval === undefined) series.set(slot, (interval = { max: sums.queue, end: sums.queue }));
    sums.queue += change;
    if (sums.queue > sums.maxQueue) sums.maxQueue = sums.queue;
    if (sums.queue > interval.max) interval.max = sums.queue;
    interval.end = sums.queue;
  }

  #notCompleted(outcome: Outcome): void {
    const code = outcome.error?.code ?? outcome.status;
    const seen = this.notCompleted.get(code);
    if (seen !== undefined) seen.count++;
    else this.notCompleted.set(code, { count: 1, example: withoutIds(outcome.error?.message ?? outcome.status).slice(0, 300) });
  }

  #type(type: string): TypeSums {
    let sums = this.types.get(type);
    if (sums === undefined) {
      sums = { submitted: 0, byStatus: { completed: 0, failed: 0, rejected: 0, cancelled: 0 }, latencies: [], queued: 0, executing: 0, approval: 0, escalated: 0, cost: 0, escalations: 0 };
      this.types.set(type, sums);
    }
    return sums;
  }
}
