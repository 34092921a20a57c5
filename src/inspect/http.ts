/**
 * The live view's HTTP plumbing, shared by the live view and the replay view: a Node `http`
 * server that answers errors as JSON (an `EchelonError`'s code picks the status), listens where
 * the options say, and closes with its connections.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { EchelonError } from '../errors.js';
import { listenRefusal } from '../listening.js';
import type { Guard } from './guard.js';
import type { LiveView, ResolvedLiveViewOptions } from './options.js';
import type { LivePage } from './page.js';

/** HTTP statuses for the errors a request can end in. */
const STATUS: Readonly<Record<string, number>> = {
  unauthorized: 401,
  approval_unauthorized: 403,
  self_approval: 403,
  escalation_unauthorized: 403,
  unknown_approval: 404,
  unknown_escalation: 404,
  unknown_task: 404,
  duplicate_decision: 409,
};

export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/** Serves `page` at `/` and everything else through `handle`; `onClose` runs as the server closes. */
export async function listen(where: string, settings: ResolvedLiveViewOptions, guard: Guard, page: LivePage, handle: Handler, onClose: () => void): Promise<LiveView> {
  const server = createServer((request, response) => {
    // Every answer is what its content-type says: a browser is not to guess HTML from JSON that quotes data.
    response.setHeader('x-content-type-options', 'nosniff');
    const url = requestUrl(request.url);
    // Thrown here, new URL's TypeError would end the process (no request needs to pass the guard to send one).
    if (url === undefined) return json(response, 400, { error: { code: 'invalid_request', message: `The request target ${JSON.stringify(request.url)} is not a path on this server: ask for /, /api/state, /api/events …` } });
    const answering =
      (request.method === 'GET' || request.method === 'HEAD') && url.pathname === '/'
        ? Promise.resolve(void response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': page.csp }).end(page.html))
        : handle(request, response, url).then(() => {
            if (!response.headersSent) json(response, 404, { error: { code: 'invalid_request', message: `No ${request.method} ${url.pathname} here.` } });
          });
    answering.catch((error: unknown) => {
      const known = error instanceof EchelonError;
      const body = known ? { error: error.toJSON() } : { error: { code: 'invalid_request', message: String(error) } };
      if (!response.headersSent) json(response, known ? (STATUS[error.code] ?? 400) : 500, body);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    // A port in use, a host that is none of this machine's: the caller's choice, refused as such.
    const refuse = (error: NodeJS.ErrnoException) => reject(listenRefusal(where, error, settings.port, settings.host));
    server.once('error', refuse);
    server.listen(settings.port, settings.host, () => {
      server.off('error', refuse);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  guard.listening(port);
  const shownHost = browsable(settings.host);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/${settings.token === undefined ? '' : `#token=${encodeURIComponent(settings.token)}`}`,
    host: settings.host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        onClose();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * The host a printed URL names. A wildcard (`0.0.0.0`, `::`) is where the server listens, not an
 * address to browse to: the URL names this machine's first outside IPv4 address (loopback when it
 * has none).
 */
function browsable(host: string): string {
  if (host === '0.0.0.0' || host === '::') {
    const outside = Object.values(networkInterfaces()).flat().find((address) => address !== undefined && !address.internal && address.family === 'IPv4');
    return outside?.address ?? '127.0.0.1';
  }
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The request's target as a URL, or `undefined` when it is no path: not origin-form (`/…`,
 * RFC 9112 §3.2.1) — an absolute URL (`http://other.host/`, what a client sends a proxy), `*`, a
 * target that parses to another host (`//other.host/…`, `/\\other.host/…`) — or not a URL at all
 * (`//[`, a port out of range). Served by path alone, `GET http://other.host/api/state` would
 * answer as this server while naming another host than the Host header the guard checks.
 */
function requestUrl(target: string | undefined): URL | undefined {
  if (target === undefined || !/^\/(?![/\\])/.test(target)) return undefined;
  try {
    const url = new URL(target, 'http://live.view');
    // The URL parser drops tabs and newlines (`/\t/other.host`): what it makes of the target must still be a path here.
    return url.host === 'live.view' ? url : undefined;
  } catch {
    return undefined;
  }
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
