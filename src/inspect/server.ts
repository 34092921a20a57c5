/**
 * echelon's live view server, on Node's own `http`: one self-contained page (no CDN, no external
 * assets), the organisation as JSON, a Server-Sent Events stream, the task list and timelines,
 * and the people's actions through the orchestrator's API (see `routes.ts`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/orchestrator.js';
import { LiveFeed } from './feed.js';
import { Guard } from './guard.js';
import { resolveLiveViewOptions, type LiveView, type LiveViewOptions } from './options.js';
import { livePage } from './page.js';
import { act, read } from './routes.js';

/** HTTP statuses for the errors an action can end in. */
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
    if (request.method === 'GET') {
      guard.checkRead(request, url);
      const answer = await read(org, feed, url);
      if (answer !== undefined) return json(response, answer.status, answer.body);
    }
    if (request.method === 'POST') {
      guard.checkAction(request);
      const answer = await act(org, request, url.pathname);
      if (answer !== undefined) {
        feed.refresh();
        return json(response, answer.status, answer.body);
      }
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
