import { APICallError } from 'ai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { llmDelegation, type DecisionUsage, type DelegationFallback } from '../../src/ai/index.js';
import { defineHierarchy, developmentTeam, EchelonError, loadBalancing, type Task } from '../../src/index.js';
import { flush, delegationContext, orchestrators } from '../support/helpers.js';
import { answer, answerJson, hanging, promptText, responding, scripted, unmetered } from '../support/mock-model.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (_task, { agent }) => agent.id });
afterEach(() => {
  vi.useRealTimers();
});

/** A lead with two workers who can do `job` and one who cannot. */
const team = () =>
  defineHierarchy({
    id: 'lead',
    role: 'manager',
    children: [
      { id: 'ann', role: 'worker', capabilities: ['job'], description: 'backend generalist', skills: { go: 0.9 } },
      { id: 'bob', role: 'worker', capabilities: ['job'], description: 'frontend generalist' },
      { id: 'cid', role: 'worker', capabilities: ['paperwork'] },
    ],
  });

describe('llmDelegation: the manager\'s model picks the child', () => {
  it('offers the children whose teams can do the task, and follows the model\'s pick', async () => {
    const model = scripted(answerJson({ agent: 'frontend_lead', reason: 'It is a UI form.' }));
    const org = start({ strategy: { byId: { cto: llmDelegation({ model }) } } });
    const outcome = await org.submit({ id: 'form', type: 'coding', payload: { feature: 'signup form with validation' } });
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'frontend_dev_1' });
    expect(outcome.delegationChain).toEqual(['cto', 'frontend_lead', 'react_specialist', 'frontend_dev_1']);
    const prompt = promptText(model.doGenerateCalls[0]!);
    expect(prompt).toContain('You are cto (executive, level 0); can do: strategy, architecture, resource_allocation. You delegate work');
    expect(prompt).toContain('Task form of type "coding".');
    expect(prompt).toContain('"feature": "signup form with validation"');
    expect(prompt).toContain('Delegation chain: cto (executive).');
    expect(prompt).toContain(
      '- backend_lead (manager, level 1); can do: backend, api, database, coordination; their team can also do: api_design, rest, graphql, python, coding, sql, optimization; tasks in flight: 0',
    );
    expect(prompt).toContain('- frontend_lead (manager, level 1); can do: frontend, ui, ux, coordination; their team can also do: react, typescript, components, javascript, css, coding');
    expect(prompt).toContain('Answer with the id of exactly one of: backend_lead, frontend_lead.');
  });

  it('never offers a child whose team cannot do the task', async () => {
    const model = scripted(answerJson({ agent: 'bob', reason: 'frontend work' }));
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model }) });
    expect((await org.submit({ type: 'job' })).executedBy).toBe('bob');
    const prompt = promptText(model.doGenerateCalls[0]!);
    expect(prompt).toContain('- ann (worker, level 1) — backend generalist; can do: job; skills: go 0.9; tasks in flight: 0');
    expect(prompt).toContain('Answer with the id of exactly one of: ann, bob.');
    expect(prompt).not.toContain('cid');
  });

  it("charges the call's tokens to the routed task's budget", async () => {
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model: scripted(answerJson({ agent: 'ann', reason: 'go' }, [60, 40])) }) });
    const within = await org.submit({ type: 'job', budget: { cost: 500 } });
    expect(within.budget?.used.cost).toBe(100);
    const org2 = start({ hierarchy: team(), strategy: llmDelegation({ model: scripted(answerJson({ agent: 'ann', reason: 'go' }, [60, 40])) }) });
    expect(await org2.submit({ type: 'job', budget: { cost: 50 } })).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded' } });
  });

  it('a cancelled task aborts the routing call the manager was waiting for', async () => {
    const model = hanging();
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model }) });
    const outcome = org.submit({ id: 'j', type: 'job' });
    await flush();
    expect(model.signals).toHaveLength(1);
    expect(model.signals[0]!.aborted).toBe(false);
    await org.cancel('j');
    expect((await outcome).status).toBe('cancelled');
    expect(model.signals[0]!.aborted).toBe(true);
  });

  it('does not ask the model when only one child can do the task, nor when none can', async () => {
    const model = scripted();
    const org = start({ strategy: llmDelegation({ model }) });
    expect((await org.submit({ type: 'sql' })).delegationChain).toEqual(['cto', 'backend_lead', 'db_specialist']);
    expect((await org.submit({ type: 'strategy' })).executedBy).toBe('cto');
    expect(model.doGenerateCalls).toHaveLength(0);
  });

  it('reports each call\'s usage to onUsage', async () => {
    const usages: DecisionUsage[] = [];
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model: scripted(answerJson({ agent: 'ann', reason: 'go' }, [40, 8])), onUsage: (usage) => usages.push(usage) }) });
    await org.submit({ id: 't1', type: 'job' });
    expect(usages).toMatchObject([{ kind: 'route', agent: 'lead', taskId: 't1', usage: { inputTokens: 40, outputTokens: 8, totalTokens: 48 } }]);
  });
});

