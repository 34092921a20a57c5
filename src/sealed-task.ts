/**
 * A task as the organisation hands it out — to listeners (`org.on`, `org.events`), executors,
 * strategies, escalation policies and decomposers: a frozen copy of the agent's record, whose lists
 * (chain, escalation hops, agents excluded, approvers) are frozen where they are, so that a listener
 * setting `type` or pushing onto `chain` cannot reroute or corrupt the task.
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
 * Freezes the lists echelon made for `task` (chain, escalation hops, agents excluded, approvers), its
 * origin, budget and cause, and answers a frozen copy of its shell; what the submitter gave — payload, context, resources, skills,
 * execution, approval — stays theirs, as it came. Lists are replaced, never changed in place, so
 * freezing them costs nothing else.
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
  if (task.cause !== undefined) Object.freeze(task.cause);
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
