/**
 * Secrets a provider's error may echo back (some answer a bad key with "Incorrect API key provided:
 * sk-…", a proxy may repeat the request's `Authorization` header), kept out of what echelon says:
 * a model's failure becomes a task's error, and that goes to the journal, the store, the live view
 * and every listener. What looks like a key is cut to its first characters. A key looks like one:
 * long (32 characters and more after `sk-`), with digits in it — so a task id, a tool or a model named `sk-migration-batch` or a phrase
 * such as "requires Bearer authentication" is left as it is. What an error quotes of a provider or a
 * model is also kept short ({@link quotable}), and read from whatever the provider sent ({@link messageOf}).
 */

/** Not a letter or digit before it: a name may follow `_` or `-` (`client_secret`, `x-api-key`). */
const START = '(?<![A-Za-z0-9])';
/** A value of at least `min` characters of `chars` with a digit among them. */
const value = (chars: string, min: number) => `(?=[${chars}]*[0-9])[${chars}]{${min},}`;
const KEY = 'A-Za-z0-9_-';

/**
 * Shapes of API keys and tokens: OpenAI and Anthropic `sk-…` (`sk-proj-`, `sk-ant-`, and `pk-`,
 * `rk-`), Groq `gsk_`, Hugging Face `hf_`, xAI `xai-`, Google `AIza…`, AWS `AKIA…`, `Bearer` and
 * `Basic` credentials, and `name=value` / `"name": "value"` pairs whose name says secret.
 */
const SECRETS: readonly RegExp[] = [
  new RegExp(`${START}((?:sk|pk|rk|xai)-)${value(KEY, 32)}`, 'g'),
  new RegExp(`${START}((?:gsk|hf)_)${value(KEY, 30)}`, 'g'),
  new RegExp(`${START}(AIza)${value(KEY, 30)}`, 'g'),
  new RegExp(`${START}(AKIA)[A-Z0-9]{16}(?![A-Za-z0-9])`, 'g'),
  new RegExp(`${START}((?:Bearer|Basic)\\s+)${value('A-Za-z0-9._~+/=-', 16)}`, 'gi'),
  new RegExp(`${START}((?:api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|password)["']?\\s*[:=]\\s*["']?)[^\\s"',;&]{6,}`, 'gi'),
];

/**
 * `text` with what looks like an API key or token replaced by its start and `…[redacted]`.
 *
 * @example
 * ```ts
 * withoutSecrets('Incorrect API key provided: sk-proj-abcdefghijklmnop1234'); // 'Incorrect API key provided: sk-…[redacted]'
 * ```
 */
export function withoutSecrets(text: string): string {
  let said = text;
  for (const pattern of SECRETS) said = said.replace(pattern, (_match, start: string) => `${start}…[redacted]`);
  return said;
}

/** Most characters of a provider's or a model's words an error message quotes ({@link quotable}). */
export const MAX_QUOTED = 1_000;

/**
 * What a provider or a model said, fit to quote in an error: secrets cut ({@link withoutSecrets}),
 * then the middle cut too when it is longer than {@link MAX_QUOTED} characters. The AI SDK's
 * parse errors quote the whole answer (a small model may ramble for megabytes), then say why it
 * failed: the start and the end are kept, and the error stays small enough for the journal and the
 * live view.
 *
 * @example
 * ```ts
 * quotable(`Text: ${'x'.repeat(5_000)}. Error message: Unexpected token 'x'`); // 'Text: xx…xx…[4,043 characters cut]…xx…xx. Error message: Unexpected token 'x''
 * ```
 */
export function quotable(text: string): string {
  const said = withoutSecrets(text);
  if (said.length <= MAX_QUOTED) return said;
  const head = Math.floor(MAX_QUOTED * 0.6);
  const tail = MAX_QUOTED - head;
  const cut = said.length - head - tail;
  return `${said.slice(0, head)}…[${cut.toLocaleString('en-US')} characters cut]…${said.slice(-tail)}`;
}

/**
 * What an error says: an `Error`'s message, the `message` of a provider's error object (an error a
 * provider sends mid-stream reaches the stream as plain data, `{ message, code }`), else its JSON.
 *
 * @example
 * ```ts
 * messageOf({ message: 'Provider overloaded', code: 502 }); // 'Provider overloaded'
 * ```
 */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  if (typeof message === 'string' && message !== '') return message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
