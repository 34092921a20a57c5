/**
 * `echelon/ai` against a hostile HTTP provider: a stream gone silent after a few deltas, a server
 * that never sends its headers, one that resets the socket at once, one that trickles a byte at a
 * time — each task ends once, on the orchestrator's (simulated) clock, its HTTP request aborted —
 * and a model that rambles for megabytes, whose words an error quotes only in part.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { z } from 'zod';
import { isRetryableModelError, llmApprover, llmDecomposer, llmDelegation, llmExecutor, organisationUIStream } from '../../src/ai/index.js';
import { developmentTeam, type ProgressEvent } from '../../src/index.js';
import { loopbackProviders, type Reply } from '../support/chat-server.js';
import { flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });
const provider = loopbackProviders('sk-test');

/** A task whose provider answers `reply` is ended by the execution timeout (simulated), its request aborted. */
async function endedByTimeout(reply: Reply, streaming: boolean) {
  const { server, model } = await provider();
  server.script(reply);
  const clock = new SimulatedClock();
  const org = start({ clock, executors: llmExecutor({ model }), execution: { timeoutMs: 30_000 } });
  if (streaming) org.onProgress(() => undefined);
  const outcome = org.submit({ type: 'python' });
  await server.received(1);
  await flush();
  clock.increment(30_000);
  expect(await outcome).toMatchObject({ status: 'failed', error: { code: 'executor_timeout' } });
  await server.abortedAt(0);
}

describe('llmExecutor over a stalling HTTP provider', () => {
  it('a stream that goes silent after a few deltas is ended by the execution timeout, its request aborted, no progress after the outcome', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'stream', deltas: ['one ', 'two '], end: false });
    const clock = new SimulatedClock();
    const org = start({ clock, executors: llmExecutor({ model }), execution: { timeoutMs: 30_000 } });
    const progress: ProgressEvent[] = [];
    let ended = false;
    org.onProgress((event) => {
      if (ended) throw new Error('progress after the outcome');
      progress.push(event);
    });
    const outcome = org.submit({ id: 'silent', type: 'python' });
    while (progress.length < 2) await flush();
    clock.increment(30_000);
    const done = await outcome;
    ended = true;
    expect(done).toMatchObject({ status: 'failed', error: { code: 'executor_timeout' } });
    await server.abortedAt(0);
    await flush(20);
  });

  it('a server that never sends headers is ended by the timeout (streaming)', () => endedByTimeout({ kind: 'silent' }, true));

  it('a server that never sends headers is ended by the timeout (not streaming)', () => endedByTimeout({ kind: 'silent' }, false));

  it('a socket reset at once fails the attempt with executor_error, streaming or not', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'reset' }, { kind: 'reset' });
    const org = start({ executors: llmExecutor({ model }) });
    const quiet = await org.submit({ type: 'python' });
    expect(quiet).toMatchObject({ status: 'failed', error: { code: 'executor_error' } });
    expect(quiet.error!.message).toContain('Cannot connect to API: other side closed');
    org.onProgress(() => undefined);
    const loud = await org.submit({ type: 'python' });
    expect(loud).toMatchObject({ status: 'failed', error: { code: 'executor_error' } });
  });

  it('a slow-loris trickle is ended by the timeout, its request aborted', () => endedByTimeout({ kind: 'trickle', deltas: ['a long answer'], everyMs: 5 }, true));

  it('a stream trickled a byte at a time, multi-byte characters split across writes, arrives whole', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'trickle', deltas: ['héllo ', 'wörld ', '日本語 ', '😀'], everyMs: 1 });
    const org = start({ executors: llmExecutor({ model }) });
    const texts: string[] = [];
    org.onProgress((event) => void texts.push((event.data as { text?: string }).text ?? ''));
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed', result: 'héllo wörld 日本語 😀' });
    expect(texts.join('')).toBe('héllo wörld 日本語 😀');
  });

  it('an error the provider sends mid-stream (an SSE error chunk) is the attempt\'s error, in its words', async () => {
    const { server, model } = await provider();
    const sse = (data: object) => `data: ${JSON.stringify(data)}\n\n`;
    server.script({ kind: 'raw', body: `${sse({ choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] })}${sse({ error: { message: 'Provider overloaded', code: 502 } })}data: [DONE]\n\n` });
    const org = start({ executors: llmExecutor({ model }) });
    org.onProgress(() => undefined);
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: expect.stringContaining('failed: Provider overloaded') } });
  });

  it('stop() during a stream aborts the request', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'stream', deltas: ['par', 'tial'], end: false });
    const org = start({ executors: llmExecutor({ model }) });
    const stream = org.stream({ id: 'x', type: 'python' });
    for await (const event of stream) if (event.type === 'task.progress') break;
    await org.stop();
    await server.abortedAt(0);
    await expect(stream.outcome).rejects.toMatchObject({ code: 'orchestrator_stopped' });
  });
});

