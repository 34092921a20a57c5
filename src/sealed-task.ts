/**
 * A task as the organisation hands it out — to listeners (`org.on`, `org.events`), executors,
 * strategies, escalation policies, decomposers and merges: a frozen copy of the agent's record, whose
 * parts (chain, escalation hops, agents excluded, approvers, origin, budget, cause, and what the task
 * asks for: context, resources, skills, execution, approval) are frozen where they are, so that a
 * listener setting `type`, flagging `context.isEmergency` or pushing onto `chain` cannot reroute or
 * corrupt the task. What the task asks for is the door's copy (task-input.ts), never the submitter's.
 *
 * The record itself stays unfrozen: a frozen object is copied without V8's fast path for `{ ...task }`
 * (4× slower, and the copying site stays slow for every object after), and an agent copies its task
 * at every hop. Echelon's own strategies and policy, which change nothing, are handed the record.
 */
import type { Task } from './types.js';

/** The decision functions echelon wrote (`ownDecision`): they are handed the record, saving a copy per hop. */
const own = new WeakSet<object>();

/** Marks functions of echelon's own (a built-in strategy's `select`, the default policy's methods) as ones that change no task. */
export function ownDecision<T extends object>(decision: T): T {
  own.add(decision);
  return decision;
}

/**
 * Freezes the parts of `task` echelon made — its lists (chain, escalation hops, agents excluded,
 * approvers), its origin, budget and cause, and the copies the door took of what it asks for
 * (context, resources, skills, execution, approval) — and answers a frozen copy of its shell. Its
 * payload, and what a context's flags or a cause's error details hold, stay as they came. Parts are
 * replaced, never changed in place, so freezing them costs nothing else.
 *
 * @example
 * ```ts
 * handedOut(task).chain; // frozen: push throws a TypeError
 * ```
 */
export function handedOut(task: Task): Task {
  if (Object.isFrozen(task)) return task;
  for (const hop of task.escalations) Object.freeze(hop);
  Object.freeze(task.chain);
  Object.freeze(task.escalations);
  Object.freeze(task.excluded);
  Object.freeze(task.approvedBy);
  // Its origin, budget and cause are replaced too, never changed: a budget changed in place moved the limit the agents check.
  Object.freeze(task.origin);
  if (task.budget !== undefined) Object.freeze(task.budget);
  if (task.cause !== undefined) Object.freeze(Object.freeze(task.cause).error);
  // What it asks for: a claim kept on resources an executor emptied was never released, and a listener flagging
  // context.isEmergency sent a python task to the CTO.
  Object.freeze(task.resources);
  Object.freeze(task.requiredSkills);
  if (Array.isArray(task.context.teams)) Object.freeze(task.context.teams);
  Object.freeze(task.context);
  if (task.execution !== undefined) Object.freeze(Object.freeze(task.execution).retry);
  if (task.approval !== undefined) Object.freeze(task.approval);
  return Object.freeze(copyOf(task));
}

/** The fields a task may go without. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** A task's optional fields, every one: a field added to `Task` fails to compile here (or in `copyOf`'s literal) until it is copied. */
const OPTIONAL = ['execution', 'approval', 'parentId', 'budget', 'cause'] as const satisfies ReadonlyArray<OptionalKeys<Task>>;
/** Fails to compile while an optional field of `Task` is missing from `OPTIONAL`. */
type EveryOptionalListed<Unlisted = Exclude<OptionalKeys<Task>, (typeof OPTIONAL)[number]>> = [Unlisted] extends [never] ? typeof OPTIONAL : never;

/**
 * A copy of a task's shell built from one literal, not with `{ ...task }`: V8 freezes a spread copy
 * some ten times slower (its map is not one it has frozen before), and a copy is made for every attempt.
 */
function copyOf(task: Task): Task {
  const copy: { -readonly [K in keyof Task]: Task[K] } = {
    id: task.id, type: task.type, payload: task.payload, context: task.context, resources: task.resources, requiredSkills: task.requiredSkills,
    rootId: task.rootId, origin: task.origin, chain: task.chain, escalations: task.escalations, excluded: task.excluded, approvedBy: task.approvedBy,
    depth: task.depth, submittedAt: task.submittedAt,
  } satisfies Omit<Task, OptionalKeys<Task>>;
  for (const key of OPTIONAL as EveryOptionalListed) if (task[key] !== undefined) (copy as Record<string, unknown>)[key] = task[key];
  return copy;
}

/** The task as `decision` is handed it: the record for one of echelon's own (`ownDecision`), else `handedOut(task)`. */
export function handedTo(decision: unknown, task: Task): Task {
  return typeof decision === 'function' && own.has(decision) ? task : handedOut(task);
}
