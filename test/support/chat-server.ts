/**
 * A small OpenAI-compatible chat-completions server on loopback, for testing `echelon/ai` against a
 * real HTTP provider (`@ai-sdk/openai-compatible`): each request is answered by the next scripted
 * reply — text, a tool call, a stream of SSE chunks, an HTTP error, malformed JSON, or no answer at
 * all (it hangs until the client goes away) — and every request is recorded, with whether the
 * client aborted it before the answer ended.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { afterEach } from 'vitest';

/** What the server does with one request. */
export type Reply =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'tool'; readonly name: string; readonly args: string }
  | { readonly kind: 'status'; readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  | { readonly kind: 'raw'; readonly body: string }
  | { readonly kind: 'hang' }
  /** Reads the request and never answers: not even the status line and headers. */
  | { readonly kind: 'silent' }
  /** Destroys the socket at once, before any byte of an answer. */
  | { readonly kind: 'reset' }
  /** Sends this SSE text one byte at a time, `everyMs` (real time) apart, until it ends or the client goes. */
  | { readonly kind: 'trickle'; readonly deltas: readonly string[]; readonly everyMs: number }
  /** Streams these deltas, then drops the connection mid-stream. */
  | { readonly kind: 'drop'; readonly deltas: readonly string[] }
  /** Streams these deltas (text pieces), then stops: `end: false` leaves the stream open until the client goes. */
  | { readonly kind: 'stream'; readonly deltas: readonly string[]; readonly end?: boolean; readonly tool?: { readonly name: string; readonly args: string } }
  /** Streams these deltas with usage in the last chunk only when the request asks (`stream_options.include_usage`), as OpenAI does. */
  | { readonly kind: 'openai-stream'; readonly deltas: readonly string[] };

export interface RecordedRequest {
  readonly headers: IncomingMessage['headers'];
  readonly body: { readonly stream?: boolean; readonly messages?: unknown[]; readonly tools?: unknown[]; readonly [key: string]: unknown };
  /** True once the client closed the connection before the reply ended. */
  aborted: boolean;
}

export interface ChatServer {
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Replies for the next requests, in order (a request with none left gets a 500 saying so). */
  script(...replies: Reply[]): void;
  /** Resolves once `count` requests have arrived. */
  received(count: number): Promise<void>;
  /** Resolves once request `index` was aborted by the client. */
  abortedAt(index: number): Promise<void>;
  close(): Promise<void>;
}

const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

function completion(message: object, finish: string) {
  return { id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'fake', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }], usage };
}

function chunk(delta: object, finish: string | null, withUsage = false) {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 0, model: 'fake', choices: [{ index: 0, delta, finish_reason: finish }], ...(withUsage ? { usage } : {}) };
}

const toolCall = (tool: { name: string; args: string }) => ({ id: 'call_1', type: 'function', function: { name: tool.name, arguments: tool.args } });

function answer(reply: Reply, streaming: boolean, asksUsage: boolean, response: ServerResponse): void {
  switch (reply.kind) {
    case 'hang':
      response.flushHeaders();
      return;
    case 'silent':
      return;
    case 'reset':
      response.socket?.destroy();
      return;
    case 'trickle':
      trickle(response, reply.deltas, reply.everyMs);
      return;
    case 'status':
      response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body);
      return;
    case 'raw':
      response.writeHead(200, { 'content-type': streaming ? 'text/event-stream' : 'application/json' }).end(reply.body);
      return;
    case 'text':
    case 'tool': {
      const message = reply.kind === 'text' ? { content: reply.text } : { content: null, tool_calls: [toolCall(reply)] };
      const finish = reply.kind === 'text' ? 'stop' : 'tool_calls';
      if (!streaming) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completion(message, finish)));
        return;
      }
      streamOut(response, reply.kind === 'text' ? [reply.text] : [], true, reply.kind === 'tool' ? reply : undefined);
      return;
    }
    case 'stream':
      streamOut(response, reply.deltas, reply.end ?? true, reply.tool);
      return;
    case 'openai-stream':
      streamOut(response, reply.deltas, true, undefined, asksUsage);
      return;
    case 'drop':
      streamOut(response, reply.deltas, false, undefined);
      setImmediate(() => response.destroy());
      return;
  }
}

function streamOut(response: ServerResponse, deltas: readonly string[], end: boolean, tool: { name: string; args: string } | undefined, withUsage = true): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (data: object | string) => response.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  send(chunk({ role: 'assistant', content: '' }, null));
  for (const delta of deltas) send(chunk({ content: delta }, null));
  if (tool !== undefined) send(chunk({ tool_calls: [{ index: 0, ...toolCall(tool) }] }, null));
  if (!end) return;
  send(chunk({}, tool === undefined ? 'stop' : 'tool_calls', withUsage));
  send('[DONE]');
  response.end();
}

function sseText(deltas: readonly string[]): string {
  const events = [chunk({ role: 'assistant', content: '' }, null), ...deltas.map((delta) => chunk({ content: delta }, null)), chunk({}, 'stop', true)];
  return [...events.map((event) => `data: ${JSON.stringify(event)}\n\n`), 'data: [DONE]\n\n'].join('');
}

function trickle(response: ServerResponse, deltas: readonly string[], everyMs: number): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const bytes = Buffer.from(sseText(deltas));
  let sent = 0;
  const timer = setInterval(() => {
    if (response.destroyed) return clearInterval(timer);
    response.write(bytes.subarray(sent, sent + 1));
    sent += 1;
    if (sent < bytes.length) return;
    clearInterval(timer);
    response.end();
  }, everyMs);
  response.on('close', () => clearInterval(timer));
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startChatServer(): Promise<ChatServer> {
  const replies: Reply[] = [];
  const requests: RecordedRequest[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((wakeUp) => wakeUp());
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (data: string) => (text += data));
    request.on('end', () => {
      const body = JSON.parse(text === '' ? '{}' : text) as RecordedRequest['body'];
      const recorded: RecordedRequest = { headers: request.headers, body, aborted: false };
      requests.push(recorded);
      response.on('close', () => {
        if (!response.writableFinished) recorded.aborted = true;
        wake();
      });
      wake();
      const reply = replies.shift() ?? { kind: 'status', status: 500, body: '{"error":{"message":"the fake server has no reply scripted"}}' };
      answer(reply, body.stream === true, (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (done() ? resolve() : waiters.push(check));
      check();
    });
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...more) => void replies.push(...more),
    received: (count) => until(() => requests.length >= count),
    abortedAt: (index) => until(() => requests[index]?.aborted === true),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * For a test file: a function that starts a chat server and a model that talks to it through
 * `@ai-sdk/openai-compatible` with `apiKey`; every server started is closed after each test.
 */
export function loopbackProviders(apiKey: string) {
  const servers: ChatServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  return async () => {
    const server = await startChatServer();
    servers.push(server);
    const model = createOpenAICompatible({ name: 'loopback', baseURL: server.baseURL, apiKey }).chatModel('loopback-model');
    return { server, model };
  };
}
