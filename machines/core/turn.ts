/**
 * One message being handled by one agent: its context (changed in place), the effects the
 * handling asks for, and the ports. Every handler in this folder takes a turn and returns
 * nothing: what it decided is in the context, what it wants done is in `turn.effects`, which the
 * host carries out once the message is handled.
 */
import type { TaskError } from '../../src/errors.js';
import type { AgentMessage, Settlement, Task } from '../../src/types.js';
import type { AgentContext, AgentStateName, HeldTask } from '../agent.types.js';
import type { AgentPorts, AgentReport, DecisionControl, Effect } from '../ports.js';
import { advance, type TaskMove } from '../task.machine.js';
import { table } from './tables.js';

export interface Turn {
  readonly ctx: AgentContext;
  readonly me: string;
  readonly ports: AgentPorts;
  readonly effects: Effect[];
}

export function turn(ctx: AgentContext, ports: AgentPorts): Turn {
  return { ctx, me: ctx.agentId, ports, effects: [] };
}

export function send(t: Turn, to: string, message: AgentMessage): void {
  t.effects.push({ type: 'send', to, message });
}

export function report(t: Turn, report: AgentReport): void {
  t.effects.push({ type: 'report', report });
}

/** Holds the resources a task declares while it is taken for execution here (one that declares none asks for nothing). */
export function claim(t: Turn, task: Task): void {
  if (task.resources.length > 0) t.effects.push({ type: 'claim', task });
}

/** Frees what a task holds here (one that declares no resources never held any). */
export function release(t: Turn, task: Task): void {
  if (task.resources.length > 0) t.effects.push({ type: 'release', taskId: task.id });
}

/** A fresh token (for a decision or a timer) from the agent's counter. */
export function token(t: Turn): number {
  return ++t.ctx.seq;
}

/** Counters of what the agent holds per phase that decide where its chart rests. */
function count(ctx: AgentContext, record: HeldTask, by: number): void {
  const { phase } = record;
  if (phase === 'running' || phase === 'backoff') ctx.running += by;
  else if (phase === 'deciding') {
    ctx.deciding += by;
    if (record.decision?.phase === 'evaluate') ctx.evaluating += by;
  } else if (phase === 'parked') ctx.parked += by;
}

/** Starts holding a task (in the pipeline: `received`). */
export function hold(t: Turn, record: HeldTask): HeldTask {
  table(t.ctx, 'held')[record.task.id] = record;
  count(t.ctx, record, 1);
  return record;
}

/**
 * Moves a held task along its lifecycle chart. A move the chart does not allow is a bug in the
 * agent, not a state: it throws, and the agent reports a fault for that task.
 */
export function move(t: Turn, record: HeldTask, how: TaskMove): void {
  const next = advance(record.phase, how);
  if (next === undefined) throw new Error(`${t.me} cannot ${how} task ${record.task.id} while it is ${record.phase}.`);
  count(t.ctx, record, -1);
  record.phase = next;
  if (next === 'left') {
    if (t.ctx.held[record.task.id] === record) delete t.ctx.held[record.task.id];
    return;
  }
  // A task leaving the pipeline for a phase it waits in enters the table (if it was not there).
  table(t.ctx, 'held')[record.task.id] = record;
  count(t.ctx, record, 1);
}

/** Where the chart rests now: executing beats deciding beats waiting for approval. */
export function restOf(ctx: AgentContext): AgentStateName {
  if (ctx.running > 0 || ctx.queue.length > 0) return 'executing';
  if (ctx.evaluating > 0) return 'evaluatingEscalation';
  if (ctx.deciding > 0) return 'delegating';
  if (ctx.parked > 0) return 'awaitingApproval';
  return 'receiving';
}

export function settledCancelled(agentId: string, reason: string | undefined): Settlement {
  return {
    status: 'cancelled',
    error: { code: 'cancelled', message: reason === undefined ? `Cancelled at ${agentId}.` : `Cancelled at ${agentId}: ${reason}` },
    attempts: 0,
  };
}

export const failure = (error: TaskError, attempts = 0, executedBy?: string): Settlement => ({
  status: 'failed',
  error,
  attempts,
  ...(executedBy === undefined ? {} : { executedBy }),
});

/** The control a decision gets: a signal made only when read, and the task's cost meter. */
class DecisionMeter implements DecisionControl {
  #controller: AbortController | undefined;
  readonly #host: AgentPorts['host'];
  readonly #taskId: string;
  constructor(host: AgentPorts['host'], taskId: string) {
    this.#host = host;
    this.#taskId = taskId;
  }
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }
  reportCost(amount: number): void {
    this.#host.charge(this.#taskId, amount);
  }
  /** The agent stops waiting: the decision's signal aborts (made now if it was never read, so a later read finds it aborted). */
  abort(): void {
    (this.#controller ??= new AbortController()).abort(new Error('the agent no longer waits for this decision'));
  }
}

export function control(t: Turn, task: Pick<Task, 'id'>): DecisionMeter {
  return new DecisionMeter(t.ports.host, task.id);
}
