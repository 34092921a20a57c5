/**
 * `llmExecutor`: an agent whose work is done by a language model through the AI SDK. The
 * model sees the task, its payload and the delegation chain; it may use the agent's tools,
 * escalate, or ask for approval; its token usage counts against the task's cost budget; the
 * runtime's AbortSignal (timeout, cancellation) reaches the model call; retries are the runtime's.
 */
import { generateText, NoObjectGeneratedError, NoOutputGeneratedError, Output, stepCountIs, type FlexibleSchema, type LanguageModel, type LanguageModelUsage, type ToolSet } from 'ai';
import { EchelonError } from '../errors.js';
import { anything, boolean, checkShape, either, fields, fn, number, shapeContext, string } from '../shape/index.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { ExecutionContext, Executor } from '../runtime/index.js';
import type { Task } from '../types.js';
import { AGENT_TOOL_NAMES, agentToolInstructions, agentTools, followAgentToolCalls } from './agent-tools.js';
import { describeAgent, describeTask } from './describe.js';
import { answerFormat, causeMessage, NO_USAGE, tokenCost, unfenced, usageMissing, type CostFunction, type ModelSettings } from './model.js';
import { streamAttempt, toolErrorText, type CallResult } from './stream-call.js';
import { messageOf, quotable } from './secrets.js';
import { retryAfterOf } from './retry.js';

/** Options of {@link llmExecutor}. */
export interface LlmExecutorOptions<TOutput = string> {
  /** Any AI SDK language model (`openai('gpt-4o')`, a gateway id, a `MockLanguageModelV3` in tests …). */
  readonly model: LanguageModel;
  /**
   * Who the agent is and how it works; a function gets the executing agent and the task. Default:
   * built from the agent's id, role and capabilities. echelon appends what the `escalate` and
   * `requestApproval` tools are for and, with `output`, the answer's JSON schema.
   */
  readonly system?: string | ((agent: AgentNode, task: Task) => string);
  /** The agent's own AI SDK tools (`tool({ … })`); `escalate` and `requestApproval` are added and reserved. */
  readonly tools?: ToolSet;
  /** A schema (zod, or any AI SDK schema) for a typed result instead of text. */
  readonly output?: FlexibleSchema<TOutput>;
  /** Replaces the default prompt (the task described: type, payload, context, chain, escalations). */
  readonly prompt?: (task: Task, context: ExecutionContext) => string;
  /** Most model calls in one attempt, tool round trips included (default 8). */
  readonly maxSteps?: number;
  /** Turns each call's usage into cost for the task's budget (default: total tokens). */
  readonly cost?: CostFunction;
  readonly settings?: ModelSettings;
  /**
   * Take an answer the model stopped writing at its output-token limit (finish reason `length`)
   * as the result, cut off as it is (default `false`: the attempt fails with `executor_error`,
   * retried per policy, and the message says to raise `settings.maxOutputTokens`). With `output`, a
   * cut-off answer fails whatever this says: it is not the object asked for.
   */
  readonly acceptTruncated?: boolean;
}

/** How many model steps (tool calls and their answers) an executor allows when `maxSteps` is not given. */
export const DEFAULT_MAX_STEPS = 8;

/**
 * An executor that runs a language model through the AI SDK: `generateText`, or `streamText` while
 * someone follows the task (`org.stream`, `onProgress`, the live view) — then its text, tool calls
 * and tool results arrive as progress ({@link LlmProgress}) as the model produces them.
 *
 * - The prompt describes the task (type, id, payload, context, the delegation chain, escalations,
 *   the failure that brought it here); the system prompt says who the agent is.
 * - The model may call the agent's `tools`, plus `escalate` (reason + message) and
 *   `requestApproval` (reason): those become a real escalation or approval request. After an
 *   approval the executor runs again, without the `requestApproval` tool.
 * - Each model call's usage is reported with `context.reportCost` as it finishes; over the
 *   task's `budget.cost` the tool loop stops and the task fails with `budget_exceeded`.
 * - The runtime's `AbortSignal` is the call's `abortSignal`: a timeout or a cancellation aborts
 *   the request. The SDK's own retries are off (`maxRetries: 0`): the agent's retry policy
 *   decides (see {@link isRetryableModelError}).
 * - Resolves with the model's text, or with the object matching `output`. An answer that does
 *   not match fails the attempt with `executor_error` (retried per policy), and so does one the
 *   model stopped at its output-token limit (unless `acceptTruncated`) or the provider's content
 *   filter stopped.
 *
 * @example
 * ```ts
 * import { createOrchestrator, developmentTeam } from 'echelon';
 * import { llmExecutor } from 'echelon/ai';
 * import { openai } from '@ai-sdk/openai';
 * import { z } from 'zod';
 *
 * const org = createOrchestrator({
 *   hierarchy: developmentTeam(),
 *   executors: {
 *     byId: { api_specialist: llmExecutor({ model: openai('gpt-4o'), output: z.object({ endpoints: z.array(z.string()) }) }) },
 *     default: llmExecutor({ model: openai('gpt-4o-mini'), system: 'You are a careful engineer.' }),
 *   },
 * });
 * ```
 */
