/**
 * Escalations between agents. The raiser keeps its task (`escalated`) and sends the escalation
 * up; the target works on a resolution task of its own (routing it, executing it or deferring
 * it, as the reason's resolution mode says) and sends the resolution back; the raiser then
 * delivers its task with that result. A task that comes back to an agent that already escalated
 * it for the same reason is a loop: it fails at once, naming the agents of the loop.
 */
import type { AgentMessage, EscalationRequest, Task } from '../../src/types.js';
import { resolutionTaskId, type HeldTask } from '../agent.types.js';
import type { Step } from '../ports.js';
import { deliver, end } from './delivery.js';
import { move, release, report, send, type Turn } from './turn.js';
import { table } from './tables.js';

/** Raises an escalation for a held task (in the pipeline, or after its execution failed). */
export function escalate(t: Turn, record: HeldTask, step: Extract<Step, { kind: 'escalate' }>): void {
  const { me } = t;
  const { task } = record;
  const earlier = task.escalations.findIndex((hop) => hop.from === me && hop.reason === step.reason && hop.to !== me);
  if (earlier >= 0) {
    const agents = [...new Set([me, ...task.escalations.slice(earlier).map((hop) => hop.to).filter((to) => to !== me)])];
    // A failure that started the way round (an agent a person assigned it to failed it, say) ends the task, as it would at the top.
    const { cause } = task;
    const started = cause === undefined ? '' : ` It started with ${cause.by} failing it: ${cause.error.message}`;
    end(t, record, {
      status: 'failed',
      error: {
        code: 'delegation_loop',
        message: `Task ${task.id} came back to ${me}, which had already escalated it (${step.reason}): ${agents.join(' → ')} → ${me}.${started}`,
        details: { taskId: task.id, agents, reason: step.reason, ...(cause === undefined ? {} : { cause: cause.error }) },
      },
      ...(cause === undefined ? { attempts: record.attempt ?? 0 } : { executedBy: cause.by, attempts: cause.attempts ?? 0 }),
    });
    return;
  }
  const id = t.ports.host.newId('esc');
  const excludes = step.reason === 'beyond_capability' || step.reason === 'execution_failed';
  const raised: Task = {
    ...task,
    escalations: [...task.escalations, { id, reason: step.reason, from: me, to: step.to }],
    excluded: excludes && !task.excluded.includes(me) ? [...task.excluded, me] : task.excluded,
    ...(step.error === undefined || step.error === task.cause?.error
      ? {}
      : { cause: { error: step.error, by: me, attempts: record.attempt ?? 0, ...(step.retryable === false ? { retryable: false as const } : {}) } }),
  };
  const escalation: EscalationRequest = {
    id,
    reason: step.reason,
    from: me,
    to: step.to,
    message: step.message,
    task: raised,
    ...(step.error === undefined ? {} : { error: step.error }),
    raisedAt: t.ports.host.now(),
  };
  record.task = raised;
  record.escalationId = id;
  move(t, record, 'escalate');
  table(t.ctx, 'escalations')[id] = task.id;
  release(t, task);
  if (step.to !== 'human') send(t, step.to, { type: 'escalation.raised', escalation });
  report(t, { type: 'escalation.raised', escalation, resolutionTaskId: resolutionTaskId(task.id, id) });
}

/** The escalation this agent raised was resolved: its task goes on with the resolution's result. */
export function resolved(t: Turn, event: Extract<AgentMessage, { type: 'escalation.resolved' }>): void {
  const taskId = t.ctx.escalations[event.escalationId];
  const record = taskId === undefined ? undefined : t.ctx.held[taskId];
  if (record === undefined || record.phase !== 'escalated') return; // cancelled meanwhile: nothing waits for it
  delete t.ctx.escalations[event.escalationId];
  record.escalationId = undefined;
  move(t, record, 'leave');
  deliver(t, record.task, event.settlement);
}
