/**
 * The replay view: the live view's page in replay mode, serving a stored run's steps (what
 * `echelon replay <file.db> --view` opens) — a timeline to scrub, with every agent's state at
 * each entry. Read-only: there is no organisation behind it to act on.
 */
import type { ReplayStep } from '../replay/steps.js';
import { Guard } from './guard.js';
import { json, listen } from './http.js';
import { resolveLiveViewOptions, type LiveView, type LiveViewOptions } from './options.js';
import { livePage } from './page.js';
import { latestSteps } from './routes.js';

/**
 * Serves replay steps (`replaySteps(store.journal(), store.header().agents)`, or `org.history()`).
 *
 * @example
 * ```ts
 * import { serveReplay } from 'echelon/view';
 * const store = sqliteStore('org.db');
 * const view = await serveReplay(replaySteps(store.journal(), store.header()!.agents));
 * console.log(`replay: ${view.url}`);
 * ```
 */
export async function serveReplay(steps: readonly ReplayStep[], options?: LiveViewOptions): Promise<LiveView> {
  const settings = resolveLiveViewOptions(options);
  const guard = new Guard(settings);
  return listen(
    'serveReplay',
    settings,
    guard,
    livePage('replay'),
    async (request, response, url) => {
      if (request.method !== 'GET' || url.pathname !== '/api/history') return;
      guard.checkRead(request, url);
      json(response, 200, latestSteps(steps, url.searchParams.get('limit') ?? undefined));
    },
    () => undefined,
  );
}