export function llmExecutor(options: LlmExecutorOptions<string> & { readonly output?: undefined }): Executor<unknown, string>;
export function llmExecutor<TOutput>(options: LlmExecutorOptions<TOutput> & { readonly output: FlexibleSchema<TOutput> }): Executor<unknown, TOutput>;
export function llmExecutor<TOutput>(options: LlmExecutorOptions<TOutput>): Executor<unknown, TOutput | string> {
  checkOptions(options);
  const maxSteps = options.maxSteps ?? DEFAULT_MAX_STEPS;
  const cost = options.cost ?? tokenCost;
  const format = options.output === undefined ? undefined : answerFormat(options.output);
  format?.catch(() => undefined); // surfaced on first use, not as an unhandled rejection

  return async (task, context) => {
    const { agent } = context;
    const persona = typeof options.system === 'function' ? options.system(agent, task) : (options.system ?? defaultPersona(agent));
    const system = [persona, agentToolInstructions(context.approved), ...(format === undefined ? [] : [await format])].join('\n\n');
    const request = {
      ...options.settings,
      model: options.model,
      system,
      prompt: options.prompt?.(task, context) ?? describeTask(task, context.hierarchy),
      tools: { ...options.tools, ...agentTools(context.approved) },
      ...(options.output === undefined ? {} : { output: Output.object({ schema: options.output }) }),
      stopWhen: stepCountIs(maxSteps),
      maxRetries: 0,
    };
    const charge = (usage: LanguageModelUsage) => {
      // Counted as nothing, the budget would pass whatever the model spends: say so instead.
      if (options.cost === undefined && task.budget?.cost !== undefined && usageMissing(usage)) throw noUsage(agent, task);
      context.reportCost(cost(usage));
    };
    // Someone follows the task: stream, and report what arrives; nobody does: one answer, nothing streamed.
    let result: CallResult;
    try {
      result = await (context.streaming ? streamAttempt(request, context, charge) : generateAttempt(request, context, charge));
    } catch (error) {
      if (context.signal.aborted && !(error instanceof EchelonError)) throw error; // timed out or cancelled: the runtime already moved on
      const fenced = await fencedAnswer(error, options.output);
      if (fenced !== undefined) return fenced.value;
      throw explain(error, agent, task);
    }
    // A tool loop can swallow an abort and return a partial result (vercel/ai#12878): the runtime's word stands.
    context.signal.throwIfAborted();
    followAgentToolCalls(result.toolCalls, context);
    if (result.finishReason === 'tool-calls') {
      // A model whose calls keep failing (malformed arguments, a tool that throws) needs another fix than more steps.
      const failed = result.lastToolError === undefined ? '' : ` Its last tool call failed (${result.lastToolError}): check the tool's input schema and what the model is told about it.`;
      throw new EchelonError('executor_error', `${agent.id}'s model was still calling tools for "${task.type}" (${task.id}) after ${maxSteps} steps; raise maxSteps or simplify the task.${failed}`, {
        details: { agent: agent.id, taskId: task.id, maxSteps, ...(result.lastToolError === undefined ? {} : { lastToolError: result.lastToolError }) },
      });
    }
    const incomplete = incompleteAnswer(result.finishReason, options.acceptTruncated === true, options.output !== undefined);
    if (incomplete !== undefined) {
      throw new EchelonError('executor_error', `${agent.id}'s model, working on "${task.type}" (${task.id}), ${incomplete}`, {
        details: { agent: agent.id, taskId: task.id, finishReason: result.finishReason },
      });
    }
    if (options.output === undefined) return result.text;
    try {
      return (await result.output()) as TOutput;
    } catch (error) {
      const fenced = await fencedAnswer(error, options.output);
      if (fenced !== undefined) return fenced.value;
      throw explain(error, agent, task);
    }
  };
}

/** A finished typed answer the model wrapped in a markdown code fence: the object in it, when it matches. */
async function fencedAnswer<TOutput>(error: unknown, schema: FlexibleSchema<TOutput> | undefined): Promise<{ readonly value: TOutput } | undefined> {
  if (schema === undefined || !NoObjectGeneratedError.isInstance(error) || error.finishReason !== 'stop') return undefined;
  return unfenced(error.text, schema);
}

/** One attempt through `generateText`: usage charged as each step finishes; over budget, the tool loop stops. */
async function generateAttempt(request: Omit<Parameters<typeof generateText>[0], 'abortSignal' | 'onStepFinish'>, context: ExecutionContext, charge: (usage: LanguageModelUsage) => void): Promise<CallResult> {
  let overBudget: unknown;
  const call = generateText({
    ...request,
    stopWhen: [...[request.stopWhen ?? []].flat(), () => overBudget !== undefined],
    abortSignal: context.signal,
    onStepFinish: (step) => {
      if (overBudget !== undefined) return;
      try {
        charge(step.usage);
      } catch (error) {
        overBudget = error;
      }
    },
  } as Parameters<typeof generateText>[0]);
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch (error) {
    throw overBudget ?? error;
  }
  if (overBudget !== undefined) throw overBudget;
  const failedTool = result.steps.at(-1)?.content.findLast((part) => part.type === 'tool-error');
  return {
    toolCalls: result.toolCalls,
    finishReason: result.finishReason,
    text: result.text,
    ...(failedTool === undefined ? {} : { lastToolError: toolErrorText(failedTool) }),
    output: async () => result.output,
  };
}

