/**
 * Taking up what a restore brought back. A persisted agent keeps its table of held tasks but not
 * its timers, its executors' promises or the decisions it awaited: each running attempt runs
 * again (same attempt, same idempotency key) for the time it had left, a backoff or an approval's
 * deadline is armed again for what remains (at once when it passed while the process was down),
 * approvers are asked again, and tasks whose decision was pending are decided again.
 */
import type { AgentInternalEvent } from '../agent.types.js';
import { expired } from './approval.js';
import { idempotencyKey, startQueued, timedOut } from './execution.js';
import { decideAgain } from './pipeline.js';
import { send, type Turn } from './turn.js';

type Timer = Extract<AgentInternalEvent, { type: 'echelon.timer' }>;

export function resumeAll(t: Turn): void {
  const now = t.ports.host.now();
  /** Arms a timer for what is left of its wait; one whose deadline passed fires now. */
  const rearm = (key: string, at: number, event: Timer) => {
    if (at > now) t.effects.push({ type: 'arm', key, delayMs: at - now, event });
    else if (event.what === 'approval') expired(t, event);
    else timedOut(t, event);
  };
  for (const id of Object.keys(t.ctx.held)) {
    const record = t.ctx.held[id]!;
    const token = record.attempt!;
    switch (record.phase) {
      case 'running':
        // An attempt whose time ran out while the process was down times out now, without running again.
        if ((record.deadline ?? now) > now) t.effects.push({ type: 'execute', request: { task: record.task, agentId: t.me, attempt: token, idempotencyKey: idempotencyKey(record.task, t.me) } });
        rearm(`run:${id}`, record.deadline ?? now, { type: 'echelon.timer', taskId: id, token, what: 'attempt' });
        break;
      case 'backoff':
        rearm(`run:${id}`, record.deadline ?? now, { type: 'echelon.timer', taskId: id, token, what: 'backoff' });
        break;
      case 'parked': {
        const { request } = record.approval!;
        send(t, request.approver, { type: 'approval.requested', approval: request });
        if (request.expiresAt !== undefined) rearm(`apv:${request.id}`, request.expiresAt, { type: 'echelon.timer', taskId: id, token, what: 'approval' });
        break;
      }
      case 'deciding':
        decideAgain(t, record);
        break;
      default:
        break;
    }
  }
  startQueued(t);
}
