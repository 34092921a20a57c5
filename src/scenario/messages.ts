/**
 * One line per message between actors (`task.assign python task_1`, `approval.granted apv_1 by
 * cto`, a timer …), for the stepper's trace. Reads the fields the agent messages carry, so a new
 * message type still reads sensibly.
 */

/** A message as an actor received it. */
export interface MessageLike {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** True for XState's own bookkeeping events, which the trace leaves out (timers excepted). */
export function isInternalMessage(message: MessageLike): boolean {
  return message.type.startsWith('xstate.') && !isTimer(message);
}

/** True for a timer firing: a timeout, a backoff, an approval expiring. */
export function isTimer(message: MessageLike): boolean {
  return message.type === 'echelon.timer' || message.type.startsWith('xstate.after.');
}

/**
 * Describes a message in one line.
 *
 * @example
 * ```ts
 * describeMessage({ type: 'task.assign', task: { id: 'task_1', type: 'python' } }); // 'task.assign python task_1'
 * ```
 */
export function describeMessage(message: MessageLike): string {
  if (message.type === 'echelon.timer') return `timer ${String(message.what)} ${String(message.taskId)}`;
  if (isTimer(message)) return `timer ${message.type.slice('xstate.after.'.length)}`;
  const result = record(message.result);
  if (message.type === 'echelon.executed' && result !== undefined) return `echelon.executed ${String(message.taskId)} attempt ${String(message.attempt)} → ${String(result.kind)}`;
  const parts = [message.type];
  const task = record(message.task) ?? record(record(message.escalation)?.task);
  const approval = record(message.approval);
  if (task !== undefined) parts.push(...[task.type, task.id].filter(isText));
  else if (approval !== undefined) parts.push(...[approval.taskType, approval.taskId].filter(isText));
  else if (isText(message.taskId)) parts.push(message.taskId);
  if (isText(message.approvalId)) parts.push(message.approvalId);
  if (isText(message.escalationId)) parts.push(message.escalationId);
  const escalation = record(message.escalation);
  if (escalation !== undefined) parts.push(`(${String(escalation.reason)} from ${String(escalation.from)})`);
  const settlement = record(message.settlement);
  if (settlement !== undefined) parts.push(`→ ${String(settlement.status)}${isText(settlement.executedBy) ? ` by ${settlement.executedBy}` : ''}${isText(settlement.splitBy) ? `, split by ${settlement.splitBy}` : ''}`);
  if (isText(message.by)) parts.push(`by ${message.by}`);
  if (isText(message.resolvedBy)) parts.push(`by ${message.resolvedBy}`);
  if (typeof message.approved === 'boolean') parts.push(message.approved ? 'approved' : 'not approved');
  if (isText(message.mode) && message.mode !== 'route') parts.push(`(${message.mode})`);
  if (typeof message.attempts === 'number' && message.attempts > 1) parts.push(`after ${message.attempts} attempts`);
  if (isText(message.reason) && escalation === undefined) parts.push(`(${message.reason})`);
  return parts.join(' ');
}

function record(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
