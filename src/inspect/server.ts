/**
 * echelon's live view server, on Node's own `http`: one self-contained page (no CDN, no external
 * assets), the organisation as JSON, a Server-Sent Events stream, and the approve / reject
 * actions that call the orchestrator's approvals API.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/orchestrator.js';
import { LiveFeed } from './feed.js';
import { Guard, readJsonObject } from './guard.js';
import { resolveLiveViewOptions, type LiveView, type LiveViewOptions } from './options.js';
import { livePage } from './page.js';

/** HTTP statuses for the errors an action can end in. */
const STATUS: Readonly<Record<string, number>> = {
  unauthorized: 401,
  approval_unauthorized: 403,
  self_approval: 403,
  unknown_approval: 404,
  duplicate_decision: 409,
};

/**
 * Serves the live view of an organisation; it closes when the organisation stops.
 *
 * @example
 * ```ts
 * import { serveLiveView } from 'echelon/view';
 * const view = await serveLiveView(org, { port: 4321 });
 * console.log(`live view: ${view.url}`);
 * // …
 * await view.close();
 * ```
 */
export async function serveLiveView(org: Orchestrator, options?: LiveViewOptions): Promise<LiveView> {
  const settings = resolveLiveViewOptions(options);
  const guard = new Guard(settings);
  const feed = new LiveFeed(org, settings.history);
  const page = livePage();

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://live.view');
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': page.csp });
      response.end(page.html);
      return;
    }
    if (route === 'GET /api/state') {
      guard.checkRead(request, url);
      return json(response, 200, feed.state());
    }
    if (route === 'GET /api/events') {
      guard.checkRead(request, url);
      feed.attach(response);
      return;
    }
    const action = /^POST \/api\/approvals\/([^/]+)\/(approve|reject)$/.exec(route);
    if (action !== null) {
      guard.checkAction(request);
      const body = await readJsonObject(request);
      const id = decodeURIComponent(action[1]!);
      const by = text(body, 'by', true)!;
      if (action[2] === 'approve') {
        const comment = text(body, 'comment', false);
        org.approvals.approve(id, { by, ...(comment === undefined ? {} : { comment }) });
      } else {
        const reason = text(body, 'reason', false);
        org.approvals.reject(id, { by, ...(reason === undefined ? {} : { reason }) });
      }
      feed.refresh();
      return json(response, 200, { ok: true, approval: org.approvals.get(id)?.status ?? 'unknown' });
    }
    return json(response, 404, { error: { code: 'invalid_request', message: `No ${request.method} ${url.pathname} here.` } });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const known = error instanceof EchelonError;
      const body = known ? { error: error.toJSON() } : { error: { code: 'invalid_request', message: String(error) } };
      if (!response.headersSent) json(response, known ? (STATUS[error.code] ?? 400) : 500, body);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  guard.listening(port);
  const shownHost = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  let closing: Promise<void> | undefined;
  // The view ends with the organisation: its event stream ends when the organisation stops.
  const lifetime = org.events('agent.fault');
  const view: LiveView = {
    url: `http://${shownHost}:${port}/${settings.token === undefined ? '' : `#token=${encodeURIComponent(settings.token)}`}`,
    host: settings.host,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        void lifetime.return?.();
        feed.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  void (async () => {
    for await (const _ of lifetime);
    await view.close();
  })();
  return view;
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}

/** A string field of an action's body; `by` must be a non-empty identity. */
function text(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new EchelonError('invalid_request', `The action needs "${field}": who decides (an agent id with authority over the request).`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 2000) throw new EchelonError('invalid_request', `"${field}" must be a string of at most 2000 characters.`);
  return value;
}
