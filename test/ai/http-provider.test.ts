/**
 * `echelon/ai` against a real HTTP provider: `@ai-sdk/openai-compatible` talking to a small
 * chat-completions server on loopback (`test/support/chat-server.ts`). What a user sees when the
 * provider streams, fails (429, 401, 500, malformed JSON, a dropped stream) or hangs: every failure
 * an `EchelonError` with a code, retried or not as documented, the HTTP request itself aborted on a
 * timeout or a cancellation, and the API key nowhere in outcomes, events or the journal.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { isRetryableModelError, llmDelegation, llmExecutor, type LlmProgress } from '../../src/ai/index.js';
import { developmentTeam, memoryStore, type OrchestratorEvent, type ProgressEvent } from '../../src/index.js';
import { loopbackProviders } from '../support/chat-server.js';
import { flush, orchestrators } from '../support/helpers.js';

const API_KEY = 'sk-test-0123456789abcdef';
const start = orchestrators({ hierarchy: developmentTeam() });
/** A server and a model that talks to it. */
const provider = loopbackProviders(API_KEY);

/** Everything an organisation says about its work, as one text: outcomes, events and the journal. */
function everythingSaid(outcome: unknown, events: readonly OrchestratorEvent[], journal: unknown): string {
  return JSON.stringify({ outcome, events, journal });
}

