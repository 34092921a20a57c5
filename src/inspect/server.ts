/**
 * echelon's live view server, on Node's own `http`: one self-contained page (no CDN, no external
 * assets), the organisation as JSON, a Server-Sent Events stream, the task list and timelines,
 * one task's stream as Server-Sent Events (`task-stream.ts`),
 * and the people's actions through the orchestrator's API (see `routes.ts`).
 */
import type { Orchestrator } from '../runtime/api.js';
import { follow, unfollow } from '../runtime/events.js';
import { LiveFeed } from './feed.js';
import { Guard } from './guard.js';
import { json, listen } from './http.js';
import { resolveLiveViewOptions, type LiveView, type LiveViewOptions } from './options.js';
import { livePage } from './page.js';
import { act, pathId, read } from './routes.js';
import { serveTaskStream } from './task-stream.js';
import { runningOrganisation } from './watched.js';

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
  const stopped = runningOrganisation(org, 'serveLiveView', 'serveLiveView needs the orchestrator to serve: serveLiveView(createOrchestrator({ … }), { port }).');
  const settings = resolveLiveViewOptions(options);
  const guard = new Guard(settings);
  const feed = new LiveFeed(org, settings.history);
  // The view ends with the organisation.
  let view: LiveView | undefined;
  const close = () => void view?.close();
  const ended = () => {
    unfollow(stopped, close);
    feed.close();
  };
  view = await listen('serveLiveView', settings, guard, livePage(), async (request, response, url) => {
    if (request.method === 'GET') {
      guard.checkRead(request, url);
      if (url.pathname === '/api/state') return json(response, 200, feed.state());
      if (url.pathname === '/api/events') return feed.attach(response);
      const streamed = /^\/api\/tasks\/([^/]+)\/stream$/.exec(url.pathname);
      if (streamed !== null) return serveTaskStream(org, request, response, pathId(streamed[1]!));
      const answer = await read(org, feed, url);
      if (answer !== undefined) return json(response, answer.status, answer.body);
    }
    if (request.method === 'POST') {
      guard.checkAction(request);
      const answer = await act(org, request, url.pathname);
      if (answer === undefined) return;
      feed.refresh();
      return json(response, answer.status, answer.body);
    }
  }, ended).catch((error: unknown) => {
    // It never listened: nothing of it goes on watching the organisation.
    ended();
    throw error;
  });
  follow(stopped, close);
  return view;
}
