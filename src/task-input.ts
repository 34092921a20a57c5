/**
 * Turning what users submit into a task: every field checked, with an error that names the
 * field and says what it should be. Below the runtime, beside the task types: the orchestrator's
 * `submit`, the Restate client and the static check (`echelon check`) make tasks with it alike.
 */
import { EchelonError } from './errors.js';
import { jsonProblem } from './json.js';
import { CONTROL_CHARACTER, DOT_SEGMENT_SAYS, isDotSegment, LONE_SURROGATE, LONE_SURROGATE_SAYS, show } from './show.js';
import { DEFAULT_EXECUTION, EXECUTION_POLICY, mergeExecution } from './settings/index.js';
import { anything, checkShape, fields, number, readingCaller, shapeContext, string, text, textProblem, type Shape } from './shape/index.js';
import { ROLES } from './hierarchy/types.js';
import type { ApprovalRequirement, BudgetInput, Task, TaskContext, TaskInput } from './types.js';

/** The context flags echelon reads: a task that has one beside its fields meant it in its context. */
const CONTEXT_FLAGS = ['requiresApproval', 'requiresPolicyDecision', 'requiresCrossTeam', 'teams', 'isEmergency'];

/** What a task may hold: its keys here, its values checked below. */
export const TASK_FIELDS = {
  id: anything,
  type: anything,
  payload: anything,
  context: anything,
  resources: anything,
  requiredSkills: anything,
  execution: fields(EXECUTION_POLICY),
  approval: fields({ level: number, role: string, approver: string, quorum: number, timeoutMs: number, reason: text } satisfies Record<keyof ApprovalRequirement, Shape>),
  budget: fields({ timeMs: anything, maxSubtasks: anything, maxDepth: anything, cost: anything } satisfies Record<keyof BudgetInput, Shape>),
} satisfies Record<keyof TaskInput, Shape>;

const TASK = fields(TASK_FIELDS, {
  at: "an option of submit, its second argument: submit(task, { at: 'agent_id' })",
  ...Object.fromEntries(CONTEXT_FLAGS.map((flag) => [flag, `a flag of the task's context: { context: { ${flag}: … } }`])),
});

const IN_TASK = { ...shapeContext('submit', 'invalid_task'), subject: 'the task' };

/**
 * Turns what `submit` was given into a task, refusing unknown keys (`invalid_task`, with "did
 * you mean") and every value that cannot be one. A host of your own makes with it the task it
 * sends its entry agent as `task.assign`.
 */
export function validateTaskInput(input: TaskInput, at: TaskInputPlace): Task {
  return validateSubmission(input, at).task;
}

/**
 * `validateTaskInput`, and the task's budget as it was checked (each of its values read once), for
 * what reports or sends it: read again from the submitter's object, a getter could give another value.
 */
export function validateSubmission(input: TaskInput, at: TaskInputPlace): { readonly task: Task; readonly budget: BudgetInput | undefined } {
  // A getter or Proxy trap of the caller's object that throws: the task cannot be read, which is the task's fault.
  return readingCaller('submit', 'invalid_task', 'the task', () => readTaskInput(input, at));
}

/** Where a task enters, and what its checks need to know about the organisation. */
export interface TaskInputPlace {
  /** The agent the task enters at: the first of its chain. */
  readonly entry: string;
  /** When it is submitted (`submittedAt`, and its deadline's start). */
  readonly now: number;
  /** Makes its id when the input names none. */
  readonly newId: () => string;
  /** Whether a task with this id is active, subtasks (`<parent>.<key>`) included: a duplicate is `duplicate_task`. */
  readonly isActive: (id: string) => boolean;
  /** Limits every task's tree gets unless its budget sets its own. */
  readonly defaults: { readonly maxSubtasks: number; readonly maxDepth: number };
}

