/**
 * Decomposition: a manager splits a task into subtasks for its subtree, runs them in
 * parallel, and joins their results. Decomposers are pure (or return a promise, e.g. a
 * model planning the split); joins and merges are data and functions declared here.
 */
import { EchelonError } from '../errors.js';
import { anything, checkShape, fields, fn, shapeContext, textProblem, type Shape } from '../shape/index.js';
import { show } from '../show.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { JoinPolicy, PartialFailurePolicy, SubtaskFailure, SubtaskOutcome, Task, TaskInput } from '../types.js';

/** One subtask a decomposer asks for: a task's fields, plus where it goes and its share. */
export interface SubtaskSpec extends Pick<TaskInput, 'type' | 'payload' | 'context' | 'resources' | 'requiredSkills'> {
  /** Its name within the parent: the subtask id is `<parentId>.<key>` and its result lands under `key`. Default: its type (numbered when repeated). */
  readonly key?: string;
  /** Send it to this child of the decomposing agent; otherwise it is routed by capability like any task. */
  readonly to?: string;
  /** This subtask's cost limit (default: an equal share of the parent's). */
  readonly cost?: number;
}

/** A child of the decomposing agent, with everything its subtree can do. */
export interface DecompositionChild {
  readonly id: string;
  readonly node: AgentNode;
  /** Capabilities of the child and everyone below it. */
  readonly capabilities: ReadonlySet<string>;
  /** Tasks in flight at the child, as the decomposing agent counts them. */
  readonly load: number;
}

export interface DecompositionContext {
  readonly agent: AgentNode;
  readonly hierarchy: Hierarchy;
  readonly children: readonly DecompositionChild[];
  /** Aborted when the agent stops waiting for the answer (the task was cancelled, the organisation stopped). */
  readonly signal: AbortSignal;
  /** Charges the task's cost budget (a model's tokens, say); over budget it throws `budget_exceeded`. */
  reportCost(amount: number): void;
}

/** A decomposer's answer: the subtasks, and optionally how to join them. */
export interface Decomposition {
  readonly subtasks: readonly SubtaskSpec[];
  readonly join?: JoinPolicy;
  readonly onFailure?: PartialFailurePolicy;
}

/** What a merge function knows besides the results. */
export interface MergeContext {
  /** The decomposed task. */
  readonly task: Task;
  /** Every subtask's outcome so far (the completed ones are in `results`). */
  readonly subtasks: readonly SubtaskOutcome[];
  readonly failures: readonly SubtaskFailure[];
}

/**
 * Splits tasks into subtasks. Return `undefined` (or no subtasks) to let the agent handle the
 * task as usual. May return a promise (a model planning the split): that task waits in `deciding`
 * while the agent goes on with others (see `decisions` in the options; past `decisions.timeoutMs`
 * the task fails with `decomposer_error`).
 *
 * @example
 * ```ts
 * const perLanguage: Decomposer = {
 *   name: 'per-language',
 *   decompose: (task) => ({ subtasks: ['python', 'javascript'].map((type) => ({ type, payload: task.payload })) }),
 *   join: { kind: 'all' },
 * };
 * ```
 */
export interface Decomposer {
  readonly name: string;
  decompose(task: Task, context: DecompositionContext): Decomposition | readonly SubtaskSpec[] | undefined | Promise<Decomposition | readonly SubtaskSpec[] | undefined>;
  /** How subtasks join (default `joinAll()`); a decomposition can override it per task. */
  readonly join?: JoinPolicy;
  /** What a failing subtask does (default `'fail-fast'`). */
  readonly onFailure?: PartialFailurePolicy;
  /** Combines the completed subtasks' results, by key (default: the object of results itself). */
  merge?(results: Readonly<Record<string, unknown>>, context: MergeContext): unknown;
}

/**
 * Every subtask must complete (the default join).
 *
 * @example
 * ```ts
 * decomposeWith('both', (task) => [{ type: 'backend' }, { type: 'frontend' }], { join: joinAll() });
 * ```
 */
export const joinAll = (): JoinPolicy => ({ kind: 'all' });
/**
 * The first subtask to complete wins; the others are cancelled.
 *
 * @example
 * ```ts
 * decomposeWith('race', (task) => [{ type: 'python' }, { type: 'javascript' }], { join: joinAny() });
 * ```
 */