describe('llmExecutor over HTTP', () => {
  it('streams the provider\'s SSE deltas as progress, with the key sent only as the bearer token', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'stream', deltas: ['Hel', 'lo, ', 'world'] });
    const org = start({ executors: llmExecutor({ model }) });
    const stream = org.stream({ id: 'hello', type: 'python' });
    const texts: string[] = [];
    for await (const event of stream) if (event.type === 'task.progress') texts.push(((event as ProgressEvent<LlmProgress>).data as { text?: string }).text ?? '');
    expect(await stream.outcome).toMatchObject({ status: 'completed', result: 'Hello, world' });
    expect(texts.join('')).toBe('Hello, world');
    expect(server.requests[0]!.body.stream).toBe(true);
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('a 429 is retried by the agent\'s policy; a 401 is not, and fails with executor_error — the key in no outcome, event or journal entry', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'status', status: 429, body: '{"error":{"message":"slow down"}}' }, { kind: 'text', text: 'done at last' });
    const retrying = start({ executors: llmExecutor({ model }), execution: { retry: { attempts: 2, initialDelayMs: 0, jitter: 0 }, retryable: isRetryableModelError } });
    expect(await retrying.submit({ type: 'python' })).toMatchObject({ status: 'completed', result: 'done at last', attempts: 2 });

    server.script({ kind: 'status', status: 401, body: '{"error":{"message":"invalid api key"}}' });
    const events: OrchestratorEvent[] = [];
    const org = start({ executors: llmExecutor({ model }), store: memoryStore(), execution: { retry: { attempts: 3, initialDelayMs: 0 }, retryable: isRetryableModelError } });
    org.on('*', (event) => events.push(event));
    const outcome = await org.submit({ id: 'denied', type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'executor_error', message: expect.stringContaining('invalid api key') } });
    expect(server.requests).toHaveLength(3); // the 429, its retry, and the one 401: not retried, not reassigned
    expect(everythingSaid(outcome, events, org.journal())).not.toContain(API_KEY);
  });

  it('a 429\'s retry-after (seconds, or retry-after-ms) is how long the agent waits before its retry, within maxDelayMs', async () => {
    const { server, model } = await provider();
    const limited = (headers: Record<string, string>) => ({ kind: 'status', status: 429, body: '{"error":{"message":"slow down"}}', headers: { 'content-type': 'application/json', ...headers } }) as const;
    server.script(limited({ 'retry-after': '3' }), limited({ 'retry-after-ms': '1500' }), limited({ 'retry-after': '3600' }), limited({ 'retry-after': 'soon' }), { kind: 'text', text: 'done at last' });
    for (const streaming of [false, true]) {
      if (streaming) server.script(limited({ 'retry-after': '3' }), { kind: 'text', text: 'done at last' });
      const clock = new SimulatedClock();
      const org = start({ clock, executors: llmExecutor({ model }), execution: { retry: { attempts: 5, initialDelayMs: 100, factor: 1, maxDelayMs: 60_000, jitter: 0 }, retryable: isRetryableModelError } });
      const delays: number[] = [];
      org.on('task.retrying', (event) => delays.push(event.delayMs));
      const outcome = streaming ? org.stream({ type: 'python' }).outcome : org.submit({ type: 'python' });
      const expected = streaming ? [3_000] : [3_000, 1_500, 60_000, 100];
      for (let step = 0; step < 400 && delays.length < expected.length; step++) {
        await flush();
        if (delays.length > 0) clock.increment(60_000);
        await new Promise((resolve) => setImmediate(resolve));
      }
      clock.increment(60_000);
      expect(await outcome).toMatchObject({ status: 'completed', result: 'done at last' });
      expect(delays).toEqual(expected);
    }
  });

  it('malformed JSON, a 500 page and a stream cut off mid-answer each fail the attempt with executor_error', async () => {
    const { server, model } = await provider();
    server.script(
      { kind: 'raw', body: '{"id": "chatcmpl-1", "choices": [' },
      { kind: 'status', status: 500, body: '<html>Internal Server Error</html>', headers: { 'content-type': 'text/html' } },
      { kind: 'drop', deltas: ['half an ans'] },
    );
    const org = start({ executors: llmExecutor({ model }) });
    const first = await org.submit({ type: 'python' });
    const second = await org.submit({ type: 'python' });
    const stream = org.stream({ type: 'python' });
    for await (const _ of stream);
    for (const outcome of [first, second, await stream.outcome]) expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: expect.stringContaining("backend_dev_1's model") } });
  });

  it('isRetryableModelError retries an answer the SDK could not read — a 200 whose body is no JSON, a tool call naming no tool — as a malformed answer', async () => {
    const { server, model } = await provider();
    const nameless = { id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'fake', choices: [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { arguments: '{}' } }] }, finish_reason: 'tool_calls' }] };
    server.script({ kind: 'raw', body: '{"id": "chatcmpl-1", "choices": [' }, { kind: 'raw', body: JSON.stringify(nameless) }, { kind: 'text', text: 'read at last' });
    const org = start({ executors: llmExecutor({ model }), execution: { retry: { attempts: 3, initialDelayMs: 0, jitter: 0 }, retryable: isRetryableModelError } });
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed', result: 'read at last', attempts: 3 });
    expect(server.requests).toHaveLength(3);
  });

  it('an answer the provider cut off at max_tokens (finish_reason "length") fails the attempt instead of passing as the result', async () => {
    const { server, model } = await provider();
    const cut = { id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'fake', choices: [{ index: 0, message: { role: 'assistant', content: 'def main(' }, finish_reason: 'length' }] };
    server.script({ kind: 'raw', body: JSON.stringify(cut) });
    const outcome = await start({ executors: llmExecutor({ model, settings: { maxOutputTokens: 3 } }) }).submit({ type: 'python' });
    expect(outcome.error).toMatchObject({ code: 'executor_error', message: expect.stringContaining('output-token limit'), details: { finishReason: 'length' } });
    expect(server.requests[0]!.body.max_tokens).toBe(3);
  });

  it('an execution timeout on the orchestrator\'s clock aborts the hung HTTP request', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'hang' });
    const clock = new SimulatedClock();
    const org = start({ clock, executors: llmExecutor({ model }), execution: { timeoutMs: 30_000 } });
    const outcome = org.submit({ type: 'python' });
    await server.received(1);
    clock.increment(30_000);
    await server.abortedAt(0);
    expect(await outcome).toMatchObject({ status: 'failed', error: { code: 'executor_timeout' } });
  });

  it('cancelling a task mid-stream aborts its HTTP request; the partial answer is never a result', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'stream', deltas: ['par', 'tial'], end: false });
    const org = start({ executors: llmExecutor({ model }) });
    const stream = org.stream({ id: 'stop-me', type: 'python' });
    for await (const event of stream) if (event.type === 'task.progress') break;
    expect((await org.cancel('stop-me')).status).toBe('cancelled');
    await server.abortedAt(0);
    expect((await org.outcome('stop-me')).result).toBeUndefined();
  });
});

describe('llmDelegation over HTTP', () => {
  it('a manager\'s model naming an agent that is no child falls back, and a model that never answers is abandoned when the task is cancelled', async () => {
    const { server, model } = await provider();
    const fallbacks: string[] = [];
    server.script({ kind: 'text', text: '{"agent":"the_intern","reason":"trust me"}' });
    const org = start({ executors: async () => 'done', strategy: { byRole: { executive: llmDelegation({ model, onFallback: (fallback) => fallbacks.push(fallback.problem) }) } } });
    expect(await org.submit({ type: 'coding' })).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1' });
    expect(fallbacks).toEqual(['unknown_agent']);

    server.script({ kind: 'hang' });
    const waiting = org.submit({ id: 'undecided', type: 'coding' });
    await server.received(2);
    await flush();
    expect((await org.cancel('undecided')).status).toBe('cancelled');
    await server.abortedAt(1);
    await waiting;
  });
});