function readTaskInput(input: TaskInput, at: TaskInputPlace): { task: Task; budget: BudgetInput | undefined } {
  const bad = (message: string, options?: { details: Record<string, unknown> }) => new EchelonError('invalid_task', message, options);
  if (typeof input !== 'object' || input === null) throw bad(`A task must be an object with at least a type, got ${String(input)}.`);
  checkShape(input, TASK, '', IN_TASK);
  if (typeof input.type !== 'string' || input.type.trim() === '') {
    throw bad(`A task needs a type (the capability it asks for), got ${input.type === undefined ? 'nothing' : show(input.type)}.`);
  }
  if (input.id !== undefined && (typeof input.id !== 'string' || input.id.trim() === '')) throw bad(`A task id must be a non-empty string, got ${show(input.id)}.`);
  for (const [what, given] of [['type', input.type], ['id', input.id]] as const) {
    if (given === undefined) continue;
    const tooLong = textProblem(given, `A task ${what}`);
    if (tooLong !== undefined) throw bad(tooLong);
    if (CONTROL_CHARACTER.test(given)) throw bad(`A task ${what} may not hold control characters (a newline, a tab, an escape …), got ${show(given)}.`);
    if (LONE_SURROGATE.test(given)) throw bad(`A task ${what} may not hold ${LONE_SURROGATE_SAYS}, got ${show(given)}.`);
  }
  if (input.id !== undefined && isDotSegment(input.id)) throw bad(`A task id may not be ${show(input.id)}: ${DOT_SEGMENT_SAYS}.`);
  if (input.id !== undefined && at.isActive(input.id)) {
    throw new EchelonError('duplicate_task', `A task with id "${input.id}" is already active; ids must be unique among active tasks.`, { details: { taskId: input.id } });
  }
  if (input.execution !== undefined) {
    try {
      mergeExecution(DEFAULT_EXECUTION, input.execution, 'execution');
    } catch (error) {
      throw bad(`The task's ${(error as Error).message}`);
    }
  }
  const strings = (value: unknown, name: string): readonly string[] => {
    if (value === undefined) return [];
    const problem = stringListProblem(value, name);
    if (problem !== undefined) throw bad(problem);
    return [...(value as readonly string[])];
  };
  if (input.context !== undefined && (typeof input.context !== 'object' || input.context === null || Array.isArray(input.context))) {
    throw bad(`context must be an object of flags, got ${show(input.context)}.`);
  }
  strings((input.context as { teams?: unknown } | undefined)?.teams, 'context.teams');
  if (input.approval !== undefined) checkApproval(input.approval, bad);
  // Checked before anything is recorded: a value a store cannot hold would stop the organisation at its next write.
  for (const part of ['payload', 'context'] as const) {
    const problem = input[part] === undefined ? undefined : jsonProblem(input[part], part);
    if (problem !== undefined) throw bad(`The task's ${part} must be JSON data (it is stored and sent as JSON): ${problem}.`, { details: { field: part, problem } });
  }
  const budget = input.budget === undefined ? undefined : checkedBudget(input.budget, bad);
  const id = input.id ?? at.newId();
  // Built in the task's field order without conditional spreads (each is an object and a copy, per submit).
  // What it asks for is copied as it was checked: it is frozen when handed out, and the submitter's stays theirs to change.
  const task = { id, type: input.type, payload: input.payload, context: ownContext(input.context) } as { -readonly [K in keyof Task]: Task[K] };
  task.resources = strings(input.resources, 'resources');
  task.requiredSkills = strings(input.requiredSkills, 'requiredSkills');
  if (input.execution !== undefined) task.execution = input.execution.retry === undefined ? { ...input.execution } : { ...input.execution, retry: { ...input.execution.retry } };
  if (input.approval !== undefined) task.approval = { ...input.approval };
  task.rootId = id;
  task.origin = { kind: 'submitter' };
  task.chain = [at.entry];
  task.escalations = [];
  task.excluded = [];
  task.approvedBy = [];
  task.submittedAt = at.now;
  task.depth = 0;
  const limits: { -readonly [K in keyof NonNullable<Task['budget']>]: NonNullable<Task['budget']>[K] } = {
    account: id,
    maxSubtasks: budget?.maxSubtasks ?? at.defaults.maxSubtasks,
    maxDepth: budget?.maxDepth ?? at.defaults.maxDepth,
  };
  if (budget?.timeMs !== undefined) limits.deadline = at.now + budget.timeMs;
  if (budget?.cost !== undefined) limits.cost = budget.cost;
  task.budget = limits;
  return { task, budget };
}

/** A task's budget as checked: each value read once, what its limits and its outcome's report are made of. */
function checkedBudget(given: BudgetInput, bad: (message: string) => EchelonError): BudgetInput {
  if (typeof given !== 'object' || given === null) throw bad(`budget must be an object, got ${show(given)}.`);
  const budget: { -readonly [K in keyof BudgetInput]: BudgetInput[K] } = {};
  for (const [name, value] of Object.entries(given)) {
    const whole = name === 'maxSubtasks' || name === 'maxDepth';
    if (typeof value !== 'number' || !(value >= 0) || (whole && !Number.isInteger(value))) {
      throw bad(`budget.${name} must be a ${whole ? 'whole number' : 'number'} ≥ 0, got ${show(value)}.`);
    }
    budget[name as keyof BudgetInput] = value;
  }
  return budget;
}

/**
 * A task's own context: a copy of the one given, its teams too, so that what the submitter (or a
 * decomposer) does with theirs after the check changes nothing; the values of its flags stay theirs.
 */
export function ownContext(context: TaskContext | undefined): TaskContext {
  if (context === undefined) return {};
  return Array.isArray(context.teams) ? { ...context, teams: [...context.teams] } : { ...context };
}

/**
 * The first field of a task whose number JSON cannot carry (Infinity is written as null), for a
 * host that keeps or sends tasks as JSON: in its execution policy (on Restate a timeout silently
 * became the default; read back from a store, a retry's maxDelayMs failed the task), its approval
 * requirement (read back, the request expired at once at every level), its budget's timeMs (on
 * Restate the task failed at once) and, with `cost`, its budget's cost (read back, a limit of
 * nothing: budget_exceeded at the first cost). Undefined when there is none.
 */