describe('decisions from a stalling provider', () => {
  it('an approver whose server never sends headers gives up after its timeoutMs, aborts the request, and leaves the request to a person', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'silent' });
    const faults: Array<{ code: string; message: string }> = [];
    const org = start({ executors: async () => 'done', approvals: { approvers: { byRole: { specialist: llmApprover({ model, policy: 'Approve what has tests.', timeoutMs: 1_000, maxRetries: 0 }) } } } });
    org.on('agent.fault', ({ error }) => faults.push(error));
    const outcome = org.submit({ id: 'risky', type: 'python', approval: { reason: 'risky' } });
    while (faults.length === 0) await flush();
    expect(faults[0]).toMatchObject({ code: 'policy_error', message: expect.stringContaining('did not answer within 1000 ms') });
    // A decision's timeout is real time: on a busy machine it may fire before the request is even read.
    if (server.requests.length > 0) await server.abortedAt(0);
    const [pending] = org.approvals.pending();
    org.approvals.approve(pending!.id, { by: 'api_specialist' });
    expect(await outcome).toMatchObject({ status: 'completed', result: 'done' });
  });
});

describe('a provider that reports no usage', () => {
  it('a streamed answer without usage fails a task with a cost budget, saying how to get usage, and is not retried', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'openai-stream', deltas: ['counted ', 'for nothing'] });
    const org = start({ executors: llmExecutor({ model }), execution: { retry: { attempts: 3, initialDelayMs: 0 }, retryable: isRetryableModelError } });
    org.onProgress(() => undefined);
    const outcome = await org.submit({ type: 'python', budget: { cost: 1_000 } });
    expect(outcome).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'executor_error', message: expect.stringContaining('includeUsage: true'), details: { usage: 'missing' } } });
    expect(server.requests).toHaveLength(1);
  });

  it('with includeUsage the provider asks for usage and the budget counts it; without a budget, no usage is no failure', async () => {
    const { server } = await provider();
    const counted = createOpenAICompatible({ name: 'loopback', baseURL: server.baseURL, apiKey: 'sk-test', includeUsage: true }).chatModel('loopback-model');
    const uncounted = createOpenAICompatible({ name: 'loopback', baseURL: server.baseURL, apiKey: 'sk-test' }).chatModel('loopback-model');
    server.script({ kind: 'openai-stream', deltas: ['counted'] }, { kind: 'openai-stream', deltas: ['free'] });
    const withUsage = start({ executors: llmExecutor({ model: counted }) });
    withUsage.onProgress(() => undefined);
    expect(await withUsage.submit({ type: 'python', budget: { cost: 1_000 } })).toMatchObject({ status: 'completed', result: 'counted', budget: { used: { cost: 15 } } });
    const withoutBudget = start({ executors: llmExecutor({ model: uncounted }) });
    withoutBudget.onProgress(() => undefined);
    expect(await withoutBudget.submit({ type: 'python' })).toMatchObject({ status: 'completed', result: 'free' });
  });
});

describe('cancelled mid-stream', () => {
  it('no progress arrives after a cancelled task\'s outcome while the server keeps sending, and its UI stream finishes with the outcome', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'trickle', deltas: Array.from({ length: 200 }, (_, i) => `word${i} `), everyMs: 1 });
    const org = start({ executors: llmExecutor({ model }) });
    let settled = false;
    const late: ProgressEvent[] = [];
    org.onProgress((event) => void (settled && late.push(event)));
    const chunks: Array<{ type: string; data?: unknown }> = [];
    const reading = (async () => {
      for await (const chunk of organisationUIStream(org.stream({ id: 'chatty', type: 'python' }))) chunks.push(chunk as { type: string });
    })();
    while (!chunks.some((chunk) => chunk.type === 'text-delta')) await flush();
    expect((await org.cancel('chatty')).status).toBe('cancelled');
    settled = true;
    await server.abortedAt(0);
    await reading;
    await flush(20);
    expect(late).toEqual([]);
    expect(chunks.at(-1)).toMatchObject({ type: 'finish', finishReason: 'error' });
    expect(chunks.find((chunk) => chunk.type === 'data-outcome')).toMatchObject({ data: { taskId: 'chatty', status: 'cancelled' } });
  });
});

