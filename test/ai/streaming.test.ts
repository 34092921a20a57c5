import { tool } from 'ai';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { llmExecutor, type LlmProgress } from '../../src/ai/index.js';
import { developmentTeam, type ProgressEvent, type TaskStreamEvent } from '../../src/index.js';
import { deferred, orchestrators } from '../support/helpers.js';
import { streaming, streamToolCall, streamWords } from '../support/mock-model.js';

const start = orchestrators({ hierarchy: developmentTeam() });

async function readAll(stream: AsyncIterable<TaskStreamEvent>): Promise<TaskStreamEvent[]> {
  const read: TaskStreamEvent[] = [];
  for await (const event of stream) read.push(event);
  return read;
}
const llm = (events: readonly TaskStreamEvent[]) =>
  events.filter((event): event is ProgressEvent<LlmProgress> => event.type === 'task.progress').map((event) => event.data);

describe('llmExecutor streams while someone listens', () => {
  it('streams text deltas as progress when followed, and calls generateText when nobody listens', async () => {
    const model = streaming([streamWords(['POST ', '/login', ', POST /logout']), streamWords(['quiet'])]);
    const org = start({ executors: llmExecutor({ model }) });
    const stream = org.stream({ type: 'api_design' });
    const events = await readAll(stream);
    expect(llm(events).filter((data) => data.kind === 'text').map((data) => (data as { text: string }).text)).toEqual(['POST ', '/login', ', POST /logout']);
    expect(llm(events).at(-1)).toMatchObject({ kind: 'step', step: 1, finishReason: 'stop', tokens: 15 });
    expect(await stream.outcome).toMatchObject({ status: 'completed', result: 'POST /login, POST /logout' });
    expect(model.doStreamCalls).toHaveLength(1);

    expect(await org.submit({ type: 'api_design' })).toMatchObject({ status: 'completed', result: 'quiet' });
    expect(model.doGenerateCalls).toHaveLength(1);
    expect(model.doStreamCalls).toHaveLength(1);
  });

  it('streamed too, an answer cut off at the output-token limit fails the attempt', async () => {
    const words = streamWords(['POST ', '/lo']).map((part) => (part.type === 'finish' ? { ...part, finishReason: { unified: 'length' as const, raw: 'length' } } : part));
    const stream = start({ executors: llmExecutor({ model: streaming([words]) }) }).stream({ type: 'api_design' });
    await readAll(stream);
    expect((await stream.outcome).error).toMatchObject({ code: 'executor_error', details: { finishReason: 'length' } });
  });

  it('streamed too, a model whose tool calls keep failing says which failed last', async () => {
    const model = streaming([streamToolCall('lookup', { tabel: 'users' }), streamToolCall('lookup', { table: 7 })]);
    const lookup = tool({ inputSchema: z.object({ table: z.string() }), execute: async () => ({ columns: [] }) });
    const org = start({ executors: llmExecutor({ model, tools: { lookup }, maxSteps: 2 }) });
    const stream = org.stream({ type: 'api_design' });
    const events = await readAll(stream);
    expect(llm(events).filter((data) => data.kind === 'tool-error')).toHaveLength(2);
    expect((await stream.outcome).error?.message).toMatch(/after 2 steps; .* Its last tool call failed \(lookup: Invalid input for tool lookup: /);
  });

  it('reports tool calls and tool results, and streams a typed answer', async () => {
    const model = streaming([streamToolCall('lookup', { table: 'users' }), streamWords(['{"endpoints":', '["GET /users"]}'])]);
    const lookup = tool({ description: 'Look up a table', inputSchema: z.object({ table: z.string() }), execute: async ({ table }) => ({ rows: table.length }) });
    const org = start({ executors: llmExecutor({ model, tools: { lookup }, output: z.object({ endpoints: z.array(z.string()) }) }) });
    const stream = org.stream({ type: 'api_design' });
    const data = llm(await readAll(stream));
    expect(data).toContainEqual(expect.objectContaining({ kind: 'tool-call', toolName: 'lookup', input: { table: 'users' } }));
    expect(data).toContainEqual(expect.objectContaining({ kind: 'tool-result', toolName: 'lookup', output: { rows: 5 } }));
    expect(data.findIndex((item) => item.kind === 'tool-call')).toBeLessThan(data.findIndex((item) => item.kind === 'tool-result'));
    expect((await stream.outcome).result).toEqual({ endpoints: ['GET /users'] });
  });

  it('shows tokens before the task completes (the stream is live, not replayed at the end)', async () => {
    const release = deferred<void>();
    const model = streaming([streamWords(['first ', 'second'])], (_turn, part) => (part >= 3 ? release.promise : undefined));
    const org = start({ executors: llmExecutor({ model }) });
    const stream = org.stream({ type: 'css' });
    const seen: string[] = [];
    for await (const event of stream) {
      if (event.type !== 'task.progress') continue;
      seen.push((event.data as { text: string }).text);
      expect(org.status().activeTasks).toBe(1); // still running: the second word is held back
      release.resolve();
      break;
    }
    expect(seen).toEqual(['first ']);
    expect((await stream.outcome).result).toBe('first second');
  });

  it('charges usage as each step arrives and aborts a stream over budget at once', async () => {
    const lookup = tool({ description: 'Look up', inputSchema: z.object({ table: z.string() }), execute: async () => 'ok' });
    const model = streaming([streamToolCall('lookup', { table: 'users' }, [40, 20]), streamWords(['never'])]);
    const org = start({ executors: llmExecutor({ model, tools: { lookup } }) });
    const stream = org.stream({ type: 'python', budget: { cost: 50 } });
    const events = await readAll(stream);
    const outcome = await stream.outcome;
    expect(outcome.status).toBe('failed');
    expect(JSON.stringify(outcome)).toContain('budget_exceeded');
    expect(model.doStreamCalls).toHaveLength(1); // the second step never started
    expect(llm(events).some((data) => data.kind === 'text')).toBe(false);
    expect(outcome.budget).toMatchObject({ used: { cost: 60 }, limit: { cost: 50 } });
  });

  it('escalates and asks for approval from a streaming model, as it does without streaming', async () => {
    const escalating = streaming([streamToolCall('escalate', { reason: 'policy_decision', message: 'needs a lead' })]);
    const org = start({ executors: { byId: { db_specialist: llmExecutor({ model: escalating }) }, default: async (_task, { agent }) => `decided by ${agent.id}` } });
    const events = await readAll(org.stream({ type: 'sql' }));
    expect(llm(events)).toContainEqual(expect.objectContaining({ kind: 'tool-call', toolName: 'escalate' }));
    const types = events.map((event) => event.type);
    expect(types).toContain('escalation.raised');
    expect(events.at(-1)).toMatchObject({ type: 'task.completed', outcome: { result: 'decided by backend_lead', escalations: [{ message: 'needs a lead' }] } });

    const approving = streaming([streamToolCall('requestApproval', { reason: 'Deletes data.' }), streamWords(['purged'])]);
    const second = start({ executors: llmExecutor({ model: approving }) });
    // Waits for the request itself, not for some number of event-loop turns (the model's stream takes as many as it takes).
    const requested = new Promise<void>((resolve) => second.on('approval.requested', () => resolve()));
    const stream = second.stream({ type: 'python' });
    const read = readAll(stream);
    await requested;
    const [approval] = second.approvals.pending();
    expect(approval).toMatchObject({ reason: 'Deletes data.', requester: 'backend_dev_1' });
    second.approvals.approve(approval!.id, { by: 'api_specialist' });
    const all = await read;
    expect(all.map((event) => event.type)).toEqual(expect.arrayContaining(['approval.requested', 'approval.decided']));
    // The approved run streams too, told it is approved: its words arrive as progress.
    expect(llm(all)).toContainEqual({ kind: 'text', text: 'purged' });
    expect(all.at(-1)).toMatchObject({ type: 'task.completed', outcome: { result: 'purged' } });
    expect(approving.doStreamCalls).toHaveLength(2);
  });

  it('a cancelled task aborts its stream', async () => {
    const model = streaming([streamWords(['a', 'b'])], (_turn, part) => (part >= 3 ? new Promise<void>(() => undefined) : undefined));
    const org = start({ executors: llmExecutor({ model }) });
    const stream = org.stream({ id: 'stop-me', type: 'css' });
    for await (const event of stream) if (event.type === 'task.progress') break;
    expect((await org.cancel('stop-me')).status).toBe('cancelled');
    expect(model.doStreamCalls[0]?.abortSignal?.aborted).toBe(true);
  });
});
