/**
 * An LLM executor's attempt when someone listens to its task: the AI SDK's `streamText` instead of
 * `generateText`, its text deltas, reasoning, tool calls and tool results reported as progress as
 * they arrive (see {@link LlmProgress}), each step's token usage charged to the task's budget the
 * moment the step's usage arrives — over budget, the stream is aborted at once. It resolves with
 * what the executor reads off a `generateText` result, so both paths end the same way.
 */
import { streamText } from 'ai';
import { messageOf, withoutSecrets } from './secrets.js';
import { jsonProblem } from '../json.js';
import type { ExecutionContext } from '../runtime/index.js';
import type { ReportedToolCall } from './agent-tools.js';

/**
 * What `llmExecutor` reports as progress while it streams: the model's text and reasoning as they
 * arrive, its tool calls and their results (inputs and outputs as JSON data), and each step's usage.
 *
 * @example
 * ```ts
 * for await (const event of org.stream({ type: 'api_design' })) {
 *   const data = event.type === 'task.progress' ? (event.data as LlmProgress) : undefined;
 *   if (data?.kind === 'text') process.stdout.write(data.text);
 * }
 * ```
 */
export type LlmProgress =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'reasoning'; readonly text: string }
  | { readonly kind: 'tool-call'; readonly toolCallId: string; readonly toolName: string; readonly input: unknown }
  | { readonly kind: 'tool-result'; readonly toolCallId: string; readonly toolName: string; readonly output: unknown }
  | { readonly kind: 'tool-error'; readonly toolCallId: string; readonly toolName: string; readonly error: string }
  | { readonly kind: 'step'; readonly step: number; readonly finishReason: string; readonly tokens: number | undefined };

/** The parts of a finished call the executor reads (a `generateText` result has them too). */
export interface CallResult {
  readonly toolCalls: readonly ReportedToolCall[];
  readonly finishReason: string;
  readonly text: string;
  /** The last tool call of the last step that failed (its tool and error), if one did: why a model that kept calling tools got nowhere. */
  readonly lastToolError?: string;
  /** The structured answer (throws when it does not match the schema). */
  output(): Promise<unknown>;
}

type StreamArgs = Parameters<typeof streamText>[0];

/**
 * Streams one attempt's model call. `charge` gets each step's usage and throws over budget: the
 * stream is then aborted and the budget's error thrown. A failed call throws its error.
 */
export async function streamAttempt(args: Omit<StreamArgs, 'abortSignal' | 'onStepFinish' | 'onError'>, context: ExecutionContext, charge: (usage: Parameters<NonNullable<StreamArgs['onStepFinish']>>[0]['usage']) => void): Promise<CallResult> {
  const controller = new AbortController();
  let overBudget: unknown;
  let failure: { error: unknown } | undefined;
  let steps = 0;
  let stepToolError: string | undefined;
  let lastToolError: string | undefined;
  const result = streamText({
    ...args,
    stopWhen: [...[args.stopWhen ?? []].flat(), () => overBudget !== undefined],
    abortSignal: AbortSignal.any([context.signal, controller.signal]),
    onError: () => undefined, // read off the stream below, not logged
  } as StreamArgs);
  for await (const part of result.fullStream) {
    switch (part.type) {
      case 'text-delta':
        context.progress({ kind: 'text', text: part.text });
        break;
      case 'reasoning-delta':
        context.progress({ kind: 'reasoning', text: part.text });
        break;
      case 'tool-call':
        context.progress({ kind: 'tool-call', toolCallId: part.toolCallId, toolName: part.toolName, input: asJson(part.input) });
        break;
      case 'tool-result':
        context.progress({ kind: 'tool-result', toolCallId: part.toolCallId, toolName: part.toolName, output: asJson(part.output) });
        break;
      case 'tool-error':
        stepToolError = toolErrorText(part);
        context.progress({ kind: 'tool-error', toolCallId: part.toolCallId, toolName: part.toolName, error: messageOf(part.error) });
        break;
      case 'finish-step':
        steps += 1;
        lastToolError = stepToolError;
        stepToolError = undefined;
        context.progress({ kind: 'step', step: steps, finishReason: part.finishReason, tokens: part.usage.totalTokens });
        if (overBudget !== undefined) break;
        try {
          charge(part.usage);
        } catch (error) {
          overBudget = error;
          controller.abort(error); // at once: no further step, no further token
        }
        break;
      case 'error':
        failure ??= { error: part.error };
        break;
      default:
        break;
    }
  }
  if (overBudget !== undefined) throw overBudget;
  if (failure !== undefined) throw failure.error;
  context.signal.throwIfAborted();
  const [toolCalls, finishReason, text] = await Promise.all([result.toolCalls, result.finishReason, result.text]);
  return { toolCalls, finishReason, text, ...(lastToolError === undefined ? {} : { lastToolError }), output: () => Promise.resolve(result.output) };
}

/** A failed tool call as one line: its tool, and why (whitespace folded, the first 300 characters). */
export const toolErrorText = (part: { readonly toolName: string; readonly error: unknown }) => `${part.toolName}: ${withoutSecrets(messageOf(part.error).replace(/\s+/g, ' ')).slice(0, 300)}`;

/** A value as JSON data for progress: as it is when it is JSON, else its JSON text, else its string. */
function asJson(value: unknown): unknown {
  if (value === undefined || jsonProblem(value) === undefined) return value ?? null;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
