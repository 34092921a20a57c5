/**
 * The live view's push side: keeps the latest lifecycle events and streams them to every open
 * page over Server-Sent Events, each followed (coalesced) by a fresh snapshot of the organisation,
 * and — while a page is open — what executors report as they run (`progress` events).
 */
import type { ServerResponse } from 'node:http';
import type { AnyStateMachine } from 'xstate';
import { statechartToSvg } from '../diagram/svg.js';
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/api.js';
import { liveSnapshot } from './snapshot.js';
import { summarizeEvent, type EventSummary } from './summary.js';
import { progressText } from './task-stream.js';
import { adoptHeld, dropForgotten, keepsJournal, TaskIndex } from './tasks.js';

/** How often at most a page gets a new snapshot while events pour in. */
const SNAPSHOT_INTERVAL_MS = 50;
/** A comment line keeps idle connections from being closed by proxies. */
const KEEP_ALIVE_MS = 15_000;
/**
 * A page this far behind (bytes written that it has not read) has stopped reading: it is let go
 * rather than kept in memory, and reconnects (the page's EventSource does, after `retry`) to a fresh state.
 */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

export class LiveFeed {
  readonly #org: Orchestrator;
  readonly #history: number;
  readonly #events: EventSummary[] = [];
  readonly #clients = new Set<ServerResponse>();
  readonly #unsubscribe: () => void;
  /** Submitted tasks seen, active and recent, with their entries. */
  readonly tasks: TaskIndex;
  readonly #keepAlive: NodeJS.Timeout;
  #snapshotTimer: NodeJS.Timeout | undefined;
  /** Watching executors' progress, while a page is open (executors that can stream then do). */
  #unwatch: (() => void) | undefined;

  constructor(org: Orchestrator, history: number) {
    this.#org = org;
    this.#history = history;
    this.tasks = new TaskIndex(history);
    this.#unsubscribe = org.on('*', (event) => {
      this.tasks.observe(event);
      if (event.type === 'tasks.forgotten') {
        const ids = dropForgotten(org, this.tasks, event);
        // The page lets go of them too: a task it had open is closed, not shown with an empty timeline.
        if (ids.length > 0) this.#broadcast('forgotten', { ids });
      }
      // Agent states show in the org chart; listing each one would drown the task events.
      if (event.type !== 'agent.state') {
        const summary = summarizeEvent(event);
        this.#events.push(summary);
        if (this.#events.length > this.#history) this.#events.splice(0, this.#events.length - this.#history);
        this.#broadcast('event', summary);
      }
      this.#scheduleSnapshot();
    });
    // What it holds already: tasks a resumed organisation took up again, or submitted before the view opened.
    adoptHeld(org, this.tasks);
    this.#keepAlive = setInterval(() => {
      for (const client of this.#clients) write(client, ': keep-alive\n\n');
    }, KEEP_ALIVE_MS).unref();
  }

  /** The page's first paint: the organisation now, the latest events, and the agent statechart. */
  state() {
    return { ...this.#snapshot(), events: [...this.#events], statechart: statechartToSvg(agentMachine(this.#org)), history: keepsJournal(this.#org) };
  }

  /** The organisation now, with the task list. */
  #snapshot() {
    return { ...liveSnapshot(this.#org), tasks: this.tasks.list(), taskTypes: this.tasks.types() };
  }

  /** Starts streaming to a page; the stream ends when the page goes away or the feed closes. */
  attach(response: ServerResponse): void {
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write('retry: 1000\n\n');
    this.#clients.add(response);
    this.#unwatch ??= this.#org.onProgress((event) => {
      const text = progressText(event);
      if (text !== '') this.#broadcast('progress', { agent: event.agent, taskId: event.taskId, path: event.path, attempt: event.attempt, text });
    });
    response.on('close', () => {
      this.#clients.delete(response);
      if (this.#clients.size > 0) return;
      this.#unwatch?.();
      this.#unwatch = undefined;
    });
    this.#send(response, 'state', this.state());
  }

  /** Pushes a snapshot now (after an action, so the page sees its effect at once). */
  refresh(): void {
    this.#scheduleSnapshot(0);
  }

  close(): void {
    this.#unsubscribe();
    this.#unwatch?.();
    this.#unwatch = undefined;
    clearInterval(this.#keepAlive);
    clearTimeout(this.#snapshotTimer);
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  #scheduleSnapshot(delay = SNAPSHOT_INTERVAL_MS): void {
    if (this.#snapshotTimer !== undefined || this.#clients.size === 0) return;
    this.#snapshotTimer = setTimeout(() => {
      this.#snapshotTimer = undefined;
      if (this.#clients.size > 0) this.#broadcast('snapshot', this.#snapshot());
    }, delay).unref();
  }

  #broadcast(name: string, data: unknown): void {
    if (this.#clients.size === 0) return;
    const frame = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of [...this.#clients]) write(client, frame);
  }

  #send(response: ServerResponse, name: string, data: unknown): void {
    write(response, `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}

/** Writes a frame to a page, or lets the page go when it has stopped reading (its `close` takes it off the list). */
function write(client: ServerResponse, frame: string): void {
  if (client.writableLength > MAX_UNREAD_BYTES) client.destroy();
  else client.write(frame);
}

/** The agent statechart's definition, from the root agent's actor (an XState `Actor` of the machine). */
function agentMachine(org: Orchestrator): AnyStateMachine {
  const logic = (org.actor as unknown as { logic?: AnyStateMachine }).logic;
  if (logic?.root === undefined) throw new EchelonError('invalid_option', 'The organisation\'s root actor does not expose its statechart (org.actor.logic).');
  return logic;
}
