import { APICallError, LoadAPIKeyError, RetryError, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import * as z from 'zod';
import { isRetryableModelError, llmExecutor } from '../../src/ai/index.js';
import { developmentTeam, EchelonError, memoryStore } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';
import { answer, callTool, hanging, responding, scripted } from '../support/mock-model.js';

const start = orchestrators({ hierarchy: developmentTeam() });

const ping = tool({ description: 'Checks the database is up', inputSchema: z.object({}), execute: async () => 'pong' });
const apiError = (statusCode: number, message: string) => new APICallError({ message, url: 'https://models.example/v1/chat', requestBodyValues: {}, statusCode });

describe('token usage counts against the task budget', () => {
  it('reports each call\'s total tokens as the task\'s cost', async () => {
    const model = scripted(callTool('ping', {}, [20, 5]), answer('up', [30, 2]));
    const org = start({ executors: llmExecutor({ model, tools: { ping } }) });
    const outcome = await org.submit({ type: 'sql', budget: { cost: 1_000 } });
    expect(outcome.status).toBe('completed');
    expect(outcome.budget?.used.cost).toBe(57);
    expect(outcome.budget?.left.cost).toBe(943);
  });

  it('takes a custom cost function (say, output tokens priced higher)', async () => {
    const model = scripted(answer('up', [100, 10]));
    const org = start({ executors: llmExecutor({ model, cost: (usage) => (usage.inputTokens ?? 0) + 4 * (usage.outputTokens ?? 0) }) });
    expect((await org.submit({ type: 'sql', budget: { cost: 1_000 } })).budget?.used.cost).toBe(140);
  });

  it('over budget, the tool loop stops at once and the task fails with budget_exceeded', async () => {
    const model = scripted(callTool('ping', {}, [20, 5]), callTool('ping', {}, [20, 5]), callTool('ping', {}, [20, 5]), answer('never'));
    const org = start({ executors: llmExecutor({ model, tools: { ping } }) });
    const outcome = await org.submit({ type: 'sql', budget: { cost: 40 } });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('used 50 of cost, over its budget of 40') });
    expect(model.doGenerateCalls).toHaveLength(2);
    expect(outcome.budget?.used.cost).toBe(50);
  });
});

describe('abort and timeout reach the model call', () => {
  it('a timeout (on the simulated clock) aborts the model request and fails the attempt', async () => {
    const clock = new SimulatedClock();
    const model = hanging();
    const org = start({ clock, execution: { timeoutMs: 1_000 }, executors: llmExecutor({ model }) });
    const outcome = org.submit({ type: 'css' });
    await flush();
    expect(model.signals).toHaveLength(1);
    clock.increment(999);
    await flush();
    expect(model.signals[0]!.aborted).toBe(false);
    clock.increment(1);
    expect((await outcome).error).toMatchObject({ code: 'executor_timeout', message: expect.stringContaining('within 1000 ms') });
    expect(model.signals[0]!.aborted).toBe(true);
  });

  it('a cancellation aborts the model request', async () => {
    const model = hanging();
    const org = start({ executors: llmExecutor({ model }) });
    const outcome = org.submit({ id: 'long', type: 'python' });
    await flush();
    expect(model.signals[0]!.aborted).toBe(false);
    await org.cancel('long', 'no longer needed');
    expect((await outcome).status).toBe('cancelled');
    expect(model.signals[0]!.aborted).toBe(true);
  });

  it('a task whose time budget runs out aborts its model request', async () => {
    const clock = new SimulatedClock();
    const model = hanging();
    const org = start({ clock, executors: llmExecutor({ model }) });
    const outcome = org.submit({ type: 'react', budget: { timeMs: 500 } });
    await flush();
    clock.increment(500);
    expect((await outcome).error?.code).toBe('budget_exceeded');
    expect(model.signals[0]!.aborted).toBe(true);
  });
});

