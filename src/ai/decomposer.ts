/**
 * `llmDecomposer`: a decomposer that asks the manager's model how to split a task — subtasks as
 * structured output validated with zod — and checks every subtask can be routed before the
 * runtime fans them out.
 */
import * as z from 'zod/v4';
import type { Decomposer, DecompositionContext, SubtaskSpec } from '../delegation/decomposition.js';
import { EchelonError } from '../errors.js';
import type { JoinPolicy, PartialFailurePolicy, Task } from '../types.js';
import { describeAgent, describeTask } from './describe.js';
import { askForObject, type DecisionModelOptions } from './model.js';

/** Options of {@link llmDecomposer}. */
export interface LlmDecomposerOptions<TPayload = { instructions: string }> extends DecisionModelOptions {
  /** The payload each subtask carries, as a zod schema (default `{ instructions: string }`). */
  readonly schema?: z.ZodType<TPayload>;
  /** The decomposer's name (default `llm-decomposer`). */
  readonly name?: string;
  /** Most subtasks to ask for; a longer plan is refused with `decomposer_error` (the runtime's fan-out limits apply as well). */
  readonly maxSubtasks?: number;
  readonly join?: JoinPolicy;
  readonly onFailure?: PartialFailurePolicy;
  readonly merge?: Decomposer['merge'];
}

/** The default subtask payload: what to do, in words. */
const instructions = z.object({ instructions: z.string().describe('What this subtask must achieve, for the agent who does it.') });

/**
 * A decomposer whose plan comes from a model.
 *
 * The model sees the task and the decomposing agent's children with everything their teams can
 * do, and answers `{ subtasks: [{ key, type, payload, to }] }` (`payload` per `schema`; `to` a
 * child's id or `null` to route by capability). The answer is validated with zod, then each
 * subtask is checked to be routable: its type must be something a child's team (or the agent
 * itself) can do, and `to` must be a child whose team can do it. An empty list keeps the task
 * whole. A malformed, invalid or unroutable plan, or a failed call, fails the task with
 * `decomposer_error`, saying what was wrong.
 *
 * @example
 * ```ts
 * import { llmDecomposer } from 'echelon/ai';
 * import { z } from 'zod';
 *
 * createOrchestrator({
 *   hierarchy: developmentTeam(),
 *   executors,
 *   decomposers: { byType: { full_stack_feature: llmDecomposer({ model, schema: z.object({ feature: z.string(), part: z.string() }) }) } },
 * });
 * ```
 */