function noUsage(agent: AgentNode, task: Task): EchelonError {
  return new EchelonError('executor_error', `${agent.id}'s model, working on "${task.type}" (${task.id}), ${NO_USAGE}`, { details: { agent: agent.id, taskId: task.id, usage: 'missing' } });
}

/** Why an answer that ended this way is no result, or undefined when it is one. */
function incompleteAnswer(finishReason: string, acceptTruncated: boolean, structured: boolean): string | undefined {
  if (finishReason === 'length' && !acceptTruncated) {
    const or = structured ? '' : ', or pass acceptTruncated: true to take cut-off answers';
    return `stopped at its output-token limit, so its answer is cut off: raise settings.maxOutputTokens${or}.`;
  }
  if (finishReason === 'content-filter') return "was stopped by the provider's content filter, so its answer is incomplete or empty.";
  return undefined;
}

function defaultPersona(agent: AgentNode): string {
  return [
    `You are ${describeAgent(agent)}, an agent in a hierarchical organisation of agents.`,
    'Do the task you are given and answer with its result, concisely.',
  ].join('\n');
}

/** Model failures as `executor_error`s that say what happened; the original error stays as `cause`. */
function explain(error: unknown, agent: AgentNode, task: Task): unknown {
  if (error instanceof EchelonError) return error;
  const where = `${agent.id}'s model, working on "${task.type}" (${task.id})`;
  const details = { agent: agent.id, taskId: task.id };
  if (NoObjectGeneratedError.isInstance(error)) {
    // A cut-off answer rarely parses: say why it was cut off rather than that it does not match.
    const incomplete = error.finishReason === undefined ? undefined : incompleteAnswer(error.finishReason, false, true);
    if (incomplete !== undefined) return new EchelonError('executor_error', `${where}, ${incomplete}`, { cause: error, details: { ...details, finishReason: error.finishReason } });
    const text = error.text === undefined ? '' : ` Its answer began: ${JSON.stringify(error.text.slice(0, 200))}`;
    return new EchelonError('executor_error', `${where}, answered with output that does not match the schema: ${causeMessage(error)}.${text}`, { cause: error, details });
  }
  if (NoOutputGeneratedError.isInstance(error)) {
    return new EchelonError('executor_error', `${where}, gave no answer.`, { cause: error, details });
  }
  // A provider may echo the key it was given: the task's error is journaled and shown everywhere.
  const message = quotable(messageOf(error));
  // A rate limit's retry-after: the runtime's retry waits that long.
  const retryAfterMs = retryAfterOf(error);
  return new EchelonError('executor_error', `${where}, failed: ${message}`, { cause: error, details: retryAfterMs === undefined ? details : { ...details, retryAfterMs } });
}

/** The AI SDK's call settings, which go in `settings`, not beside the model. */
const CALL_SETTINGS = ['temperature', 'topP', 'topK', 'maxOutputTokens', 'presencePenalty', 'frequencyPenalty', 'stopSequences', 'seed', 'headers', 'providerOptions', 'maxRetries', 'abortSignal'];
const OPTIONS = fields(
  { model: anything, system: either(string, fn), tools: anything, output: anything, prompt: fn, maxSteps: number, cost: fn, settings: anything, acceptTruncated: boolean },
  Object.fromEntries(CALL_SETTINGS.map((key) => [key, `a call setting of the model: pass it as settings: { ${key} }`])),
);

function checkOptions(options: LlmExecutorOptions<unknown>): void {
  if (typeof options !== 'object' || options === null || options.model === undefined || options.model === null) {
    throw new EchelonError('invalid_option', 'llmExecutor needs { model }: an AI SDK language model, e.g. openai("gpt-4o-mini").');
  }
  checkShape(options, OPTIONS, '', shapeContext('llmExecutor', 'invalid_option'));
  for (const name of AGENT_TOOL_NAMES) {
    if (options.tools !== undefined && Object.hasOwn(options.tools, name)) {
      throw new EchelonError('invalid_option', `llmExecutor: the tool name "${name}" is reserved for echelon's own tool; rename your tool.`);
    }
  }
  for (const [name, tool] of Object.entries(options.tools ?? {})) {
    // The SDK's tool approvals expect the caller to answer in a later call; echelon's approvals park the whole task instead.
    if (tool.needsApproval !== undefined && tool.needsApproval !== false) {
      throw new EchelonError('invalid_option', `llmExecutor: the tool "${name}" sets needsApproval, which echelon agents do not use: the model asks with the requestApproval tool, and the task waits for an approver with authority.`);
    }
  }
  const { maxSteps } = options;
  if (maxSteps !== undefined && (!Number.isInteger(maxSteps) || maxSteps < 1)) {
    throw new EchelonError('invalid_option', `llmExecutor: maxSteps must be a whole number ≥ 1, got ${String(maxSteps)}.`);
  }
}
