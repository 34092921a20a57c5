/**
 * An executor's failure travels with its task: every later escalation names it (message and
 * `error`) and the outcome ends with it — no "nobody below it can" when capable agents failed.
 * A failure a retry cannot fix is not reassigned to siblings that would fail the same way, unless
 * the default policy is told to (`reassignNonRetryable`).
 */
import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { isRetryableModelError, llmExecutor } from '../../src/ai/index.js';
import { defaultEscalationPolicy, developmentTeam, type Escalation } from '../../src/index.js';
import { deferred, orchestrators } from '../support/helpers.js';
import { responding } from '../support/mock-model.js';
import { leadWithTwoWorkers } from '../support/hierarchies.js';

const start = orchestrators({ hierarchy: developmentTeam() });

const pair = leadWithTwoWorkers;

const unauthorized = () => new APICallError({ message: 'Incorrect API key provided', url: 'https://models.example/v1/chat', requestBodyValues: {}, statusCode: 401 });

describe("the executor's error travels with every later escalation", () => {
  it('ancestors escalate with the cause in message and error, never "nobody below it can"; the outcome ends with it', async () => {
    const org = start({ execution: { retry: { attempts: 2, initialDelayMs: 0 } }, executors: async () => Promise.reject(new Error('segfault')) });
    const raised: Escalation[] = [];
    org.on('escalation.raised', (event) => void raised.push(event.escalation));
    const outcome = await org.submit({ id: 't', type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'executor_error', message: 'segfault' }, executedBy: 'backend_dev_1', attempts: 2 });
    expect(outcome.escalations.map((escalation) => [escalation.reason, escalation.from, escalation.error?.message])).toEqual([
      ['execution_failed', 'backend_dev_1', 'segfault'],
      ['beyond_capability', 'api_specialist', 'segfault'],
      ['beyond_capability', 'backend_lead', 'segfault'],
    ]);
    for (const escalation of [...outcome.escalations.slice(1), ...raised.slice(1)]) {
      expect(escalation.message).toMatch(/after backend_dev_1 failed it: segfault/);
      expect(escalation.message).not.toMatch(/nobody below it can/);
    }
    expect(raised.map((escalation) => escalation.error?.code)).toEqual(['executor_error', 'executor_error', 'executor_error']);
  });

  it('a person asked at the top sees the cause', async () => {
    const asked = deferred<Escalation>();
    const org = start({ executors: async () => Promise.reject(new Error('segfault')), onEscalation: (escalation) => void asked.resolve(escalation) });
    const outcome = org.submit({ id: 't', type: 'python' });
    const escalation = await asked.promise;
    expect(escalation).toMatchObject({ to: 'human', from: 'cto', error: { message: 'segfault' }, message: expect.stringMatching(/backend_dev_1 failed it: segfault/) });
    org.escalations.resolve(escalation.id, { fail: 'fix the build first', by: 'alice' });
    expect((await outcome).status).toBe('failed');
  });

  it('a task stopped by the escalation limit still names the failure it started with', async () => {
    const org = start({ limits: { maxEscalations: 1 }, executors: async () => Promise.reject(new Error('segfault')) });
    const outcome = await org.submit({ id: 't', type: 'python' });
    expect(outcome.error).toMatchObject({ code: 'escalation_unresolved', details: { cause: { code: 'executor_error', message: 'segfault' } } });
    expect(outcome.error?.message).toMatch(/It started with backend_dev_1 failing it: segfault/);
  });

  it('a task without a failure still says nobody can do it', async () => {
    const org = start({ executors: async () => 'ok' });
    const outcome = await org.submit({ id: 'q', type: 'quantum_computing' }, { at: 'backend_dev_1' });
    expect(outcome.error?.code).toBe('unroutable');
    expect(outcome.escalations[0]?.message).toMatch(/nobody below it can/);
    expect(outcome.escalations[0]?.error).toBeUndefined();
  });
});

describe('an error a retry cannot fix is not reassigned', () => {
  it('a 401 from the model (isRetryableModelError): the sibling sharing the key is not tried; the task fails with the 401', async () => {
    const model = responding(() => {
      throw unauthorized();
    });
    const org = start({ hierarchy: pair(), execution: { retry: { attempts: 3, initialDelayMs: 0 }, retryable: isRetryableModelError }, executors: llmExecutor({ model }) });
    const outcome = await org.submit({ id: 'j', type: 'job' });
    expect(outcome).toMatchObject({ status: 'failed', executedBy: 'w1', error: { code: 'executor_error', message: expect.stringContaining('Incorrect API key provided') } });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(outcome.escalations).toEqual([]);
  });

  it('any error the retryable option refuses: not reassigned; a retryable one still is', async () => {
    const calls: string[] = [];
    const org = start({
      hierarchy: pair(),
      execution: { retryable: (error) => !(error instanceof Error && error.message.startsWith('permanent')) },
      executors: async (task, { agent }) => {
        calls.push(`${task.rootId}@${agent.id}`);
        if (agent.id === 'w1') throw new Error(`${task.id === 'p' ? 'permanent' : 'transient'} failure`);
        return 'w2 did it';
      },
    });
    expect(await org.submit({ id: 'p', type: 'job' })).toMatchObject({ status: 'failed', executedBy: 'w1', error: { message: 'permanent failure' } });
    expect(await org.submit({ id: 'r', type: 'job' })).toMatchObject({ status: 'completed', executedBy: 'w2' });
    expect(calls).toEqual(['p@w1', 'r@w1', 'r@w2']);
  });

  it('with onEscalation, it goes to a person with its error instead', async () => {
    const asked = deferred<Escalation>();
    const org = start({
      hierarchy: pair(),
      execution: { retryable: () => false },
      executors: { byId: { w1: async () => Promise.reject(new Error('bad request')), w2: async () => 'unused' } },
      onEscalation: (escalation) => void asked.resolve(escalation),
    });
    const outcome = org.submit({ id: 'h', type: 'job' });
    expect(await asked.promise).toMatchObject({ reason: 'execution_failed', from: 'w1', to: 'human', error: { message: 'bad request' } });
    org.escalations.resolve((await asked.promise).id, { assignTo: 'w2', by: 'alice' });
    expect(await outcome).toMatchObject({ status: 'completed', executedBy: 'w2' });
  });

  it('reassignNonRetryable: true keeps reassigning it, and the cause still travels', async () => {
    const org = start({
      hierarchy: pair(),
      escalation: defaultEscalationPolicy({ reassignNonRetryable: true }),
      execution: { retryable: isRetryableModelError },
      executors: { byId: { w1: async () => Promise.reject(unauthorized()), w2: async () => 'done' } },
    });
    const outcome = await org.submit({ id: 'k', type: 'job' });
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'w2', result: 'done' });
    expect(outcome.escalations).toMatchObject([{ reason: 'execution_failed', from: 'w1', to: 'lead', status: 'resolved', error: { message: 'Incorrect API key provided' } }]);
  });
});
