/**
 * Cancelling a task wherever it is held here — one look in the table, one case per phase. A
 * cancellation for a task this agent does not hold (yet) is remembered, a little while: a task
 * still on its way here is ended the moment it arrives.
 */
import type { HeldTask } from '../agent.types.js';
import type { Settlement } from '../../src/types.js';
import { withdrawRequest } from './approval.js';
import { cancelSplit, end } from './delivery.js';
import { startQueued } from './execution.js';
import { report, settledCancelled, type Turn } from './turn.js';
import { table } from './tables.js';

/** How many early cancellations an agent remembers (the oldest are forgotten first). */
const REMEMBERED = 256;

export function cancel(t: Turn, taskId: string, reason: string | undefined): void {
  const record = t.ctx.held[taskId];
  if (record === undefined) {
    remember(t, taskId, reason);
    return;
  }
  // Cancelled during or between attempts, the task was executed here: say by whom and how often
  // (an attempt's side effect may be done), as a task that ran out of time does.
  const made = record.phase === 'running' || record.phase === 'backoff' ? (record.attempt ?? 0) : 0;
  const settlement = made > 0 ? { ...settledCancelled(t.me, reason), executedBy: t.me, attempts: made } : settledCancelled(t.me, reason);
  switch (record.phase) {
    case 'split':
      cancelSplit(t, record, settlement.error!);
      return;
    case 'deciding':
      t.effects.push({ type: 'forget', key: `dec:${taskId}` });
      break;
    case 'running':
    case 'backoff':
      t.effects.push({ type: 'abort', taskId, attempt: record.attempt }, { type: 'disarm', key: `run:${taskId}` });
      break;
    case 'parked':
      withdrawRequest(t, record);
      break;
    case 'escalated':
      closeEscalation(t, record, settlement);
      break;
    case 'received':
    case 'queued':
    case 'deferred':
    case 'left':
      break;
  }
  unlist(t, record);
  end(t, record, settlement);
  startQueued(t);
}

/** Takes a task off the agent's lines (the pipeline's and the execution queue). */
function unlist(t: Turn, record: HeldTask): void {
  const { ctx } = t;
  const id = record.task.id;
  if (ctx.current === record) ctx.current = null;
  const inReady = ctx.ready.indexOf(id);
  if (inReady >= 0) ctx.ready.splice(inReady, 1);
  const inQueue = ctx.queue.indexOf(id);
  if (inQueue >= 0) ctx.queue.splice(inQueue, 1);
}

/**
 * An escalated task is cancelled: an agent resolving it is told by the host (its resolution task is
 * cancelled too); a person is not an actor, so an escalation waiting for one is closed here.
 */
function closeEscalation(t: Turn, record: HeldTask, settlement: Settlement): void {
  const escalationId = record.escalationId!;
  delete t.ctx.escalations[escalationId];
  if (record.task.escalations.find((hop) => hop.id === escalationId)?.to === 'human') {
    report(t, { type: 'escalation.resolved', escalationId, resolvedBy: t.me, settlement });
  }
}

function remember(t: Turn, taskId: string, reason: string | undefined): void {
  const cancelled = table(t.ctx, 'cancelled');
  cancelled[taskId] = reason ?? '';
  let count = 0;
  for (const _ in cancelled) count++;
  if (count <= REMEMBERED) return;
  for (const oldest in cancelled) {
    delete cancelled[oldest];
    return;
  }
}
