/**
 * The checks at the handlers the ingress serves (the task workflow's `run`, a case's `approve`,
 * `reject`, `resolve` and `cancel`): anyone who reaches the ingress can call them with any JSON,
 * not only echelon's client. A handler that threw on such input would be retried by Restate for
 * ever, holding its object's lock — a case, or the entry agent a malformed task reached, and with
 * it every task after — so each is refused here, as the client refuses it at its door.
 */
import { isDeepStrictEqual } from 'node:util';
import { EchelonError } from '../errors.js';
import { readingCaller } from '../shape/index.js';
import { APPROVE, checkDecision, checkResolution, REJECT } from '../runtime/people.js';
import { taskIdProblem, validateTaskInput } from '../task-input.js';
import type { BudgetInput, Task, TaskInput } from '../types.js';
import { MESSAGE_LIMIT_BYTES, mib, oversized, sized } from './message-size.js';
import type { OrganisationBase } from './organisation.js';

/** What opening a case takes (the task workflow sends it). */
export interface CaseOpening {
  readonly task: Task;
  readonly entry: string;
  readonly budget?: BudgetInput;
  /** The awakeable the task's workflow run waits on for the outcome (the workflow adds it). */
  readonly awakeable?: string;
}

/**
 * The most a person's decision on an approval (who, and their comment or reason) may be as JSON:
 * the case keeps every decision in its state, which Restate hands it whole with each message, and
 * one approval decided with a 12 MiB comment left its case retried for ever. A comment is text.
 */
export const DECISION_LIMIT_BYTES = 64 * 1024;

/** The longest task id on Restate (an id is in its workflow's URL: the ingress refused one of 64 KiB, took 32 KiB; percent-encoded, a character may take 9 bytes); no id echelon makes is longer. */
export const MAX_ID_LENGTH = 2048;

/** An id as a message shows it: its first 60 characters when it is longer. */
export const shortened = (id: string) => (id.length > 60 ? `${id.slice(0, 60)}…` : id);

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** What is wrong with a person's decision, approve's or reject's (shape, then size), or undefined. */
export function decisionProblem(handler: 'approve' | 'reject', id: unknown, decision: unknown): EchelonError | undefined {
  const where = `approvals.${handler}`;
  try {
    readingCaller(where, 'invalid_option', 'the input', () => checkDecision(where, id, decision as { by: string }, handler === 'approve' ? APPROVE : REJECT));
  } catch (error) {
    return error as EchelonError;
  }
  const bytes = bytesOf(decision);
  if (bytes <= DECISION_LIMIT_BYTES) return undefined;
  return new EchelonError('invalid_option', `${where}: the decision is ${sized(bytes)} as JSON; on Restate one is at most ${DECISION_LIMIT_BYTES / 1024} KiB (its case keeps every decision): keep long text elsewhere and pass a reference to it.`, {
    details: { approvalId: id, bytes, limit: DECISION_LIMIT_BYTES },
  });
}

/** What is wrong with an escalation's resolution (shape, then size: its result becomes a task's), or undefined. */
export function resolutionProblem(id: unknown, resolution: unknown): EchelonError | undefined {
  try {
    readingCaller('escalations.resolve', 'invalid_option', 'the input', () => checkResolution(id, resolution));
  } catch (error) {
    return error as EchelonError;
  }
  const bytes = oversized(resolution);
  if (bytes === undefined) return undefined;
  return new EchelonError('invalid_option', `escalations.resolve: the resolution is ${sized(bytes)} as JSON; on Restate it is at most ${mib(MESSAGE_LIMIT_BYTES)} (a message over about 10 MiB never settles there): keep large data elsewhere and pass a reference to it.`, {
    details: { escalationId: id, bytes, limit: MESSAGE_LIMIT_BYTES },
  });
}

/** What is wrong with a cancellation's task id and reason, or undefined. */
export function cancellationProblem(taskId: unknown, reason: unknown): EchelonError | undefined {
  return taskIdProblem('org.cancel', taskId, reason);
}

/**
 * What is wrong with a task workflow's opening (`key` is the workflow's): its entry must be an
 * agent, and its task what the client's `submit` makes of a task input — rebuilt from its input's
 * fields with `validateTaskInput` it must come out the same, under the workflow's key — at most
 * {@link MESSAGE_LIMIT_BYTES}. Undefined when it is one.
 */
export function openingProblem(base: OrganisationBase, key: string, opening: unknown): EchelonError | undefined {
  const bad = (message: string) => new EchelonError('invalid_task', `A task submitted to ${base.layout.task}/${key}: ${message} Submit tasks with restateOrchestrator's submit.`, { details: { taskId: key } });
  if (typeof opening !== 'object' || opening === null) return bad(`the submission must be an object { task, entry }, got ${opening === null ? 'null' : typeof opening}.`);
  const { task, entry, budget } = opening as Partial<CaseOpening>;
  if (typeof entry !== 'string' || !base.options.hierarchy.has(entry)) return bad(`its entry must be an agent of the organisation, got ${JSON.stringify(entry) ?? String(entry)}.`);
  if (typeof task !== 'object' || task === null) return bad(`its task must be an object, got ${task === null ? 'null' : typeof task}.`);
  if (task.id !== key) return bad(`its task's id must be the workflow's key "${key}", got ${JSON.stringify(task.id) ?? String(task.id)}.`);
  const limits = task.budget as { maxSubtasks?: unknown; maxDepth?: unknown } | undefined;
  // A limit of Infinity (an organisation's, or a budget's) comes through JSON as null.
  const limit = (value: unknown) => value === null || (typeof value === 'number' && value >= 0);
  if (!limit(limits?.maxSubtasks) || !limit(limits?.maxDepth) || typeof task.submittedAt !== 'number' || !Number.isFinite(task.submittedAt)) {
    return bad('its task is not one a submission makes (budget.maxSubtasks, budget.maxDepth and submittedAt are numbers).');
  }
  const { id, type, payload, context, resources, requiredSkills, execution, approval } = task;
  // Their numbers may be Infinity, which comes through JSON as null (and nothing else in them is ever null).
  const input = { id, type, payload, context, resources, requiredSkills, execution: revived(execution), approval: revived(approval), budget: revived(budget) } as TaskInput;
  for (const field of Object.keys(input) as Array<keyof TaskInput>) if (input[field] === undefined) delete input[field];
  let rebuilt: unknown;
  try {
    rebuilt = validateTaskInput(input, { entry, now: task.submittedAt, newId: () => key, isActive: () => false, defaults: { maxSubtasks: limits!.maxSubtasks as number, maxDepth: limits!.maxDepth as number } });
  } catch (error) {
    return bad(error instanceof Error ? error.message : String(error));
  }
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(rebuilt)), task)) return bad('its task is not one a submission makes (it has fields a submitted task does not, or they differ).');
  const bytes = oversized(task);
  return bytes === undefined ? undefined : bad(`its task is ${sized(bytes)} as JSON; on Restate a task is at most ${mib(MESSAGE_LIMIT_BYTES)}.`);
}

/** `value` with every null in it as Infinity, as it was before JSON (objects and arrays copied). */
function revived<T>(value: T): T {
  if (value === null) return Infinity as T;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(revived) as T;
  return Object.fromEntries(Object.entries(value as object).map(([key, item]) => [key, revived(item)])) as T;
}
