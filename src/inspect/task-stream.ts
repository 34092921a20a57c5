/**
 * `GET /api/tasks/:id/stream`: one task's stream (`org.stream`) as Server-Sent Events, behind the
 * live view's guard and token like every read. Each event is named by its type (`task.progress`,
 * `task.started` …); progress comes whole, lifecycle events as one-line summaries (no payloads),
 * the outcome whole; a last `end` event says the stream is over, and the response ends. A client
 * that goes away stops its stream; one that stops reading is waited for (nothing piles up here), and
 * the progress it could not keep up with is dropped oldest first, announced by a `stream.dropped` event. Also how the page learns what an agent is saying
 * (`progressText`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Orchestrator } from '../runtime/api.js';
import type { ProgressEvent, TaskStreamEvent } from '../runtime/index.js';
import { summarizeEvent } from './summary.js';

const KEEP_ALIVE_MS = 15_000;

/** Streams task `taskId` to `response` until it settles, the client leaves, or the organisation stops. */
export async function serveTaskStream(org: Orchestrator, request: IncomingMessage, response: ServerResponse, taskId: string): Promise<void> {
  const controller = new AbortController();
  const stream = org.stream(taskId, { signal: controller.signal }); // unknown_task before any header: answered as a 404
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
  response.write('retry: 1000\n\n');
  const leave = () => controller.abort();
  request.on('close', leave);
  response.on('close', leave);
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
  let id = 0;
  try {
    for await (const event of stream) {
      id += 1;
      // A client that does not read fills the socket: wait for it, so its progress waits (and is dropped) in the stream's bounded buffer, not in memory here.
      if (!response.write(`event: ${event.type}\nid: ${id}\ndata: ${JSON.stringify(wire(event))}\n\n`)) await drained(response, controller.signal);
    }
    if (!controller.signal.aborted) response.write(`event: end\ndata: ${JSON.stringify({ taskId })}\n\n`);
  } finally {
    clearInterval(keepAlive);
    request.off('close', leave);
    response.end();
  }
}

/** Resolves when `response` can take more, or once the client has gone. */
function drained(response: ServerResponse, gone: AbortSignal): Promise<void> {
  if (gone.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      gone.removeEventListener('abort', done);
      resolve();
    };
    response.on('drain', done);
    gone.addEventListener('abort', done);
  });
}

/** An event as the wire carries it. */
function wire(event: TaskStreamEvent): unknown {
  if (event.type === 'task.progress' || event.type === 'stream.dropped') return event;
  const summary = summarizeEvent(event);
  return event.type === 'task.completed' || event.type === 'task.failed' ? { ...summary, outcome: event.outcome } : summary;
}

/** A progress event as text to show under its agent: text as it is, anything else in brief. */
export function progressText(event: ProgressEvent): string {
  const data = event.data as { kind?: unknown; text?: unknown; toolName?: unknown } | string | null;
  if (typeof data === 'string') return data;
  if (data !== null && typeof data === 'object' && typeof data.text === 'string' && (data.kind === 'text' || data.kind === 'reasoning')) return data.text;
  if (data !== null && typeof data === 'object' && typeof data.toolName === 'string') {
    if (data.kind === 'tool-call') return ` [${data.toolName}…] `;
    if (data.kind === 'tool-result') return ` [${data.toolName} ✓] `;
    if (data.kind === 'tool-error') return ` [${data.toolName} ✗] `;
  }
  if (data !== null && typeof data === 'object' && data.kind === 'step') return '';
  const json = JSON.stringify(data);
  return ` ${json.length > 200 ? `${json.slice(0, 200)}…` : json} `;
}
