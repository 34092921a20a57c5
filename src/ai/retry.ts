/**
 * Which model failures are worth another attempt. LLM executors call the model with the AI
 * SDK's own retries off, so the runtime's retry policy is the only one; this predicate lets
 * that policy skip errors no retry can fix (a bad API key, an unknown model, a 400).
 */
import { EchelonError } from '../errors.js';
import { APICallError, InvalidPromptError, LoadAPIKeyError, NoSuchModelError, RetryError, UnsupportedFunctionalityError } from 'ai';

/**
 * True unless the error (or an error it wraps, through `cause`) is one a retry cannot fix:
 * an API error the provider marks as not retryable (401, 400 …), a missing API key, an unknown
 * model, an invalid prompt, an unsupported feature, an answer cut off at the output-token
 * limit (raise `settings.maxOutputTokens` instead), or a call that reported no token usage for a
 * task with a cost budget. Malformed answers are retryable — a new sample may be fine — and so is
 * an answer the SDK could not read (a 200 whose body is no JSON, or not the answer's shape).
 *
 * @example
 * ```ts
 * createOrchestrator({
 *   hierarchy, executors: llmExecutor({ model }),
 *   execution: { retry: { attempts: 3 }, retryable: isRetryableModelError },
 * });
 * ```
 */
export function isRetryableModelError(error: unknown): boolean {
  for (const current of causes(error)) {
    // An answer cut off at the output-token limit: another attempt pays for as many tokens and stops at the same limit.
    if (current instanceof EchelonError && current.details?.finishReason === 'length') return false;
    // A provider that reports no usage reports none the next time either.
    if (current instanceof EchelonError && current.details?.usage === 'missing') return false;
    // The SDK marks an answer it could not read as not retryable by its status, 200 included: but a
    // success status says the request was fine, and a body cut or garbled on its way (malformed
    // JSON, a tool call without a name) is an answer like any malformed one.
    if (APICallError.isInstance(current)) return current.isRetryable || succeeded(current.statusCode);
    if (LoadAPIKeyError.isInstance(current) || NoSuchModelError.isInstance(current) || InvalidPromptError.isInstance(current)) return false;
    if (UnsupportedFunctionalityError.isInstance(current)) return false;
  }
  return true;
}

const succeeded = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

/** The error and those it wraps: through `cause`, and a RetryError's last error. */
function* causes(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    yield current;
    current = RetryError.isInstance(current) ? current.lastError : current instanceof Error ? current.cause : undefined;
  }
}

/**
 * How long the provider asked to wait before the next call, in ms: its `retry-after-ms` header,
 * or `retry-after` (seconds, or an HTTP date), on the API error the failure is or wraps.
 * Undefined when it asked nothing readable. The runtime waits that long before its retry (at
 * most the policy's `maxDelayMs`).
 *
 * @example
 * ```ts
 * retryAfterOf(new APICallError({ message: 'slow down', url, requestBodyValues: {}, statusCode: 429, responseHeaders: { 'retry-after': '3' } })); // 3000
 * ```
 */
export function retryAfterOf(error: unknown): number | undefined {
  for (const current of causes(error)) {
    if (!APICallError.isInstance(current)) continue;
    const headers = current.responseHeaders ?? {};
    const header = (name: string) => Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
    const ms = Number(header('retry-after-ms') ?? Number.NaN);
    if (ms >= 0) return Math.round(ms);
    const after = header('retry-after');
    if (after === undefined || after.trim() === '') return undefined;
    const seconds = Number(after);
    if (seconds >= 0) return Math.round(seconds * 1000);
    const date = Date.parse(after);
    return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
  }
  return undefined;
}
