/**
 * Fan-out and fan-in, the mechanics: turn a decomposer's answer into checked subtasks (ids
 * derived from the parent's, budgets shared out, limits enforced), and turn a finished join into
 * the parent's settlement (merged results, the subtask tree, the failures). The runtime's
 * decisions and the static check (`echelon check`) plan splits with the same function.
 */
import { isStringList, ownContext, stringListProblem } from '../task-input.js';
import { handedOut } from '../sealed-task.js';
import type { TaskError } from '../errors.js';
import { taskErrorFromUnknown } from '../errors.js';
import { jsonProblem } from '../json.js';
import { CONTROL_CHARACTER, LONE_SURROGATE, LONE_SURROGATE_SAYS, show } from '../show.js';
import { textProblem } from '../shape/index.js';
import { overBudget } from '../settings/index.js';
import { joinAll, type Decomposer, type Decomposition, type SubtaskSpec } from './decomposition.js';
import { failuresOf, resultsOf, treeOf, withoutResults, type Join } from './join.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { JoinPolicy, PartialFailurePolicy, Settlement, Task, TaskBudget } from '../types.js';

export interface FanoutLimits {
  /** Most subtasks one decomposition may create. */
  readonly maxFanout: number;
  /** Most levels of decomposition below a submitted task. */
  readonly maxDecompositionDepth: number;
}

/** A split: send these subtasks out (through the splitting agent's pipeline) and join their results. */
export interface Fanout {
  readonly kind: 'fanout';
  readonly subtasks: readonly { readonly task: Task; readonly to?: string }[];
  readonly join: JoinPolicy;
  readonly onFailure: PartialFailurePolicy;
}

/** A decomposer's answer refused (malformed, or over a limit): the task fails with `error`. */
export interface FanoutRefused {
  readonly kind: 'fail';
  readonly error: TaskError;
}

const decomposerError = (decomposer: Decomposer, agentId: string, message: string): FanoutRefused => ({
  kind: 'fail',
  error: { code: 'decomposer_error', message: `Decomposer "${decomposer.name}" at ${agentId}: ${message}`, details: { decomposer: decomposer.name, agentId } },
});
const limitError = (code: TaskError['code'], message: string, details: Record<string, unknown>): FanoutRefused => ({ kind: 'fail', error: { code, message, details } });

/**
 * The fan-out step for a decomposer's answer, or `undefined` when it declined (no subtasks),
 * or a failure when the answer is malformed or breaks a limit.
 */
