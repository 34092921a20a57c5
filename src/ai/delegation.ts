/**
 * `llmDelegation`: a delegation strategy in which the manager's model picks which child gets a
 * task — only among the children whose subtree can do it, and with a plain strategy (capability
 * matching by default) deciding whenever the model's answer cannot be used.
 */
import * as z from 'zod/v4';
import { capabilityMatching } from '../delegation/strategies.js';
import type { Candidate, DelegationContext, DelegationStrategy } from '../delegation/types.js';
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Task } from '../types.js';
import { describeAgent, describeTask } from './describe.js';
import { askForObject, notify, type DecisionModelOptions } from './model.js';

/** Why the fallback strategy decided instead of the model. */
export type DelegationProblem =
  /** The answer was not JSON. */
  | 'malformed'
  /** JSON, but not the `{ agent, reason }` asked for. */
  | 'invalid'
  /** No answer at all. */
  | 'empty'
  /** It named an agent that is not a child of the delegating agent (a hallucination, or the agent itself). */
  | 'unknown_agent'
  /** It named a child whose subtree cannot do the task. */
  | 'not_capable';

/** What `onFallback` hears when the model's answer could not be used. */
export interface DelegationFallback {
  readonly agent: string;
  readonly taskId: string;
  readonly problem: DelegationProblem;
  readonly message: string;
  /** The model's raw answer, when there was one. */
  readonly answer: string | undefined;
  /** What the fallback strategy chose (`undefined`: keep the task). */
  readonly chosen: string | undefined;
}

/** Options of {@link llmDelegation}. */
export interface LlmDelegationOptions extends DecisionModelOptions {
  /** Decides when the model's answer cannot be used (default: `capabilityMatching()`). */
  readonly fallback?: DelegationStrategy;
  /** Told each time the fallback decided, and why. */
  readonly onFallback?: (fallback: DelegationFallback) => void;
  /** The strategy's name (default `llm-delegation`). */
  readonly name?: string;
}

const answerSchema = z.object({
  agent: z.string().describe('The id of the agent who should take the task: one of the ids listed.'),
  reason: z.string().describe('Why that agent, in one sentence.'),
});

/**
 * A strategy in which the delegating agent's model picks the child that gets a task.
 *
 * - Only the children whose subtree can do the task (the `capable` candidates) are offered, with
 *   their role, description, capabilities (their own and their team's), skills and current load;
 *   with a single capable child the model is not asked; with none the task stays (as with
 *   `capabilityMatching`).
 * - An answer naming anyone else, or not the JSON asked for, is never followed: the `fallback`
 *   strategy decides instead and `onFallback` is told why.
 * - A call that fails or times out fails the task with `strategy_error` (a wrong API key should
 *   not pass silently as plain routing).
 *
 * @example
 * ```ts
 * import { llmDelegation } from 'echelon/ai';
 *
 * createOrchestrator({
 *   hierarchy: developmentTeam(),
 *   executors,
 *   strategy: { byRole: { executive: llmDelegation({ model: openai('gpt-4o-mini') }) } },
 * });
 * ```
 */
export function llmDelegation(options: LlmDelegationOptions): DelegationStrategy {
  if (typeof options !== 'object' || options === null || options.model === undefined || options.model === null) {
    throw new EchelonError('invalid_option', 'llmDelegation needs { model }: an AI SDK language model.');
  }
  const fallback = options.fallback ?? capabilityMatching();
  const name = options.name ?? 'llm-delegation';

  return {
    name,
    async select(task: Task, candidates: readonly Candidate[], context: DelegationContext): Promise<string | undefined> {
      const capable = candidates.filter((candidate) => candidate.capable);
      if (capable.length === 0) return undefined;
      if (capable.length === 1) return capable[0]!.id;
      const { agent, hierarchy } = context;
      const answer = await askForObject(
        options,
        {
          system: options.system ?? `You are ${describeAgent(agent)}. You delegate work to the agents who report to you: pick the one best suited to the task.`,
          prompt: delegationPrompt(task, capable, hierarchy),
          schema: answerSchema,
          code: 'strategy_error',
          what: `${name} at ${agent.id}, routing "${task.type}" (${task.id})`,
          budgeted: task.budget?.cost !== undefined,
        },
        { kind: 'route', agent: agent.id, taskId: task.id },
        context,
      );
      let problem: DelegationProblem;
      let message: string;
      if (answer.ok) {
        const chosen = answer.value.agent.trim();
        if (capable.some((candidate) => candidate.id === chosen)) return chosen;
        const child = candidates.some((candidate) => candidate.id === chosen);
        problem = child ? 'not_capable' : 'unknown_agent';
        message = child
          ? `the model chose ${chosen}, whose team cannot do "${task.type}"`
          : `the model chose ${JSON.stringify(chosen)}, who does not report to ${agent.id}`;
      } else {
        problem = answer.problem;
        message = answer.message;
      }
      const chosen = (await fallback.select(task, candidates, context)) ?? undefined;
      notify('onFallback', options.onFallback, { agent: agent.id, taskId: task.id, problem, message, answer: answer.text, chosen });
      return chosen;
    },
  };
}

/** The task, then the capable children as the manager knows them. */
export function delegationPrompt(task: Task, capable: readonly Candidate[], hierarchy: Hierarchy): string {
  const lines = capable.map((candidate) => {
    const team = [...hierarchy.subtreeCapabilities(candidate.id)].filter((capability) => !candidate.node.capabilities.includes(capability));
    const skills = Object.entries(candidate.node.skills).map(([skill, score]) => `${skill} ${score}`);
    return [
      `- ${describeAgent(candidate.node)}`,
      team.length > 0 ? `; their team can also do: ${team.join(', ')}` : '',
      skills.length > 0 ? `; skills: ${skills.join(', ')}` : '',
      `; tasks in flight: ${candidate.load}`,
    ].join('');
  });
  return [describeTask(task, hierarchy), '', 'Who can take it:', ...lines, '', `Answer with the id of exactly one of: ${capable.map((candidate) => candidate.id).join(', ')}.`].join('\n');
}