export function llmDecomposer<TPayload = { instructions: string }>(options: LlmDecomposerOptions<TPayload>): Decomposer {
  if (typeof options !== 'object' || options === null || options.model === undefined || options.model === null) {
    throw new EchelonError('invalid_option', 'llmDecomposer needs { model }: an AI SDK language model.');
  }
  const { maxSubtasks } = options;
  if (maxSubtasks !== undefined && (!Number.isInteger(maxSubtasks) || maxSubtasks < 1)) {
    throw new EchelonError('invalid_option', `llmDecomposer: maxSubtasks must be a whole number ≥ 1, got ${String(maxSubtasks)}.`);
  }
  const name = options.name ?? 'llm-decomposer';
  const planSchema = z.object({
    subtasks: z
      .array(
        z.object({
          key: z.string().describe('A short name for the subtask, unique in this plan (e.g. "backend").'),
          type: z.string().describe('The kind of work: one of the task types listed.'),
          payload: (options.schema ?? instructions) as z.ZodType<unknown>,
          to: z.string().nullable().describe('The id of the agent who should take it, or null to let it be routed by capability.'),
        }),
      )
      .describe('The subtasks, or an empty list to keep the task whole.'),
  });

  return {
    name,
    ...(options.join === undefined ? {} : { join: options.join }),
    ...(options.onFailure === undefined ? {} : { onFailure: options.onFailure }),
    ...(options.merge === undefined ? {} : { merge: options.merge }),
    async decompose(task: Task, context: DecompositionContext) {
      const { agent } = context;
      const answer = await askForObject(
        options,
        {
          system:
            options.system ??
            `You are ${describeAgent(agent)}. You split tasks into subtasks for the agents who report to you; the subtasks run in parallel and their results are joined. Split only when it helps.`,
          prompt: decompositionPrompt(task, context, maxSubtasks),
          schema: planSchema,
          code: 'decomposer_error',
          what: `${name} at ${agent.id}, splitting "${task.type}" (${task.id})`,
          budgeted: task.budget?.cost !== undefined,
        },
        { kind: 'decompose', agent: agent.id, taskId: task.id },
        context,
      );
      if (!answer.ok) {
        const text = answer.text === undefined ? '' : ` Its answer began: ${JSON.stringify(answer.text.slice(0, 200))}`;
        throw new EchelonError('decomposer_error', `the model's plan for ${task.id} is not usable (${answer.problem}): ${answer.message}.${text}`, {
          details: { taskId: task.id, problem: answer.problem },
        });
      }
      const planned = answer.value.subtasks;
      if (planned.length === 0) return undefined;
      if (maxSubtasks !== undefined && planned.length > maxSubtasks) {
        throw new EchelonError('decomposer_error', `the model split ${task.id} into ${planned.length} subtasks; at most ${maxSubtasks} were allowed.`, {
          details: { taskId: task.id, subtasks: planned.length, maxSubtasks },
        });
      }
      const subtasks: SubtaskSpec[] = planned.map((subtask) => {
        const key = subtask.key.trim();
        const to = subtask.to?.trim();
        return { ...(key === '' ? {} : { key }), type: subtask.type.trim(), payload: subtask.payload, ...(to === undefined || to === '' ? {} : { to }) };
      });
      assertRoutable(task, subtasks, context);
      return { subtasks };
    },
  };
}

/** Throws `decomposer_error` listing every subtask nobody under the agent (nor the agent) could take. */
export function assertRoutable(task: Task, subtasks: readonly SubtaskSpec[], context: DecompositionContext): void {
  const { agent, children } = context;
  const problems: string[] = [];
  subtasks.forEach((subtask, index) => {
    const label = `#${index + 1} "${subtask.type}"`;
    if (subtask.to !== undefined) {
      const child = children.find((candidate) => candidate.id === subtask.to);
      if (child === undefined) problems.push(`${label} is addressed to "${subtask.to}", who does not report to ${agent.id}`);
      else if (!child.capabilities.has(subtask.type)) problems.push(`${label} is addressed to ${child.id}, whose team cannot do "${subtask.type}"`);
    } else if (!agent.capabilities.includes(subtask.type) && !children.some((child) => child.capabilities.has(subtask.type))) {
      problems.push(`${label}: nobody at or under ${agent.id} can do "${subtask.type}"`);
    }
  });
  if (problems.length > 0) {
    throw new EchelonError('decomposer_error', `the model's plan for ${task.id} cannot be routed: ${problems.join('; ')}. Task types here: ${routableTypes(context).join(', ')}.`, {
      details: { taskId: task.id, problems },
    });
  }
}

function routableTypes({ agent, children }: DecompositionContext): string[] {
  return [...new Set([...agent.capabilities, ...children.flatMap((child) => [...child.capabilities])])].sort();
}

/** The task, the team and what it can do, and the limits of the plan. */
export function decompositionPrompt(task: Task, context: DecompositionContext, maxSubtasks: number | undefined): string {
  const team = context.children.map((child) => `- ${describeAgent(child.node)}; their team can do: ${[...child.capabilities].join(', ')}; tasks in flight: ${child.load}`);
  return [
    describeTask(task, context.hierarchy),
    '',
    'The agents who report to you:',
    ...team,
    '',
    `Task types you can assign: ${routableTypes(context).join(', ')}.`,
    maxSubtasks === undefined ? 'Use as few subtasks as the work needs.' : `Use at most ${maxSubtasks} subtasks.`,
    'Answer with an empty list of subtasks to keep the task whole.',
  ].join('\n');
}
