/**
 * The live view's push side: keeps the latest lifecycle events and streams them to every open
 * page over Server-Sent Events, each followed (coalesced) by a fresh snapshot of the organisation.
 */
import type { ServerResponse } from 'node:http';
import type { Orchestrator } from '../runtime/orchestrator.js';
import { liveSnapshot } from './snapshot.js';
import { summarizeEvent, type EventSummary } from './summary.js';

/** How often at most a page gets a new snapshot while events pour in. */
const SNAPSHOT_INTERVAL_MS = 50;
/** A comment line keeps idle connections from being closed by proxies. */
const KEEP_ALIVE_MS = 15_000;

export class LiveFeed {
  readonly #org: Orchestrator;
  readonly #history: number;
  readonly #events: EventSummary[] = [];
  readonly #clients = new Set<ServerResponse>();
  readonly #unsubscribe: () => void;
  readonly #keepAlive: NodeJS.Timeout;
  #snapshotTimer: NodeJS.Timeout | undefined;

  constructor(org: Orchestrator, history: number) {
    this.#org = org;
    this.#history = history;
    this.#unsubscribe = org.on('*', (event) => {
      // Agent states show in the org chart; listing each one would drown the task events.
      if (event.type !== 'agent.state') {
        const summary = summarizeEvent(event);
        this.#events.push(summary);
        if (this.#events.length > this.#history) this.#events.splice(0, this.#events.length - this.#history);
        this.#broadcast('event', summary);
      }
      this.#scheduleSnapshot();
    });
    this.#keepAlive = setInterval(() => {
      for (const client of this.#clients) client.write(': keep-alive\n\n');
    }, KEEP_ALIVE_MS).unref();
  }

  /** The page's first paint: the organisation now and the latest events. */
  state() {
    return { ...liveSnapshot(this.#org), events: [...this.#events] };
  }

  /** Starts streaming to a page; the stream ends when the page goes away or the feed closes. */
  attach(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write('retry: 1000\n\n');
    this.#clients.add(response);
    response.on('close', () => this.#clients.delete(response));
    this.#send(response, 'state', this.state());
  }

  /** Pushes a snapshot now (after an action, so the page sees its effect at once). */
  refresh(): void {
    this.#scheduleSnapshot(0);
  }

  close(): void {
    this.#unsubscribe();
    clearInterval(this.#keepAlive);
    clearTimeout(this.#snapshotTimer);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  #scheduleSnapshot(delay = SNAPSHOT_INTERVAL_MS): void {
    if (this.#snapshotTimer !== undefined || this.#clients.size === 0) return;
    this.#snapshotTimer = setTimeout(() => {
      this.#snapshotTimer = undefined;
      if (this.#clients.size > 0) this.#broadcast('snapshot', liveSnapshot(this.#org));
    }, delay).unref();
  }

  #broadcast(name: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    const frame = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of this.#clients) client.write(frame);
  }

  #send(response: ServerResponse, name: string, data: unknown): void {
    response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}
