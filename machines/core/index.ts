/**
 * The agent's behaviour, gen_server style: for each message, the handler that changes the agent's
 * table of held tasks and asks for effects. The agent statechart names these as its actions;
 * `handle` runs one of them over a turn, settles where the chart rests, and hands the effects to
 * the host.
 */
import { taskErrorFromUnknown } from '../../src/errors.js';
import { resolutionTaskId as resolutionIdOf, type AgentContext, type AgentEvent } from '../agent.types.js';
import type { AgentPorts } from '../ports.js';
import { approverDecided, decided, expired, requested } from './approval.js';
import { cancel } from './cancel.js';
import { deliver, end } from './delivery.js';
import { resolved } from './escalation.js';
import { accept, executed, timedOut } from './execution.js';
import { resumeAll } from './restore.js';
import { admit, canTakeReady, evaluate, redecide, refusedAsHeld, resume, select, takeReady, wake } from './pipeline.js';
import { hold, report, restOf, turn, type Turn } from './turn.js';
import { table } from './tables.js';

export { canTakeReady };

/** What each message does to the agent. */
export const handlers = {
  assign(t: Turn, event: AgentEvent) {
    if (event.type === 'task.assign') admit(t, event.task, event.mode ?? 'route');
  },
  raised(t: Turn, event: AgentEvent) {
    if (event.type !== 'escalation.raised') return;
    const { escalation } = event;
    const task = resolutionTask(t, escalation);
    let mode;
    try {
      mode = t.ports.policy.resolutionMode(escalation.reason);
    } catch (error) {
      // A policy that cannot say how to resolve fails the escalation (and so the task), not this agent — unless one under that id is held (admit refuses the rest).
      if (!refusedAsHeld(t, task)) end(t, hold(t, { task, phase: 'received', mode: 'route' }), { status: 'failed', error: taskErrorFromUnknown(error, 'policy_error'), attempts: 0 });
      return;
    }
    admit(t, task, mode);
  },
  childSettled(t: Turn, event: AgentEvent) {
    if (event.type !== 'task.completed' && event.type !== 'task.failed') return;
    const at = event.task.chain.indexOf(t.me);
    const child = event.task.chain[at + 1];
    if (at >= 0 && child !== undefined) table(t.ctx, 'load')[child] = Math.max(0, (t.ctx.load[child] ?? 0) - 1);
    deliver(t, event.task, event.settlement);
  },
  resolved(t: Turn, event: AgentEvent) {
    if (event.type === 'escalation.resolved') resolved(t, event);
  },
  executed(t: Turn, event: AgentEvent) {
    if (event.type === 'echelon.executed') executed(t, event);
  },
  timer(t: Turn, event: AgentEvent) {
    if (event.type !== 'echelon.timer') return;
    if (event.what === 'approval') expired(t, event);
    else timedOut(t, event);
  },
  decided(t: Turn, event: AgentEvent) {
    if (event.type === 'echelon.decided') resume(t, event);
  },
  redecide(t: Turn, event: AgentEvent) {
    if (event.type === 'echelon.redecide') redecide(t, event);
  },
  requested(t: Turn, event: AgentEvent) {
    if (event.type === 'approval.requested') requested(t, event.approval);
  },
  approverDecided(t: Turn, event: AgentEvent) {
    if (event.type === 'echelon.approver') approverDecided(t, event);
  },
  decision(t: Turn, event: AgentEvent) {
    if (event.type !== 'approval.granted' && event.type !== 'approval.denied') return;
    const approved = decided(t, event);
    if (approved !== undefined) accept(t, approved);
  },
  withdrawn(t: Turn, event: AgentEvent) {
    if (event.type === 'approval.withdrawn') t.effects.push({ type: 'forget', key: `apr:${event.approvalId}` });
  },
  cancel(t: Turn, event: AgentEvent) {
    if (event.type === 'task.cancel') cancel(t, event.taskId, event.reason);
  },
  released(t: Turn) {
    wake(t);
  },
  resume(t: Turn) {
    resumeAll(t);
  },
  evaluate(t: Turn) {
    evaluate(t);
  },
  select(t: Turn) {
    select(t);
  },
  takeReady(t: Turn) {
    takeReady(t);
  },
} satisfies Record<string, (t: Turn, event: AgentEvent) => void>;

export type HandlerName = keyof typeof handlers;

function resolutionTask(t: Turn, escalation: Extract<AgentEvent, { type: 'escalation.raised' }>['escalation']) {
  return {
    ...escalation.task,
    id: resolutionIdOf(escalation.task.id, escalation.id),
    parentId: escalation.task.id,
    origin: { kind: 'escalation' as const, escalationId: escalation.id, raisedBy: escalation.from },
    chain: [t.me],
  };
}

/**
 * Handles one message at one agent: runs the handler, settles where the chart rests, and hands
 * the effects to the host. A handler that throws (a bug, or a policy breaking its contract) is
 * a fault of this agent, reported with the task in its pipeline: the organisation goes on.
 */
export function handle(ctx: AgentContext, ports: AgentPorts, name: HandlerName, event: AgentEvent): void {
  const t = turn(ctx, ports);
  try {
    handlers[name](t, event);
  } catch (error) {
    const task = ctx.current?.task;
    ctx.current = null;
    report(t, { type: 'agent.fault', agent: ctx.agentId, error: taskErrorFromUnknown(error, 'internal_error'), ...(task === undefined ? {} : { task }) });
  }
  ctx.rest = restOf(ctx);
  ctx.version++;
  if (t.effects.length > 0) ports.host.perform(ctx.agentId, t.effects);
}
