/**
 * Secrets a provider's error may echo back (some answer a bad key with "Incorrect API key provided:
 * sk-…", a proxy may repeat the request's `Authorization` header), kept out of what echelon says:
 * a model's failure becomes a task's error, and that goes to the journal, the store, the live view
 * and every listener. What looks like a key is cut to its first characters.
 */

/** Shapes of API keys and tokens: OpenAI and Anthropic `sk-…` (and `pk-`, `rk-`), Google `AIza…`, `Bearer …`, and `api_key=…`-style pairs. */
const SECRETS: readonly RegExp[] = [
  /\b((?:sk|pk|rk)-)[A-Za-z0-9_-]{12,}/g,
  /\b(AIza)[A-Za-z0-9_-]{20,}/g,
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b((?:api[_-]?key|access[_-]?token|secret|password)["']?\s*[:=]\s*["']?)[^\s"',;&]{6,}/gi,
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
