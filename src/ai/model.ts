/**
 * The one place echelon's LLM components call a model for a decision (which child, which
 * subtasks, approve or not): a structured answer under a timeout, with usage reported, and a
 * clear line between a model that answered nonsense (the caller falls back or explains) and a
 * call that failed (a typed error).
 */
import {
  asSchema,
  generateText,
  NoObjectGeneratedError,
  NoOutputGeneratedError,
  Output,
  type CallSettings,
  type FlexibleSchema,
  type LanguageModel,
  type LanguageModelUsage,
} from 'ai';
import { EchelonError, type EchelonErrorCode } from '../errors.js';
import { clearLongTimeout, setLongTimeout } from '../long-timer.js';
import { clause, logThrown } from '../show.js';
import { callListener } from '../thenable.js';
import { messageOf, quotable } from './secrets.js';

/** Sampling settings passed through to the model (retries, abort and timeouts are echelon's). */
export type ModelSettings = Omit<CallSettings, 'maxRetries' | 'abortSignal' | 'timeout'>;

/** Turns a call's token usage into the cost echelon budgets count (default: total tokens). */
export type CostFunction = (usage: LanguageModelUsage) => number;

/**
 * Total tokens, or input + output when the provider does not report a total: the default cost
 * of a model call. Write your own to price tokens (say, output tokens four times input ones).
 *
 * @example
 * ```ts
 * llmExecutor({ model, cost: (usage) => tokenCost(usage) + 3 * (usage.outputTokens ?? 0) });
 * ```
 */
export const tokenCost: CostFunction = (usage) => usage.totalTokens ?? (usage.inputTokens ?? 0) + (usage.outputTokens ?? 0);

/** No token count at all: the provider sent no usage (OpenAI-compatible servers stream it only when asked). */
export const usageMissing = (usage: LanguageModelUsage) => usage.totalTokens === undefined && usage.inputTokens === undefined && usage.outputTokens === undefined;

/** What a call that reported no usage, for a task with a cost budget, is told (after who called). */
export const NO_USAGE =
  "reported no token usage, so the task's cost budget cannot be counted. " +
  'With @ai-sdk/openai-compatible, create the provider with includeUsage: true (a streamed answer reports usage only then); or pass a cost function that prices a call without it.';

/** What a model call for a decision was about, for `onUsage` listeners. */
export interface DecisionUsage {
  readonly kind: 'route' | 'decompose' | 'approve';
  /** The agent on whose behalf the model was asked. */
  readonly agent: string;
  readonly taskId: string;
  readonly usage: LanguageModelUsage;
}

/** Options every LLM decision-maker (router, decomposer, approver) shares. */
export interface DecisionModelOptions {
  readonly model: LanguageModel;
  /** Replaces the built-in instructions (the answer format is always appended). */
  readonly system?: string;
  readonly settings?: ModelSettings;
  /**
   * The model has this long to answer (default 60 s, real time). The call is also aborted when the
   * agent stops waiting for the decision (the task was cancelled, the organisation stopped).
   */
  readonly timeoutMs?: number;
  /** Retries the AI SDK makes itself on retryable API errors (default 2): nothing else retries a decision. */
  readonly maxRetries?: number;
  /** What a call costs the task's budget (default: its tokens, `tokenCost`). */
  readonly cost?: CostFunction;
  /** Called with each call's token usage (also charged to the task's cost budget). */
  readonly onUsage?: (usage: DecisionUsage) => void;
}

/** What the runtime gives a decision: its signal, and the task's budget to charge. */
export interface DecisionCall {
  readonly signal: AbortSignal;
  reportCost(amount: number): void;
}

/** How long (real time, ms) a model routing, planning or approving may take when `timeoutMs` is not given. */
export const DEFAULT_DECISION_TIMEOUT_MS = 60_000;

/** A structured answer, or why the model's answer could not be used. */
export type Answer<T> =
  | { readonly ok: true; readonly value: T; readonly text: string }
  | { readonly ok: false; readonly problem: 'malformed' | 'invalid' | 'empty'; readonly text: string | undefined; readonly message: string };

/**
 * Asks the model for an object matching `schema`. Resolves with the object (also when the model
 * wrapped its JSON in one markdown code fence), or with the problem when the answer is not JSON,
 * does not match, or is empty; throws an `EchelonError` with `code`
 * when the call itself fails or times out.
 */
