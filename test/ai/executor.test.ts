import { tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import * as z from 'zod';
import { llmExecutor } from '../../src/ai/index.js';
import { developmentTeam } from '../../src/index.js';
import { flush, codeOf, orchestrators } from '../support/helpers.js';
import { answer, answerJson, callTool, promptText, scripted, toolNames } from '../support/mock-model.js';

const start = orchestrators({ hierarchy: developmentTeam() });

describe('llmExecutor: the model does the work', () => {
  it('sees the task, its payload, the chain and who it is, and its text is the result', async () => {
    const model = scripted(answer('POST /login, POST /logout'));
    const org = start({ executors: llmExecutor({ model }) });
    const outcome = await org.submit({ id: 'auth', type: 'api_design', payload: { feature: 'user authentication' }, context: { priority: 'high' } });
    expect(outcome).toMatchObject({ status: 'completed', result: 'POST /login, POST /logout', executedBy: 'api_specialist' });
    expect(model.doGenerateCalls).toHaveLength(1);
    const call = model.doGenerateCalls[0]!;
    const prompt = promptText(call);
    expect(prompt).toContain('You are api_specialist (specialist, level 2); can do: api_design, rest, graphql');
    expect(prompt).toContain('Task auth of type "api_design".');
    expect(prompt).toContain('"feature": "user authentication"');
    expect(prompt).toContain('"priority": "high"');
    expect(prompt).toContain('Delegation chain: cto (executive) → backend_lead (manager) → api_specialist (specialist).');
    expect(toolNames(call)).toEqual(['escalate', 'requestApproval']);
    expect(call.maxOutputTokens).toBeUndefined();
  });

  it('takes a custom system prompt (per agent), prompt and sampling settings', async () => {
    const model = scripted(answer('ok'));
    const org = start({
      executors: llmExecutor({
        model,
        system: (agent, task) => `You are ${agent.id}, terse, doing ${task.type}.`,
        prompt: (task, context) => `Do ${task.type} after ${context.chain.length - 1} hand-offs.`,
        settings: { temperature: 0, maxOutputTokens: 64 },
      }),
    });
    await org.submit({ type: 'css' });
    const call = model.doGenerateCalls[0]!;
    expect(promptText(call)).toContain('[system] You are frontend_dev_1, terse, doing css.');
    expect(promptText(call)).toContain('[user] Do css after 3 hand-offs.');
    expect(call).toMatchObject({ temperature: 0, maxOutputTokens: 64 });
  });

  it('returns the typed object when given an output schema', async () => {
    const model = scripted(answerJson({ endpoints: ['/login', '/logout'] }));
    const org = start({ executors: llmExecutor({ model, output: z.object({ endpoints: z.array(z.string()) }) }) });
    const outcome = await org.submit({ type: 'api_design' });
    expect(outcome.result).toEqual({ endpoints: ['/login', '/logout'] });
    expect(model.doGenerateCalls[0]!.responseFormat).toMatchObject({ type: 'json' });
    // Providers in plain JSON mode never see the schema the SDK sends: the instructions carry it.
    expect(promptText(model.doGenerateCalls[0]!)).toContain('"endpoints":{"type":"array"');
  });

  it('uses the agent\'s tools and goes on after their results', async () => {
    const lookups: string[] = [];
    const model = scripted(callTool('lookupSchema', { table: 'users' }), answer('users(id, email) indexed on email'));
    const org = start({
      executors: llmExecutor({
        model,
        tools: {
          lookupSchema: tool({
            description: 'The columns of a table',
            inputSchema: z.object({ table: z.string() }),
            execute: async ({ table }) => {
              lookups.push(table);
              return { columns: ['id', 'email'] };
            },
          }),
        },
      }),
    });
    const outcome = await org.submit({ type: 'sql' });
    expect(outcome.result).toBe('users(id, email) indexed on email');
    expect(lookups).toEqual(['users']);
    expect(toolNames(model.doGenerateCalls[0]!)).toEqual(['lookupSchema', 'escalate', 'requestApproval']);
    expect(promptText(model.doGenerateCalls[1]!)).toContain('tool-result lookupSchema');
  });

  it('fails the attempt clearly when the model is still calling tools after maxSteps', async () => {
    const model = scripted(callTool('ping', {}), callTool('ping', {}));
    const ping = tool({ inputSchema: z.object({}), execute: async () => 'pong' });
    const org = start({ executors: llmExecutor({ model, tools: { ping }, maxSteps: 2 }) });
    const outcome = await org.submit({ type: 'strategy' });
    expect(outcome.error).toMatchObject({ code: 'executor_error', message: expect.stringMatching(/cto's model was still calling tools for "strategy" .* after 2 steps/) });
  });

  it('a model whose tool calls keep failing (malformed arguments) is told apart: the error names the last failure', async () => {
    const model = scripted(callTool('lookupSchema', { tabel: 'users' }), callTool('lookupSchema', { table: 7 }));
    const lookupSchema = tool({ inputSchema: z.object({ table: z.string() }), execute: async () => ({ columns: [] }) });
    const org = start({ executors: llmExecutor({ model, tools: { lookupSchema }, maxSteps: 2 }) });
    const outcome = await org.submit({ type: 'strategy' });
    expect(outcome.error?.message).toMatch(/after 2 steps; raise maxSteps or simplify the task\. Its last tool call failed \(lookupSchema: Invalid input for tool lookupSchema: .+\): check the tool's input schema/);
    expect(outcome.error?.details).toMatchObject({ lastToolError: expect.stringMatching(/^lookupSchema: /) });
  });

  it('refuses bad options with invalid_option', () => {
    const ping = tool({ inputSchema: z.object({}), execute: async () => 'pong' });
    expect(codeOf(() => llmExecutor({ model: scripted(), tools: { escalate: ping } }))).toBe('invalid_option');
    expect(codeOf(() => llmExecutor({ model: scripted(), maxSteps: 0 }))).toBe('invalid_option');
    expect(codeOf(() => llmExecutor({ model: scripted(), tools: { deploy: tool({ inputSchema: z.object({}), needsApproval: true, execute: async () => 'deployed' }) } }))).toBe('invalid_option');
    expect(codeOf(() => llmExecutor({ model: scripted(), tools: { ping, other: tool({ inputSchema: z.object({}), needsApproval: false, execute: async () => 1 }) } }))).toBe('accepted');
    expect(codeOf(() => llmExecutor({} as never))).toBe('invalid_option');
    // A call setting beside the model, where the SDK would never see it, and a misspelt option.
    expect(() => llmExecutor({ model: scripted(), temperature: 0 } as never)).toThrow('"temperature" is not an option: temperature is a call setting of the model: pass it as settings: { temperature }.');
    expect(() => llmExecutor({ model: scripted(), maxStep: 3 } as never)).toThrow(/unknown option "maxStep" — did you mean "maxSteps"\?/);
    expect(codeOf(() => llmExecutor({ model: scripted(), settings: { temperature: 0 } }))).toBe('accepted');
  });
});

describe('llmExecutor: bad model output', () => {
  it('malformed JSON fails the attempt with executor_error saying what came back', async () => {
    const model = scripted(answer('Sure! Here are the endpoints: /login'));
    const org = start({ executors: llmExecutor({ model, output: z.object({ endpoints: z.array(z.string()) }) }) });
    const outcome = await org.submit({ id: 'x', type: 'api_design' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error?.code).toBe('executor_error');
    expect(outcome.error?.message).toContain(`api_specialist's model, working on "api_design" (x), answered with output that does not match the schema`);
    expect(outcome.error?.message).toContain('Its answer began: "Sure! Here are the endpoints: /login"');
  });

  it('JSON of the wrong shape fails too, and the runtime retries it', async () => {
    const clock = new SimulatedClock();
    const model = scripted(answerJson({ endpoints: 'not a list' }), answerJson({ endpoints: ['/login'] }));
    const org = start({
      clock,
      execution: { retry: { attempts: 2, initialDelayMs: 10, jitter: 0 } },
      executors: llmExecutor({ model, output: z.object({ endpoints: z.array(z.string()) }) }),
    });
    const outcome = org.submit({ type: 'api_design' });
    await flush();
    clock.increment(10);
    expect(await outcome).toMatchObject({ status: 'completed', result: { endpoints: ['/login'] }, attempts: 2 });
  });
});

describe('llmExecutor: tool calls become escalations and approvals', () => {
  it('an escalate call escalates the task with the model\'s reason and message; the parent resolves it', async () => {
    const worker = scripted(callTool('escalate', { reason: 'policy_decision', message: 'Dropping the users table needs a lead.' }));
    const org = start({ executors: { byId: { db_specialist: llmExecutor({ model: worker }) }, default: async (_task, { agent }) => `decided by ${agent.id}` } });
    const outcome = await org.submit({ type: 'sql', payload: { statement: 'DROP TABLE users' } });
    expect(outcome).toMatchObject({ status: 'completed', result: 'decided by backend_lead', executedBy: 'backend_lead' });
    expect(outcome.escalations).toHaveLength(1);
    expect(outcome.escalations[0]).toMatchObject({ reason: 'policy_decision', from: 'db_specialist', to: 'backend_lead', message: 'Dropping the users table needs a lead.', status: 'resolved' });
    expect(worker.doGenerateCalls).toHaveLength(1);
  });

  it('an emergency goes straight to the executive', async () => {
    const worker = scripted(callTool('escalate', { reason: 'emergency', message: 'Production is down.' }));
    const org = start({ executors: { byId: { backend_dev_1: llmExecutor({ model: worker }) }, default: async (_task, { agent }) => agent.id } });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'completed', result: 'cto', executedBy: 'cto' });
    expect(outcome.escalations[0]).toMatchObject({ reason: 'emergency', from: 'backend_dev_1', to: 'cto', message: 'Production is down.' });
  });

  it('an escalate call with an invalid reason is sent back to the model, which can correct it', async () => {
    const worker = scripted(
      callTool('escalate', { reason: 'bored', message: 'meh' }),
      callTool('escalate', { reason: 'beyond_capability', message: 'Needs a DBA.' }),
    );
    const org = start({ executors: { byId: { backend_dev_1: llmExecutor({ model: worker }) }, default: async (_task, { agent }) => agent.id } });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome.escalations[0]).toMatchObject({ reason: 'beyond_capability', message: 'Needs a DBA.' });
    expect(promptText(worker.doGenerateCalls[1]!)).toMatch(/tool-result escalate .*bored/s);
  });

  it('a requestApproval call parks the task for approval; once approved the model runs again and finishes', async () => {
    const model = scripted(callTool('requestApproval', { reason: 'This deletes customer data.' }), answer('purged 42 rows'));
    const org = start({ executors: llmExecutor({ model }) });
    const outcome = org.submit({ type: 'python', payload: { job: 'purge inactive customers' } });
    await flush();
    const [approval] = org.approvals.pending();
    expect(approval).toMatchObject({ requester: 'backend_dev_1', approver: 'api_specialist', reason: 'This deletes customer data.', status: 'pending' });
    expect(model.doGenerateCalls).toHaveLength(1);
    org.approvals.approve(approval!.id, { by: 'backend_lead', comment: 'backups checked' });
    const done = await outcome;
    expect(done).toMatchObject({ status: 'completed', result: 'purged 42 rows' });
    expect(done.approvals[0]).toMatchObject({ status: 'approved', decisions: [{ by: 'backend_lead', note: 'backups checked' }] });
    const second = model.doGenerateCalls[1]!;
    expect(toolNames(second)).toEqual(['escalate']);
    expect(promptText(second)).toContain('It has been approved: go ahead.');
  });

  it('a rejected request ends the task rejected, and the model is not called again', async () => {
    const model = scripted(callTool('requestApproval', { reason: 'Touches billing.' }));
    const org = start({ executors: llmExecutor({ model }) });
    const outcome = org.submit({ type: 'css' });
    await flush();
    org.approvals.reject(org.approvals.pending()[0]!.id, { by: 'frontend_lead', reason: 'not now' });
    expect(await outcome).toMatchObject({ status: 'rejected', error: { code: 'rejected' } });
    expect(model.doGenerateCalls).toHaveLength(1);
  });
});