export function fanoutStep(
  hierarchy: Hierarchy,
  limits: FanoutLimits,
  agentId: string,
  task: Task,
  decomposer: Decomposer,
  answer: Decomposition | readonly SubtaskSpec[] | undefined,
  /** What the task's own account already spent (its planning): the subtasks share what is left. */
  spent: number,
): Fanout | FanoutRefused | undefined {
  if (answer === undefined || answer === null) return undefined;
  const specs: unknown = Array.isArray(answer) ? answer : (answer as Decomposition).subtasks;
  // What it answered is shown whole: `{ subtasks }` of a string is undefined, which would hide the string.
  if (!Array.isArray(specs)) return decomposerError(decomposer, agentId, `expected subtasks (an array, or a decomposition { subtasks }), got ${show(typeof answer === 'object' ? specs : answer)}.`);
  if (specs.length === 0) return undefined;
  const decomposition: Partial<Decomposition> = Array.isArray(answer) ? {} : (answer as Decomposition);
  const join = decomposition.join ?? decomposer.join ?? joinAll();
  const onFailure = decomposition.onFailure ?? decomposer.onFailure ?? 'fail-fast';

  const budget = task.budget;
  const depth = task.depth + 1;
  if (depth > limits.maxDecompositionDepth || (budget?.maxDepth !== undefined && budget.maxDepth < 1)) {
    return limitError('depth_exceeded', `Task ${task.id} cannot be split further: it is ${task.depth} level(s) deep and the limit allows no more.`, {
      taskId: task.id,
      depth: task.depth,
    });
  }
  const allowed = Math.min(limits.maxFanout, budget?.maxSubtasks ?? Number.POSITIVE_INFINITY);
  if (specs.length > allowed) {
    return limitError('fanout_exceeded', `Decomposer "${decomposer.name}" at ${agentId} split ${task.id} into ${specs.length} subtasks; at most ${allowed} are allowed here.`, {
      taskId: task.id,
      subtasks: specs.length,
      allowed,
    });
  }
  if (!['all', 'any', 'quorum'].includes(join.kind) || (join.kind === 'quorum' && !(Number.isInteger(join.n) && join.n >= 1 && join.n <= specs.length))) {
    return decomposerError(decomposer, agentId, `join ${JSON.stringify(join)} needs a quorum between 1 and the ${specs.length} subtasks.`);
  }
  if (onFailure !== 'fail-fast' && onFailure !== 'partial') return decomposerError(decomposer, agentId, `onFailure must be 'fail-fast' or 'partial', got ${JSON.stringify(onFailure)}.`);

  // Costs are summed and shared before the subtasks are built: one that is no amount would make every share NaN or give the others more than there is.
  // Infinity too: a store keeps the part's limit as null, a limit of nothing once read back after a restart.
  const badCost = specs.findIndex((spec: SubtaskSpec) => spec?.cost !== undefined && !(typeof spec.cost === 'number' && Number.isFinite(spec.cost) && spec.cost >= 0));
  if (badCost >= 0) return decomposerError(decomposer, agentId, `subtask ${badCost}'s cost must be a finite number ≥ 0 (its cost limit), got ${show((specs[badCost] as SubtaskSpec).cost)}.`);
  const children = new Set(hierarchy.get(agentId).childIds);
  const keys = new Set<string>();
  const counts = new Map<string, number>();
  const explicitCost = specs.reduce((sum: number, spec: SubtaskSpec) => sum + (typeof spec?.cost === 'number' ? spec.cost : 0), 0);
  const sharedBy = specs.filter((spec: SubtaskSpec) => typeof spec?.cost !== 'number').length;
  const left = budget?.cost === undefined ? undefined : Math.max(0, budget.cost - spent);
  if (left !== undefined && overBudget(explicitCost, left)) {
    const after = spent > 0 ? ` (${budget!.cost}, of which ${spent} was already spent)` : ` (${budget!.cost})`;
    return limitError('budget_exceeded', `Decomposer "${decomposer.name}" gave ${task.id}'s subtasks ${explicitCost} of cost, more than its budget has left: ${left}${after}.`, {
      taskId: task.id,
      given: explicitCost,
      left,
    });
  }
  const subtasks: { task: Task; to?: string }[] = [];
  for (const [index, raw] of specs.entries()) {
    const spec = raw as SubtaskSpec;
    if (typeof spec !== 'object' || spec === null || typeof spec.type !== 'string' || spec.type.trim() === '') {
      return decomposerError(decomposer, agentId, `subtask ${index} needs a type, got ${JSON.stringify(raw)}.`);
    }
    const long = textProblem(spec.type, `subtask ${index}'s type`) ?? (typeof spec.key === 'string' ? textProblem(spec.key, `subtask ${index}'s key`) : undefined);
    if (long !== undefined) return decomposerError(decomposer, agentId, long);
    if (CONTROL_CHARACTER.test(spec.type)) {
      return decomposerError(decomposer, agentId, `subtask ${index} has the type ${JSON.stringify(spec.type)}, which holds control characters (a newline, a tab …); types may not.`);
    }
    if (LONE_SURROGATE.test(spec.type)) {
      return decomposerError(decomposer, agentId, `subtask ${index} has the type ${JSON.stringify(spec.type)}, which holds ${LONE_SURROGATE_SAYS}; types may not.`);
    }
    if (spec.to !== undefined && !children.has(spec.to)) {
      return decomposerError(decomposer, agentId, `subtask ${index} is addressed to "${spec.to}", which is not a child of ${agentId}.`);
    }
    // As submit refuses one: null read its teams and failed the split saying so, and a string or a list became an object of its letters or items.
    if (spec.context !== undefined && (typeof spec.context !== 'object' || spec.context === null || Array.isArray(spec.context))) {
      return decomposerError(decomposer, agentId, `subtask ${index}'s context must be an object of flags, got ${show(spec.context)}.`);
    }
    // Subtasks are stored and sent like submitted tasks: what JSON cannot hold would stop the organisation at its next write.
    for (const part of ['payload', 'context'] as const) {
      const problem = spec[part] === undefined ? undefined : jsonProblem(spec[part], part);
      if (problem !== undefined) return decomposerError(decomposer, agentId, `subtask ${index}'s ${part} must be JSON data: ${problem}.`);
    }
    const teams = (spec.context as { teams?: unknown } | undefined)?.teams;
    if (teams !== undefined && !isStringList(teams)) {
      return decomposerError(decomposer, agentId, `subtask ${index}'s context.teams must be an array of agent ids (strings), got ${JSON.stringify(teams)}.`);
    }
    // Checked as a submitted task's are: a string of resources was taken letter by letter as the resources it claims.
    for (const [name, list] of [['context.teams', teams], ['resources', spec.resources], ['requiredSkills', spec.requiredSkills]] as const) {
      const problem = list === undefined ? undefined : stringListProblem(list, `subtask ${index}'s ${name}`);
      if (problem !== undefined) return decomposerError(decomposer, agentId, problem);
    }
    if (spec.key !== undefined && (typeof spec.key !== 'string' || spec.key === '' || keys.has(spec.key) || CONTROL_CHARACTER.test(spec.key) || LONE_SURROGATE.test(spec.key))) {
      return decomposerError(decomposer, agentId, `subtask ${index} has key ${JSON.stringify(spec.key)}: keys must be unique non-empty strings without control characters${LONE_SURROGATE.test(spec.key) ? ` or ${LONE_SURROGATE_SAYS}` : ''}.`);
    }
    let key = spec.key ?? spec.type;
    if (spec.key === undefined) {
      const seen = (counts.get(spec.type) ?? 0) + 1;
      counts.set(spec.type, seen);
      if (seen > 1) key = `${spec.type}-${seen}`;
      while (keys.has(key)) key = `${key}-${seen}`;
    }
    keys.add(key);
    const id = `${task.id}.${key}`;
    const share: TaskBudget = {
      account: id,
      ...(budget?.deadline === undefined ? {} : { deadline: budget.deadline }),
      ...(budget?.maxSubtasks === undefined ? {} : { maxSubtasks: Math.floor((budget.maxSubtasks - specs.length) / specs.length) }),
      ...(budget?.maxDepth === undefined ? {} : { maxDepth: budget.maxDepth - 1 }),
      ...(typeof spec.cost === 'number'
        ? { cost: spec.cost }
        : left === undefined
          ? {}
          : { cost: (left - explicitCost) / Math.max(1, sharedBy) }),
    };
    subtasks.push({
      task: {
        id,
        type: spec.type,
        payload: spec.payload,
        // Copies, as the door takes of a submitted task's: they are frozen when handed out, the decomposer's stay its own.
        context: ownContext(spec.context),
        resources: [...(spec.resources ?? [])],
        requiredSkills: [...(spec.requiredSkills ?? [])],
        ...(task.execution === undefined ? {} : { execution: task.execution }),
        rootId: task.rootId,
        parentId: task.id,
        origin: { kind: 'subtask', agent: agentId, parentId: task.id, key },
        chain: [agentId],
        escalations: [],
        excluded: [],
        approvedBy: [],
        submittedAt: task.submittedAt,
        depth,
        budget: share,
      },
      ...(spec.to === undefined ? {} : { to: spec.to }),
    });
  }
  return { kind: 'fanout', subtasks, join, onFailure };
}