describe('an answer the model did not finish', () => {
  const cut = (text: string, reason: 'length' | 'content-filter'): ReturnType<typeof answer> => ({ ...answer(text), finishReason: { unified: reason, raw: reason } });

  it('cut off at the output-token limit fails the attempt and says what to raise, instead of passing as the result', async () => {
    const model = scripted(cut('The endpoints are: POST /lo', 'length'));
    const outcome = await start({ executors: llmExecutor({ model }) }).submit({ id: 'cut', type: 'api_design' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({
      code: 'executor_error',
      message: expect.stringContaining('api_specialist\'s model, working on "api_design" (cut), stopped at its output-token limit'),
      details: { finishReason: 'length' },
    });
    expect(outcome.error?.message).toContain('settings.maxOutputTokens');
  });

  it('isRetryableModelError does not retry a cut-off answer: another attempt stops at the same limit', async () => {
    const model = scripted(cut('The endpoints are: POST /lo', 'length'), answer('never asked'));
    const org = start({ execution: { retry: { attempts: 3, initialDelayMs: 0 }, retryable: isRetryableModelError }, executors: llmExecutor({ model }) });
    expect((await org.submit({ type: 'api_design' })).error).toMatchObject({ code: 'executor_error', details: { finishReason: 'length' } });
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it('with acceptTruncated, a cut-off answer is the result as it is', async () => {
    const model = scripted(cut('The endpoints are: POST /lo', 'length'));
    const outcome = await start({ executors: llmExecutor({ model, acceptTruncated: true }) }).submit({ type: 'api_design' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'The endpoints are: POST /lo' });
  });

  it('a cut-off structured answer says it was cut off, not that it does not match the schema', async () => {
    const model = scripted(cut('{"endpoints": ["GET /us', 'length'));
    const outcome = await start({ executors: llmExecutor({ model, output: z.object({ endpoints: z.array(z.string()) }) }) }).submit({ type: 'api_design' });
    expect(outcome.error?.message).toContain('stopped at its output-token limit');
    expect(outcome.error?.message).not.toContain('acceptTruncated');
  });

  it('an answer stopped by the content filter fails, whatever acceptTruncated says; a retry asks again', async () => {
    const model = scripted(cut('', 'content-filter'), answer('fine'));
    const org = start({ execution: { retry: { attempts: 2, initialDelayMs: 0 } }, executors: llmExecutor({ model, acceptTruncated: true }) });
    const retried: string[] = [];
    org.on('task.retrying', (event) => retried.push(event.error.message));
    expect(await org.submit({ type: 'css' })).toMatchObject({ status: 'completed', result: 'fine', attempts: 2 });
    expect(retried).toEqual([expect.stringContaining("stopped by the provider's content filter")]);
  });

  it('refuses an acceptTruncated that is not a boolean', () => {
    expect(() => llmExecutor({ model: scripted(), acceptTruncated: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('acceptTruncated') }));
  });
});

describe('retries are the runtime\'s', () => {
  it('the SDK does not retry by itself; the agent\'s retry policy calls the model again', async () => {
    const clock = new SimulatedClock();
    let calls = 0;
    const model = responding(() => {
      calls += 1;
      if (calls === 1) throw apiError(503, 'the model is overloaded');
      return answer('done');
    });
    const org = start({ clock, execution: { retry: { attempts: 2, initialDelayMs: 100, jitter: 0 } }, executors: llmExecutor({ model }) });
    const retries: string[] = [];
    org.on('task.retrying', (event) => retries.push(`${event.agent} #${event.attempt}: ${event.error.message}`));
    const outcome = org.submit({ id: 'job', type: 'css' });
    await flush();
    expect(calls).toBe(1);
    expect(retries).toEqual([`frontend_dev_1 #2: frontend_dev_1's model, working on "css" (job), failed: the model is overloaded`]);
    clock.increment(100);
    expect(await outcome).toMatchObject({ status: 'completed', result: 'done', attempts: 2 });
    expect(calls).toBe(2);
  });

  it('a key or token the provider echoes in its error is cut from the task\'s error (it is journaled and shown everywhere)', async () => {
    // Before: "Incorrect API key provided: sk-proj-…" went whole into the outcome, the journal and the live view.
    const model = responding(() => {
      throw apiError(401, 'Incorrect API key provided: sk-proj-Abc123def456ghi789JKLmnoPQRstu012vwx. Request had Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig and api_key=hunter2secret');
    });
    const org = start({ executors: llmExecutor({ model }), store: memoryStore() });
    const outcome = await org.submit({ type: 'css' });
    expect(outcome.error?.message).toContain('Incorrect API key provided: sk-…[redacted]. Request had Authorization: Bearer …[redacted] and api_key=…[redacted]');
    expect(JSON.stringify(await org.journal())).not.toMatch(/Abc123def456|eyJhbGci|hunter2/);
  });

  it('with isRetryableModelError, errors no retry can fix are not retried', async () => {
    const model = responding(() => {
      throw apiError(401, 'Incorrect API key provided');
    });
    const org = start({ execution: { retry: { attempts: 3, initialDelayMs: 0 }, retryable: isRetryableModelError }, executors: llmExecutor({ model }) });
    const outcome = await org.submit({ type: 'css' });
    expect(outcome.error).toMatchObject({ code: 'executor_error', message: expect.stringContaining('Incorrect API key provided') });
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it('isRetryableModelError looks through wrappers', () => {
    const unauthorized = apiError(401, 'no');
    const overloaded = apiError(503, 'busy');
    expect(isRetryableModelError(overloaded)).toBe(true);
    expect(isRetryableModelError(unauthorized)).toBe(false);
    expect(isRetryableModelError(new EchelonError('executor_error', 'wrapped', { cause: unauthorized }))).toBe(false);
    expect(isRetryableModelError(new RetryError({ message: 'gave up', reason: 'errorNotRetryable', errors: [unauthorized] }))).toBe(false);
    expect(isRetryableModelError(new LoadAPIKeyError({ message: 'OPENAI_API_KEY is missing' }))).toBe(false);
    expect(isRetryableModelError(new Error('socket hang up'))).toBe(true);
    const loop = new Error('loop');
    (loop as { cause?: unknown }).cause = loop;
    expect(isRetryableModelError(loop)).toBe(true);
  });
});
