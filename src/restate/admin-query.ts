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

/** Runs SQL on the admin API and returns its rows. */
export async function adminQuery(adminUrl: string, query: string, headers: Readonly<Record<string, string>> = {}, retryDelaysMs: readonly number[] = QUERY_RETRY_DELAYS_MS): Promise<Array<Record<string, unknown>>> {
  for (let tries = 0; ; tries++) {
    let response: Response;
    try {
      response = await fetch(`${adminUrl.replace(/\/$/, '')}/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query }),
      });
    } catch (error) {
      throw new EchelonError('engine_unavailable', `The Restate admin API at ${adminUrl} did not answer: ${String(error)}`, { cause: error });
    }
    if (response.ok) return ((await response.json()) as { rows: Array<Record<string, unknown>> }).rows;
    const text = await response.text();
    const delay = response.status >= 500 ? retryDelaysMs[tries] : undefined;
    if (delay === undefined) throw new EchelonError('engine_unavailable', `The Restate admin API refused a query (${response.status}${tries > 0 ? `, after ${tries + 1} tries` : ''}): ${text}`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** State entries of `service` whose key starts with `prefix` (of one object key, when given). */
export async function stateRows(adminUrl: string, headers: Readonly<Record<string, string>>, service: string, prefix: string, serviceKey?: string): Promise<StateRow[]> {
  const escaped = prefix.replace(/[\\%_]/g, (char) => `\\${char}`);
  const rows = await adminQuery(
    adminUrl,
    `SELECT service_key, key, value_utf8 FROM state WHERE service_name = ${quote(service)} AND key LIKE ${quote(`${escaped}%`)} ESCAPE '\\'${serviceKey === undefined ? '' : ` AND service_key = ${quote(serviceKey)}`}`,
    headers,
  );
  return rows.map((row) => ({ serviceKey: String(row.service_key), key: String(row.key), value: JSON.parse(String(row.value_utf8)) as unknown }));
}

/** How many objects of `service` hold state key `key`. */
export async function countKeys(adminUrl: string, headers: Readonly<Record<string, string>>, service: string, key: string): Promise<number> {
  const rows = await adminQuery(adminUrl, `SELECT COUNT(*) AS n FROM state WHERE service_name = ${quote(service)} AND key = ${quote(key)}`, headers);
  return Number(rows[0]?.n ?? 0);
}

/** Invocations of services whose names start with one of `prefixes` that have not completed. */
export async function runningInvocations(adminUrl: string, headers: Readonly<Record<string, string>>, prefixes: readonly string[]): Promise<number> {
  const names = prefixes.map((prefix) => `target_service_name LIKE ${quote(`${prefix}%`)}`).join(' OR ');
  const rows = await adminQuery(adminUrl, `SELECT COUNT(*) AS n FROM sys_invocation WHERE (${names}) AND status <> 'completed'`, headers);
  return Number(rows[0]?.n ?? 0);
}