export async function askForObject<T>(
  options: DecisionModelOptions,
  request: {
    readonly system: string;
    readonly prompt: string;
    readonly schema: FlexibleSchema<T>;
    readonly code: EchelonErrorCode;
    readonly what: string;
    /** The task has a cost budget: a call that reports no usage fails the decision rather than count as free. */
    readonly budgeted?: boolean;
  },
  usage: Omit<DecisionUsage, 'usage'>,
  call: DecisionCall,
): Promise<Answer<T>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DECISION_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setLongTimeout(() => controller.abort(), timeoutMs);
  let total: LanguageModelUsage | undefined;
  if (call.signal.aborted) throw new EchelonError(request.code, `${request.what}: nobody waits for this decision any more.`);
  try {
    const result = await generateText({
      ...options.settings,
      model: options.model,
      system: `${request.system}\n\n${await answerFormat(request.schema)}`,
      prompt: request.prompt,
      output: Output.object({ schema: request.schema }),
      maxRetries: options.maxRetries ?? 2,
      abortSignal: AbortSignal.any([controller.signal, call.signal]),
      onStepFinish: (step) => {
        total = step.usage; // one step: no tools, so the structured answer is the only call
      },
    });
    return { ok: true, value: result.output, text: result.text };
  } catch (error) {
    if (NoObjectGeneratedError.isInstance(error)) {
      const fenced = await unfenced(error.text, request.schema);
      if (fenced !== undefined) return { ok: true, value: fenced.value, text: error.text ?? '' };
      const problem = error.text === undefined || error.text.trim() === '' ? 'empty' : isJson(error.text) ? 'invalid' : 'malformed';
      // A cut-off answer rarely parses: say why it was cut off, not only that it does not parse.
      const cutOff = error.finishReason === 'length' ? 'the model stopped at its output-token limit, so its answer is cut off (raise settings.maxOutputTokens): ' : '';
      return { ok: false, problem, text: error.text, message: `${cutOff}${causeMessage(error)}` };
    }
    if (NoOutputGeneratedError.isInstance(error)) return { ok: false, problem: 'empty', text: undefined, message: clause(error.message) };
    if (call.signal.aborted) throw new EchelonError(request.code, `${request.what}: abandoned, nobody waits for this decision any more.`, { cause: error });
    if (controller.signal.aborted) {
      throw new EchelonError(request.code, `${request.what}: the model did not answer within ${timeoutMs} ms.`, { cause: error, details: { timeoutMs } });
    }
    throw new EchelonError(request.code, `${request.what}: the model call failed: ${quotable(messageOf(error))}`, { cause: error });
  } finally {
    clearLongTimeout(timer);
    if (total !== undefined) {
      notify('onUsage', options.onUsage, { ...usage, usage: total });
      // Counted as nothing, the budget would pass whatever the model spends: say so instead (and fail the decision).
      if (options.cost === undefined && request.budgeted === true && usageMissing(total)) {
        throw new EchelonError(request.code, `${request.what}: the model ${NO_USAGE}`, { details: { taskId: usage.taskId, usage: 'missing' } });
      }
      // Over budget this throws budget_exceeded, which fails the decision — and so the task.
      call.reportCost((options.cost ?? tokenCost)(total));
    }
  }
}

/**
 * The answer format in words, with the JSON schema: providers in plain JSON mode never see the
 * schema the SDK sends, so the instructions carry it too.
 */
export async function answerFormat(schema: FlexibleSchema<unknown>): Promise<string> {
  const json = await asSchema(schema).jsonSchema;
  return `Answer with one JSON object only (no prose, no code fences) matching this JSON schema:\n${JSON.stringify(json)}`;
}

/** The validation error behind a bad structured answer, in one line, of bounded length and without a closing full stop. */
export function causeMessage(error: NoObjectGeneratedError): string {
  const cause = error.cause;
  const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  const said = detail === '' ? error.message : `${error.message} ${detail.replace(/\s+/g, ' ')}`;
  // Its own full stop: callers end their sentence themselves.
  return clause(quotable(said));
}

/** One markdown code fence around the whole answer: small models write JSON so, told otherwise or not. */
const FENCED = /^\s*```(?:json)?[^\S\n]*\n([\s\S]*?)\n?[^\S\n]*```\s*$/i;

/** The object inside a fenced answer, when it is JSON that matches the schema (validated as any answer is). */
export async function unfenced<T>(text: string | undefined, schema: FlexibleSchema<T>): Promise<{ readonly value: T } | undefined> {
  const inner = text === undefined ? undefined : FENCED.exec(text)?.[1];
  if (inner === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(inner);
  } catch {
    return undefined;
  }
  const checked = await asSchema(schema).validate?.(value);
  return checked?.success === true ? { value: checked.value } : undefined;
}

function isJson(text: string | undefined): boolean {
  if (text === undefined) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Calls a user's listener; one that throws (or rejects) is reported, never breaks the decision. */
export function notify<T>(name: string, listener: ((value: T) => void) | undefined, value: T): void {
  if (listener !== undefined) callListener(listener, value, (error) => logThrown(`echelon/ai: an ${name} listener threw:`, error));
}
