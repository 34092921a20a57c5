/**
 * What a failed call through Restate's ingress means for the client: a server that does not
 * answer, one that does not serve the organisation (its services were never registered, or under
 * another name), or something that is not an ingress at all — each `engine_unavailable`, saying
 * what to check — and a workflow that was never submitted. Nothing is asked again here: a
 * cancellation or a decision is not idempotent, so the caller decides.
 */
import { EchelonError } from '../errors.js';
import { timedOut, timeoutSignal } from './admin-query.js';

/** Whether an ingress error says the workflow was never submitted. */
export function notFound(error: unknown): boolean {
  const status = (error as { status?: unknown } | null)?.status;
  return status === 404 || /not found|NotFound/i.test(String((error as Error | null)?.message ?? ''));
}

/** The service the ingress says it does not have (404 "service '…' not found"), if that is why a call failed. */
export function unregistered(error: unknown): string | undefined {
  const { message, responseText } = (error ?? {}) as { message?: unknown; responseText?: unknown };
  return /service '([^']+)' not found/.exec(`${String(message ?? '')} ${String(responseText ?? '')}`)?.[1];
}

/** Whether a call failed because the server did not answer (down, restarting, unreachable). */
export function unreachable(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed/i.test(error.message);
}

/** Where the client talks to, for the messages. */
interface Server {
  readonly ingressUrl: string;
  readonly adminUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The organisation's name in Restate, and its root agent. */
  readonly name: string;
  readonly root: string;
  /** How long a call waits for an answer (`Infinity`: as long as it takes). */
  readonly timeoutMs: number;
}

/**
 * The client's handling of ingress failures.
 *
 * @example
 * ```ts
 * const { reach } = ingressFailures({ ingressUrl, adminUrl, headers: {}, name: 'acme', root: 'cto', timeoutMs: 30_000 });
 * await reach('the submission of task "t1"', () => workflow.workflowSubmit(opening)); // engine_unavailable when nobody answers
 * ```
 */
export function ingressFailures(server: Server) {
  /**
   * `engine_unavailable` for a server that does not answer, does not serve this organisation or
   * answers with an HTTP error; `undefined` for any other failure. `details` (the task's id, say)
   * go with it; `unsure` is said where the server may have done the call before failing to answer.
   */
  const unserved = (error: unknown, what: string, details: Record<string, unknown> = {}, unsure = ''): EchelonError | undefined => {
    const unavailable = (message: string, more: Record<string, unknown> = {}, maybeDone = false) =>
      new EchelonError('engine_unavailable', maybeDone ? `${message}${unsure}` : message, { cause: error, details: { ...details, ...more } });
    const service = unregistered(error);
    if (service !== undefined) {
      const unit = service.startsWith(`${server.name}-agents-`) ? `unit ${service.slice(server.name.length + 8)}` : `the root (${server.root})`;
      const hint = `register the deployment serving ${unit} with the server, and check that the organisation's name ("${server.name}") and ingressUrl are those of its service processes`;
      return unavailable(`The Restate server at ${server.ingressUrl} has no service ${service} for ${what}: ${hint}.`, { service });
    }
    if (timedOut(error)) {
      const message = `The Restate server at ${server.ingressUrl} did not answer ${what} within ${server.timeoutMs} ms (requestTimeoutMs): the service process it needs for it is down or unreachable (Restate holds the call until one is back), or the server is stuck or overloaded, or ingressUrl is not its ingress.`;
      return unavailable(message, { timedOut: true, timeoutMs: server.timeoutMs }, true);
    }
    if (unreachable(error)) return unavailable(`The Restate server at ${server.ingressUrl} did not answer ${what} (${(error as Error).message}): is it running, and is ingressUrl its ingress?`, {}, true);
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status !== 'number' || status < 400) return undefined;
    // A 404 naming no service: what answers is not a Restate ingress (the admin API, say).
    if (status === 404) return unavailable(`${server.ingressUrl} answered 404 to ${what}: is ingressUrl the server's ingress (not its admin API)?`, { status });
    const body = String((error as { responseText?: unknown }).responseText ?? '').split('\n')[0]!.slice(0, 200);
    const said = `${server.ingressUrl} answered ${status} to ${what}${body === '' ? '' : ` (${body})`}`;
    // Just after a restart the server answers 5xx while its partitions recover; 408 and 429 say it is busy.
    if (status >= 500 || status === 408 || status === 429) return unavailable(`${said}: the server is recovering or overloaded; try again shortly.`, { status }, true);
    return unavailable(`${said}: check ingressUrl, the headers (authentication) and that the service processes run this version of echelon.`, { status });
  };
  return {
    unserved,
    /** A call through the ingress, its failures said as {@link unserved} says them. */
    async reach<T>(what: string, call: () => Promise<T>, details?: Record<string, unknown>, unsure?: string): Promise<T> {
      try {
        return await call();
      } catch (error) {
        throw unserved(error, what, details, unsure) ?? error;
      }
    },
    /** Whether the admin API says it has no service `name` (any other answer, or none: not known to be missing). */
    serviceMissing: (name: string): Promise<boolean> =>
      fetch(`${server.adminUrl}/services/${encodeURIComponent(name)}`, { headers: server.headers, signal: timeoutSignal(server.timeoutMs) ?? null }).then(
        (response) => response.status === 404,
        () => false,
      ),
  };
}
