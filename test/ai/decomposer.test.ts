import { APICallError } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { llmDecomposer, type DecisionUsage } from '../../src/ai/index.js';
import { createOrchestrator, developmentTeam, EchelonError, type Orchestrator, type OrchestratorOptions } from '../../src/index.js';
import { answer, answerJson, promptText, responding, scripted, unmetered } from '../support/mock-model.js';

const orgs: Orchestrator[] = [];
const payloads: Record<string, unknown> = {};
const start = (options: Partial<OrchestratorOptions>) => {
  const org = createOrchestrator({
    hierarchy: developmentTeam(),
    executors: async (task, { agent }) => {
      payloads[task.id] = task.payload;
      return agent.id;
    },
    ...options,
  });
  orgs.push(org);
  return org;
};
afterEach(async () => {
  await Promise.all(orgs.splice(0).map((org) => org.stop()));
});

const part = z.object({ feature: z.string(), part: z.enum(['backend', 'frontend']) });
const plan = (...subtasks: Array<{ key: string; type: string; payload: unknown; to: string | null }>) => answerJson({ subtasks });

describe('llmDecomposer: a provider that reports no usage', () => {
  it('fails a split of a task with a cost budget with decomposer_error, saying how to get usage; without a budget the split runs', async () => {
    const split = () => unmetered(plan({ key: 'backend', type: 'backend', payload: { feature: 'login', part: 'backend' }, to: 'backend_lead' }));
    const budgeted = start({ decomposers: { byType: { full_stack_feature: llmDecomposer({ model: scripted(split()), schema: part }) } } });
    expect(await budgeted.submit({ type: 'full_stack_feature', payload: { feature: 'login' }, budget: { cost: 1_000 } })).toMatchObject({
      status: 'failed',
      error: { code: 'decomposer_error', message: expect.stringContaining('reported no token usage, so the task\'s cost budget cannot be counted') },
    });
    const free = start({ decomposers: { byType: { full_stack_feature: llmDecomposer({ model: scripted(split()), schema: part }) } } });
    expect(await free.submit({ type: 'full_stack_feature', payload: { feature: 'login' } })).toMatchObject({ status: 'completed', result: { backend: 'backend_lead' } });
  });
});

describe('llmDecomposer: the model plans the split', () => {
  it('splits a feature into the subtasks the model planned, validated and routed, and joins them', async () => {
    const model = scripted(
      plan(
        { key: 'backend', type: 'backend', payload: { feature: 'login', part: 'backend' }, to: 'backend_lead' },
        { key: 'frontend', type: 'frontend', payload: { feature: 'login', part: 'frontend' }, to: null },
      ),
    );
    const usages: DecisionUsage[] = [];
    const org = start({ decomposers: { byType: { full_stack_feature: llmDecomposer({ model, schema: part, onUsage: (usage) => usages.push(usage) }) } } });
    const outcome = await org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'login' } });
    expect(outcome).toMatchObject({ status: 'completed', result: { backend: 'backend_lead', frontend: 'frontend_lead' } });
    expect(outcome.subtasks?.map((node) => [node.taskId, node.delegationChain])).toEqual([
      ['auth.backend', ['cto', 'backend_lead']],
      ['auth.frontend', ['cto', 'frontend_lead']],
    ]);
    expect(payloads['auth.frontend']).toEqual({ feature: 'login', part: 'frontend' });
    const prompt = promptText(model.doGenerateCalls[0]!);
    expect(prompt).toContain('You are cto (executive, level 0); can do: strategy, architecture, resource_allocation. You split tasks');
    expect(prompt).toContain('Task auth of type "full_stack_feature".');
    expect(prompt).toContain('"feature": "login"');
    expect(prompt).toContain('- backend_lead (manager, level 1); can do: backend, api, database, coordination; their team can do: backend, api, database, coordination, api_design');
    expect(prompt).toContain('Task types you can assign: api, api_design, architecture, backend, coding, components, coordination, css, database');
    // The payload schema reaches the model in the answer format.
    expect(prompt).toContain('"part":{"type":"string","enum":["backend","frontend"]}');
    expect(usages).toMatchObject([{ kind: 'decompose', agent: 'cto', taskId: 'auth', usage: { totalTokens: 15 } }]);
  });

  it('an empty plan keeps the task whole', async () => {
    const model = scripted(answerJson({ subtasks: [] }));
    const org = start({ decomposers: { byId: { cto: llmDecomposer({ model }) } } });
    const outcome = await org.submit({ type: 'architecture' });
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'cto' });
    expect(outcome.subtasks).toBeUndefined();
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it('uses { instructions } payloads by default, and the join and merge you give', async () => {
    const model = scripted(
      plan(
        { key: 'schema', type: 'sql', payload: { instructions: 'add a sessions table' }, to: null },
        { key: 'styles', type: 'css', payload: { instructions: 'style the login page' }, to: 'frontend_lead' },
      ),
    );
    const org = start({ decomposers: { byType: { login: llmDecomposer({ model, merge: (results) => Object.values(results).sort() }) } } });
    const outcome = await org.submit({ id: 'l', type: 'login' });
    expect(outcome.result).toEqual(['db_specialist', 'frontend_dev_1']);
    expect(payloads['l.schema']).toEqual({ instructions: 'add a sessions table' });
  });
});