export const joinAny = (): JoinPolicy => ({ kind: 'any' });
/**
 * `n` subtasks must complete; once they have, the others are cancelled.
 *
 * @example
 * ```ts
 * decomposeWith('reviews', (task) => [{ type: 'python' }, { type: 'css' }, { type: 'sql' }], { join: joinQuorum(2) });
 * ```
 */
export const joinQuorum = (n: number): JoinPolicy => {
  // Whether n exceeds the subtasks is known only when a task is split (then it fails with decomposer_error).
  if (!Number.isInteger(n) || n < 1) throw new EchelonError('invalid_option', `joinQuorum(n) needs a whole number of subtasks ≥ 1, got ${String(n)}.`);
  return { kind: 'quorum', n };
};

/**
 * Wraps a function as a named decomposer.
 *
 * @example
 * ```ts
 * const review = decomposeWith('review', (task) => [{ key: 'code', type: 'coding' }, { key: 'tests', type: 'python' }], {
 *   join: joinQuorum(1),
 *   merge: (results) => Object.values(results)[0],
 * });
 * ```
 */
export function decomposeWith(
  name: string,
  decompose: Decomposer['decompose'],
  options: Pick<Decomposer, 'join' | 'onFailure' | 'merge'> = {},
): Decomposer {
  // Refused where it is built, as approveWhen and joinQuorum are: otherwise only the first split says so (decomposer_error).
  const refuse = (message: string): never => {
    throw new EchelonError('invalid_option', `decomposeWith(name, decompose, options?): ${message}`);
  };
  const problem = textProblem(name, 'the name');
  if (problem !== undefined) refuse(problem);
  if (typeof decompose !== 'function') refuse(`decompose must be a function of the task (returning its subtasks), got ${show(decompose)}.`);
  if (typeof options !== 'object' || options === null) refuse(`options must be an object { join?, onFailure?, merge? }, got ${show(options)}.`);
  checkShape(options, DECOMPOSE_WITH_OPTIONS, '', { ...shapeContext('decomposeWith', 'invalid_option'), subject: 'its options' });
  const { join, onFailure } = options;
  if (join !== undefined && !isJoinPolicy(join)) refuse(`join must be joinAll(), joinAny() or joinQuorum(n), got ${show(join)}.`);
  if (onFailure !== undefined && onFailure !== 'fail-fast' && onFailure !== 'partial') refuse(`onFailure must be 'fail-fast' or 'partial', got ${show(onFailure)}.`);
  return { name, decompose, ...options };
}

const DECOMPOSE_WITH_OPTIONS = fields({ join: anything, onFailure: anything, merge: fn } satisfies Record<'join' | 'onFailure' | 'merge', Shape>);

/** Whether `join` is one a split can use: all, any, or a quorum of a whole number ≥ 1. */
const isJoinPolicy = (join: unknown): boolean => {
  const { kind, n } = (typeof join === 'object' && join !== null ? join : {}) as { kind?: unknown; n?: unknown };
  return kind === 'all' || kind === 'any' || (kind === 'quorum' && Number.isInteger(n) && (n as number) >= 1);
};

/**
 * The reference's full-stack rule: a `full_stack_feature` splits into a `backend` part for the
 * child with the `backend` capability and a `frontend` part for the child with `frontend`
 * (each carrying `{ feature, part }`), joined by `all` into `{ backend, frontend }`.
 *
 * @example
 * ```ts
 * createOrchestrator({ hierarchy: developmentTeam(), executors, decomposers: { byType: { full_stack_feature: fullStackFeature() } } });
 * ```
 */
export function fullStackFeature(): Decomposer {
  return {
    name: 'full-stack-feature',
    join: joinAll(),
    decompose(task, { children }) {
      if (task.type !== 'full_stack_feature') return undefined;
      const feature = (task.payload as { feature?: unknown } | null | undefined)?.feature;
      const parts: SubtaskSpec[] = [];
      for (const part of ['backend', 'frontend'] as const) {
        const child = children.find((candidate) => candidate.node.capabilities.includes(part));
        if (child !== undefined) parts.push({ key: part, type: part, payload: { feature, part }, to: child.id });
      }
      return parts;
    },
  };
}