describe('what a model says, in errors', () => {
  const prose = `${'Well, '.repeat(20_000)}I would pick the backend`;

  it('a decision model that answers 120,000 characters of prose fails with a message of bounded size that still says why', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'text', text: prose }, { kind: 'text', text: prose }, { kind: 'text', text: prose });
    const fallbacks: string[] = [];
    const faults: string[] = [];
    const org = start({
      executors: async () => 'done',
      strategy: { byRole: { executive: llmDelegation({ model, onFallback: (fallback) => fallbacks.push(fallback.message) }) } },
      decomposers: { byType: { full_stack_feature: llmDecomposer({ model }) } },
      approvals: { approvers: { byRole: { specialist: llmApprover({ model, policy: 'Approve what has tests.' }) } } },
    });
    org.on('agent.fault', ({ error }) => faults.push(error.message));
    expect(await org.submit({ type: 'coding' })).toMatchObject({ status: 'completed' });
    const split = await org.submit({ type: 'full_stack_feature' });
    expect(split).toMatchObject({ status: 'failed', error: { code: 'decomposer_error' } });
    const asking = org.submit({ id: 'risky', type: 'python', approval: { reason: 'risky' } });
    while (faults.length === 0) await flush();
    await org.cancel('risky');
    await asking;
    for (const message of [fallbacks[0]!, split.error!.message, faults[0]!]) {
      expect(message.length).toBeLessThan(2_000);
      expect(message).toContain('Unexpected token'); // why it failed comes after the text: it is kept
      expect(message).toContain('characters cut');
    }
  });

  it('a decision in one markdown code fence, as small models write it, is read as the JSON it holds — and still validated', async () => {
    const { server, model } = await provider();
    const fenced = (json: object) => ({ kind: 'text' as const, text: `\`\`\`json\n${JSON.stringify(json)}\n\`\`\`` });
    server.script(fenced({ agent: 'frontend_lead', reason: 'UI work' }), fenced({ agent: 'the_intern', reason: 'trust me' }), fenced({ decision: 'approve', reason: 'It has tests.' }));
    const fallbacks: string[] = [];
    const org = start({
      executors: async () => 'done',
      strategy: { byRole: { executive: llmDelegation({ model, onFallback: (fallback) => fallbacks.push(fallback.problem) }) } },
      approvals: { approvers: { byRole: { specialist: llmApprover({ model, policy: 'Approve what has tests.' }) } } },
    });
    expect(await org.submit({ type: 'coding' })).toMatchObject({ status: 'completed', delegationChain: ['cto', 'frontend_lead', expect.any(String), expect.any(String)] });
    expect(await org.submit({ type: 'coding' })).toMatchObject({ status: 'completed' });
    expect(fallbacks).toEqual(['unknown_agent']);
    expect(await org.submit({ type: 'python', approval: { reason: 'risky' } })).toMatchObject({ status: 'completed', approvals: [{ decisions: [{ decision: 'approved', note: 'It has tests.' }] }] });
  });

  it('a typed answer in one markdown code fence is the result, streamed or not; a fenced answer that does not match still fails', async () => {
    const { server, model } = await provider();
    const fenced = (json: object) => ({ kind: 'text' as const, text: `\`\`\`json\n${JSON.stringify(json)}\n\`\`\`` });
    server.script(fenced({ endpoints: ['/login'] }), fenced({ endpoints: ['/reset'] }), fenced({ endpoints: 'all of them' }));
    const org = start({ executors: llmExecutor({ model, output: z.object({ endpoints: z.array(z.string()) }) }) });
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed', result: { endpoints: ['/login'] } });
    expect(await org.submit({ type: 'python' }, { onProgress: () => undefined })).toMatchObject({ status: 'completed', result: { endpoints: ['/reset'] } });
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: expect.stringContaining('does not match the schema') } });
  });

  it('a plan the model stopped writing at its output-token limit says it was cut off and what to raise', async () => {
    const { server, model } = await provider();
    const cut = { id: 'c', object: 'chat.completion', created: 0, model: 'fake', choices: [{ index: 0, message: { role: 'assistant', content: '{"subtasks":[{"key":"back' }, finish_reason: 'length' }] };
    server.script({ kind: 'raw', body: JSON.stringify(cut) });
    const split = await start({ executors: async () => 'done', decomposers: { byType: { full_stack_feature: llmDecomposer({ model }) } } }).submit({ type: 'full_stack_feature' });
    expect(split).toMatchObject({ status: 'failed', error: { code: 'decomposer_error' } });
    expect(split.error!.message).toContain('output-token limit');
    expect(split.error!.message).toContain('settings.maxOutputTokens');
  });

  it('a decision model that answers with a tool call instead of JSON says so in one sentence', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'tool', name: 'plan', args: '{}' });
    const split = await start({ executors: async () => 'done', decomposers: { byType: { full_stack_feature: llmDecomposer({ model }) } } }).submit({ type: 'full_stack_feature' });
    expect(split).toMatchObject({ status: 'failed', error: { code: 'decomposer_error' } });
    expect(split.error!.message).toMatch(/\(empty\): No output generated\.$/);
  });

  it('a structured answer of 120,000 characters of prose fails the executor with a message of bounded size', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'text', text: prose });
    const outcome = await start({ executors: llmExecutor({ model, output: z.object({ endpoints: z.array(z.string()) }) }) }).submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error' } });
    expect(outcome.error!.message.length).toBeLessThan(2_000);
    expect(outcome.error!.message).toContain('Unexpected token');
  });

  it('a stream chunk of 120,000 characters that is not JSON fails the executor with a message of bounded size', async () => {
    const { server, model } = await provider();
    server.script({ kind: 'raw', body: `data: {"choices":[{"delta":{"content":"${prose}"}}\n\n` });
    const org = start({ executors: llmExecutor({ model }) });
    org.onProgress(() => undefined);
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error' } });
    expect(outcome.error!.message.length).toBeLessThan(2_000);
  });
});