describe('llmDelegation: a provider that reports no usage', () => {
  const pick = () => unmetered(answerJson({ agent: 'ann', reason: 'go' }));

  it('fails a task with a cost budget with strategy_error, saying how to get usage, rather than route it for free', async () => {
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model: scripted(pick()) }) });
    expect(await org.submit({ id: 'b', type: 'job', budget: { cost: 1_000 } })).toMatchObject({
      status: 'failed',
      error: { code: 'strategy_error', message: expect.stringContaining('reported no token usage, so the task\'s cost budget cannot be counted'), details: { usage: 'missing' } },
    });
  });

  it('routes a task without a budget, or with a cost function that prices the call, as before', async () => {
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model: scripted(pick()) }) });
    expect(await org.submit({ type: 'job' })).toMatchObject({ status: 'completed', executedBy: 'ann' });
    const priced = start({ hierarchy: team(), strategy: llmDelegation({ model: scripted(pick()), cost: () => 7 }) });
    expect(await priced.submit({ type: 'job', budget: { cost: 1_000 } })).toMatchObject({ status: 'completed', executedBy: 'ann', budget: { used: { cost: 7 } } });
  });
});

describe('llmDelegation: nonsense answers fall back to capability matching', () => {
  it.each([
    ['a hallucinated agent', 'unknown_agent', answerJson({ agent: 'devops_lead', reason: 'they do ops' }), 'the model chose "devops_lead", who does not report to lead'],
    ['the delegating agent itself', 'unknown_agent', answerJson({ agent: 'lead', reason: 'I will do it' }), 'the model chose "lead", who does not report to lead'],
    ['a child that cannot do it', 'not_capable', answerJson({ agent: 'cid', reason: 'cid is free' }), 'the model chose cid, whose team cannot do "job"'],
    ['malformed JSON', 'malformed', answer('{"agent": "bob"'), 'No object generated'],
    ['JSON of the wrong shape', 'invalid', answerJson({ pick: 'bob' }), 'No object generated: response did not match schema.'],
    ['no answer at all', 'empty', answer(''), 'No object generated'],
  ])('%s → %s', async (_case, problem, turn, message) => {
    const fallbacks: DelegationFallback[] = [];
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model: scripted(turn), onFallback: (fallback) => fallbacks.push(fallback) }) });
    const outcome = await org.submit({ id: 'j', type: 'job' });
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'ann' });
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0]).toMatchObject({ agent: 'lead', taskId: 'j', problem, chosen: 'ann' });
    expect(fallbacks[0]!.message).toContain(message);
  });

  it('falls back to the strategy you give', async () => {
    const fallbacks: DelegationFallback[] = [];
    const strategy = llmDelegation({ model: scripted(answerJson({ agent: 'zed', reason: '?' })), fallback: loadBalancing(), onFallback: (fallback) => fallbacks.push(fallback) });
    const candidates = team()
      .children('lead')
      .map((node) => ({ id: node.id, node, capable: node.capabilities.includes('job'), load: node.id === 'ann' ? 3 : 0 }));
    const task = await taskOf('job');
    expect(await strategy.select(task, candidates, delegationContext(team(), 'lead'))).toBe('bob');
    expect(fallbacks[0]).toMatchObject({ problem: 'unknown_agent', answer: '{"agent":"zed","reason":"?"}', chosen: 'bob' });
  });
});

describe('llmDelegation: failed calls fail the task', () => {
  it('an API error fails the task with strategy_error, saying so', async () => {
    const model = responding(() => {
      throw new APICallError({ message: 'Incorrect API key provided', url: 'https://models.example', requestBodyValues: {}, statusCode: 401 });
    });
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model }) });
    const outcome = await org.submit({ id: 'j', type: 'job' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toMatchObject({ code: 'strategy_error', message: 'llm-delegation at lead, routing "job" (j): the model call failed: Incorrect API key provided' });
  });

  it('a key the provider echoes is cut from the strategy_error', async () => {
    const model = responding(() => {
      throw new APICallError({ message: 'Incorrect API key provided: sk-ant-api03-AbCdEf0123456789xyzAbCdEf0123456789. Google said AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUv', url: 'https://models.example', requestBodyValues: {}, statusCode: 401 });
    });
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model }) });
    const outcome = await org.submit({ id: 'j', type: 'job' });
    expect(outcome.error?.message).toBe('llm-delegation at lead, routing "job" (j): the model call failed: Incorrect API key provided: sk-…[redacted]. Google said AIza…[redacted]');
  });

  it('a model that does not answer in time is aborted and fails the task with strategy_error', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const model = hanging();
    const org = start({ hierarchy: team(), strategy: llmDelegation({ model, timeoutMs: 2_000, maxRetries: 0 }) });
    const outcome = org.submit({ id: 'j', type: 'job' });
    await flush();
    expect(org.agentState('lead').state).toBe('delegating');
    vi.advanceTimersByTime(2_000);
    expect((await outcome).error).toMatchObject({ code: 'strategy_error', message: 'llm-delegation at lead, routing "job" (j): the model did not answer within 2000 ms.' });
    expect(model.signals[0]!.aborted).toBe(true);
  });

  it('refuses to be built without a model', () => {
    expect(() => llmDelegation({} as never)).toThrow(EchelonError);
  });
});

/** A real task of this type, as the runtime builds it (from an organisation that just records it). */
async function taskOf(type: string): Promise<Task> {
  const tasks: Task[] = [];
  const org = start({ hierarchy: team(), executors: async () => 'ok' });
  org.on('task.submitted', (event) => tasks.push(event.task));
  await org.submit({ type });
  return tasks[0]!;
}