export function lossyNumber(
  task: { readonly execution?: unknown; readonly approval?: unknown },
  budget: { readonly timeMs?: unknown; readonly cost?: unknown } | undefined,
  { cost = false }: { readonly cost?: boolean } = {},
): string | undefined {
  const find = (value: unknown, path: string): string | undefined => {
    if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
    if (typeof value !== 'object' || value === null) return undefined;
    for (const [key, item] of Object.entries(value)) {
      const found = find(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return find(task.execution, 'execution') ?? find(task.approval, 'approval') ?? find(budget?.timeMs, 'budget.timeMs') ?? (cost ? find(budget?.cost, 'budget.cost') : undefined);
}

/** Whether a value is an array of strings (a task's resources, skills, context.teams — a subtask's too). */
export const isStringList = (value: unknown): value is readonly string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * What is wrong with a task's list of names (`resources`, `requiredSkills`, `context.teams`, a
 * submitted task's or a subtask's), or undefined: it is an array of non-empty strings of recordable
 * length. An empty name (what splitting '' on commas gives) names no resource, skill or team.
 */
export function stringListProblem(value: unknown, name: string): string | undefined {
  if (!isStringList(value)) return `${name} must be an array of strings, got ${show(value)}.`;
  for (let index = 0; index < value.length; index++) {
    const tooLong = textProblem(value[index], `${name}[${index}]`);
    if (tooLong !== undefined) return tooLong;
    if (value[index]!.trim() === '') return `${name}[${index}] is ${show(value[index])}: a name may not be empty.`;
  }
  return undefined;
}

/** Refuses an approval requirement whose numbers or role no request could be made from (a task's, or one an executor asks for). */
export function checkApproval(approval: ApprovalRequirement, bad: (message: string) => EchelonError): void {
  const { level, quorum, timeoutMs, role } = approval;
  // Text first: a message below repeats a role or an approver it refuses (approval_unauthorized names the approver).
  for (const field of ['approver', 'role', 'reason'] as const) {
    const text: unknown = approval[field];
    const problem = typeof text === 'string' || (field === 'reason' && text !== undefined) ? textProblem(text, `approval.${field}`) : undefined;
    if (problem !== undefined) throw bad(problem);
  }
  if (level !== undefined && !(Number.isInteger(level) && level >= 0)) throw bad(`approval.level must be a whole number ≥ 0 (0 is the root), got ${show(level)}.`);
  if (quorum !== undefined && !(Number.isInteger(quorum) && quorum >= 1)) throw bad(`approval.quorum must be a whole number ≥ 1, got ${show(quorum)}.`);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) throw bad(`approval.timeoutMs must be a positive number, got ${show(timeoutMs)}.`);
  if (role !== undefined && !ROLES.includes(role)) throw bad(`approval.role must be one of ${ROLES.join(', ')}, got ${show(role)}.`);
}

const kindOf = (value: unknown) => (value === null ? 'null' : typeof value);

/**
 * Why a caller's task id and cancellation reason name no task at all (`org.outcome`, `org.cancel`:
 * an id that is not a non-empty string, a reason that is not a string), or undefined.
 */
export function taskIdProblem(method: string, taskId: unknown, reason?: unknown): EchelonError | undefined {
  if (typeof taskId !== 'string' || taskId === '') {
    return new EchelonError('invalid_option', `${method} takes a task id (a non-empty string), got ${typeof taskId === 'string' ? 'an empty string' : kindOf(taskId)}.`);
  }
  if (reason !== undefined && typeof reason !== 'string') return new EchelonError('invalid_option', `${method}: a reason is a string, got ${kindOf(reason)}.`);
  const tooLong = reason === undefined ? undefined : textProblem(reason, 'the reason');
  if (tooLong !== undefined) return new EchelonError('invalid_option', `${method}: ${tooLong}`);
  return undefined;
}

/**
 * `unknown_task` for an id `where` (`org.outcome`, `org.cancel`, `org.stream`) has no task of its own under:
 * with `rootId`, the submitted task it is part of (a subtask, or the work resolving an escalation —
 * `escalation.taskId` is often one), so the caller knows which id to use instead. A finished task
 * is known while its outcome is kept: in-process in the store until `org.forget`, in memory for the
 * last `retain`; on Restate for the workflow's retention.
 */
export function unknownTask(taskId: string, where: 'org.outcome' | 'org.cancel' | 'org.stream', rootId?: string): EchelonError {
  if (rootId === undefined || rootId === taskId) return new EchelonError('unknown_task', `${where === 'org.outcome' ? 'N' : `${where}: n`}o active or recent task "${taskId}" (never submitted, or finished and forgotten).`, { details: { taskId } });
  const instead = where === 'org.cancel' ? `cancel "${rootId}", which cancels it with everything derived from it` : `its outcome is part of "${rootId}"'s (outcome.subtasks, outcome.escalations)`;
  return new EchelonError('unknown_task', `${where}: "${taskId}" is part of the task "${rootId}" (a subtask, or the work resolving an escalation), not a task of its own: ${instead}.`, {
    details: { taskId, rootId },
  });
}
