/**
 * Reading an organisation's state across keys through Restate's admin API (`POST /query`, SQL
 * over the server's `state` table): what waits for people, what is active, a journal — reads
 * no single object answers without becoming a hot spot.
 */
import { EchelonError } from '../errors.js';

/** One state entry: the object's key, the state key and its JSON value. */
export interface StateRow {
  readonly serviceKey: string;
  readonly key: string;
  readonly value: unknown;
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * The waits before asking again when the admin API answers a query with a 5xx: a server just
 * restarted answers `node … was shut down or removed` while its partitions recover (measured: for
 * about a second here, after a SIGKILL). A server that does not answer at all is not waited for.
 */
export const QUERY_RETRY_DELAYS_MS: readonly number[] = [50, 100, 200, 400, 800, 1_600];

/** Where the admin API is: its URL, the headers sent with each query, and how long one may take (absent or `Infinity`: as long as it takes). */
export interface AdminApi {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/** Whether a fetch failed because its `AbortSignal.timeout` ran out. */
export const timedOut = (error: unknown): boolean => (error as { name?: unknown } | null)?.name === 'TimeoutError';

/** The signal that ends a request after `timeoutMs` (none for `Infinity` or absent). */
export const timeoutSignal = (timeoutMs: number | undefined): AbortSignal | undefined => (timeoutMs === undefined || timeoutMs === Infinity ? undefined : AbortSignal.timeout(timeoutMs));

/** Runs SQL on the admin API and returns its rows; each try gives up after `timeoutMs` without an answer. */
export async function adminQuery(
  adminUrl: string,
  query: string,
  headers: Readonly<Record<string, string>> = {},
  retryDelaysMs: readonly number[] = QUERY_RETRY_DELAYS_MS,
  timeoutMs?: number,
): Promise<Array<Record<string, unknown>>> {
  for (let tries = 0; ; tries++) {
    let response: Response;
    let text: string;
    try {
      const signal = timeoutSignal(timeoutMs);
      response = await fetch(`${adminUrl.replace(/\/$/, '')}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query }),
        ...(signal === undefined ? {} : { signal }),
      });
      // The signal covers the body too: a server that sends its headers and then nothing is as stuck.
      text = await response.text();
    } catch (error) {
      if (timedOut(error)) {
        throw new EchelonError('engine_unavailable', `The Restate admin API at ${adminUrl} did not answer a query within ${timeoutMs} ms (requestTimeoutMs): it is stuck or overloaded, or adminUrl is not its admin API.`, {
          cause: error,
          details: { timedOut: true, timeoutMs },
        });
      }
      throw new EchelonError('engine_unavailable', `The Restate admin API at ${adminUrl} did not answer: ${String(error)}`, { cause: error });
    }
    if (response.ok) return (JSON.parse(text) as { rows: Array<Record<string, unknown>> }).rows;
    const delay = response.status >= 500 ? retryDelaysMs[tries] : undefined;
    if (delay === undefined) throw new EchelonError('engine_unavailable', `The Restate admin API refused a query (${response.status}${tries > 0 ? `, after ${tries + 1} tries` : ''}): ${text}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** {@link adminQuery} on `admin`. */
const ask = (admin: AdminApi, query: string) => adminQuery(admin.url, query, admin.headers, QUERY_RETRY_DELAYS_MS, admin.timeoutMs);

/** State entries of `service` whose key starts with `prefix` (of one object key, when given). */
export async function stateRows(admin: AdminApi, service: string, prefix: string, serviceKey?: string): Promise<StateRow[]> {
  const escaped = prefix.replace(/[\\%_]/g, (char) => `\\${char}`);
  const rows = await ask(admin, `SELECT service_key, key, value_utf8 FROM state WHERE service_name = ${quote(service)} AND key LIKE ${quote(`${escaped}%`)} ESCAPE '\\'${serviceKey === undefined ? '' : ` AND service_key = ${quote(serviceKey)}`}`);
  return rows.map((row) => ({ serviceKey: String(row.service_key), key: String(row.key), value: JSON.parse(String(row.value_utf8)) as unknown }));
}

/** How many objects of `service` hold state key `key`. */
export async function countKeys(admin: AdminApi, service: string, key: string): Promise<number> {
  const rows = await ask(admin, `SELECT COUNT(*) AS n FROM state WHERE service_name = ${quote(service)} AND key = ${quote(key)}`);
  return Number(rows[0]?.n ?? 0);
}

/** Invocations of services whose names start with one of `prefixes` that have not completed. */
export async function runningInvocations(admin: AdminApi, prefixes: readonly string[]): Promise<number> {
  const names = prefixes.map((prefix) => `target_service_name LIKE ${quote(`${prefix}%`)}`).join(' OR ');
  const rows = await ask(admin, `SELECT COUNT(*) AS n FROM sys_invocation WHERE (${names}) AND status <> 'completed'`);
  return Number(rows[0]?.n ?? 0);
}