/**
 * The parent's settlement for a finished join, merging with the decomposer's `merge` when it has
 * one. What a record can hold bounds it as any value: a merged result past it (the default merge
 * too, whose parts each fit) fails the split with `decomposer_error`, and a tree whose parts'
 * results together are past it is kept without them — five parts of 60 Mi characters each stopped
 * the organisation on a store, whose write of the outcome could not be made.
 */
export function joinSettlement(agentId: string, join: Join, decomposer: Decomposer | undefined): Settlement {
  const tree = treeOf(join);
  const subtasks = jsonProblem(tree, "the parts' results") === undefined ? tree : tree.map(withoutResults);
  const failures = failuresOf(join);
  const decided = join.decided!;
  const withTree = { splitBy: agentId, attempts: 0, subtasks, ...(failures.length > 0 ? { failures } : {}) };
  if (decided.kind === 'cancel') return { status: 'cancelled', error: decided.error, ...withTree };
  if (decided.kind === 'fail') return { status: 'failed', error: decided.error, ...withTree };
  const results = resultsOf(join);
  try {
    // The default merge: the subtasks' results, each checked when its attempt ended, but not together.
    const result = decomposer?.merge === undefined ? results : decomposer.merge(results, { task: handedOut(join.task), subtasks, failures });
    const problem = result === undefined ? undefined : jsonProblem(result, decomposer?.merge === undefined ? "the parts' results together" : 'result');
    if (problem !== undefined) throw new Error(decomposer?.merge === undefined ? `${problem}.` : `merge returned a result that is not JSON data: ${problem}.`);
    return { status: 'completed', result, ...withTree };
  } catch (error) {
    const reason = taskErrorFromUnknown(error, 'decomposer_error');
    return { status: 'failed', error: { code: 'decomposer_error', message: `Merging the subtasks of ${join.task.id} failed: ${reason.message}` }, ...withTree };
  }
}