describe('llmDecomposer: a plan that cannot be used fails the task with decomposer_error', () => {
  const failing = async (turn: ReturnType<typeof answer>, options: { maxSubtasks?: number } = {}) => {
    const org = start({ decomposers: { byType: { full_stack_feature: llmDecomposer({ model: scripted(turn), schema: part, ...options }) } } });
    const outcome = await org.submit({ id: 'f', type: 'full_stack_feature', payload: { feature: 'login' } });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('decomposer_error');
    expect(outcome.error?.message).toMatch(/^Decomposer "llm-decomposer" at cto failed: /);
    return outcome.error!.message;
  };

  it('a subtask nobody can do', async () => {
    const message = await failing(
      plan(
        { key: 'backend', type: 'backend', payload: { feature: 'login', part: 'backend' }, to: null },
        { key: 'infra', type: 'kubernetes', payload: { feature: 'login', part: 'backend' }, to: null },
      ),
    );
    expect(message).toContain(`the model's plan for f cannot be routed: #2 "kubernetes": nobody at or under cto can do "kubernetes".`);
    expect(message).toContain('Task types here: api, api_design, architecture');
  });

  it('a subtask addressed to a hallucinated agent, or to a child whose team cannot do it', async () => {
    const message = await failing(
      plan(
        { key: 'backend', type: 'backend', payload: { feature: 'login', part: 'backend' }, to: 'devops_lead' },
        { key: 'frontend', type: 'css', payload: { feature: 'login', part: 'frontend' }, to: 'backend_lead' },
      ),
    );
    expect(message).toContain(`#1 "backend" is addressed to "devops_lead", who does not report to cto; #2 "css" is addressed to backend_lead, whose team cannot do "css"`);
  });

  it('malformed JSON', async () => {
    const message = await failing(answer('Plan: 1. backend 2. frontend'));
    expect(message).toContain(`the model's plan for f is not usable (malformed)`);
    expect(message).toContain('Its answer began: "Plan: 1. backend 2. frontend"');
  });

  it('a payload that does not match the schema', async () => {
    const message = await failing(plan({ key: 'backend', type: 'backend', payload: { feature: 'login', part: 'database' }, to: null }));
    expect(message).toContain(`is not usable (invalid): No object generated: response did not match schema.`);
  });

  it('more subtasks than allowed', async () => {
    const one = { key: 'a', type: 'backend', payload: { feature: 'login', part: 'backend' }, to: null };
    const message = await failing(plan(one, { ...one, key: 'b' }, { ...one, key: 'c' }), { maxSubtasks: 2 });
    expect(message).toContain('the model split f into 3 subtasks; at most 2 were allowed.');
  });

  it('a failed model call', async () => {
    const model = responding(() => {
      throw new APICallError({ message: 'Service Unavailable', url: 'https://models.example', requestBodyValues: {}, statusCode: 503 });
    });
    const org = start({ decomposers: { byType: { full_stack_feature: llmDecomposer({ model, maxRetries: 0 }) } } });
    const outcome = await org.submit({ id: 'f', type: 'full_stack_feature' });
    expect(outcome.error).toMatchObject({
      code: 'decomposer_error',
      message: 'Decomposer "llm-decomposer" at cto failed: llm-decomposer at cto, splitting "full_stack_feature" (f): the model call failed: Service Unavailable',
    });
  });

  it('refuses bad options', () => {
    expect(() => llmDecomposer({} as never)).toThrow(EchelonError);
    expect(() => llmDecomposer({ model: scripted(), maxSubtasks: 0 })).toThrow(/maxSubtasks must be a whole number/);
  });
});
