import { readUIMessageStream, type UIMessageChunk } from 'ai';
import { describe, expect, it } from 'vitest';
import { llmExecutor, organisationUIStream, type EchelonUIMessage } from '../../src/ai/index.js';
import { decomposeWith, developmentTeam } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';
import { streaming, streamToolCall, streamWords } from '../support/mock-model.js';

const start = orchestrators({ hierarchy: developmentTeam() });

/** The message a chat UI ends up showing, and every chunk it was sent. */
async function render(stream: ReadableStream<UIMessageChunk>): Promise<{ message: EchelonUIMessage; chunks: UIMessageChunk[] }> {
  const [forMessage, forChunks] = stream.tee();
  let message: EchelonUIMessage | undefined;
  const chunks: UIMessageChunk[] = [];
  const reading = (async () => {
    for await (const chunk of forChunks as unknown as AsyncIterable<UIMessageChunk>) chunks.push(chunk);
  })();
  for await (const next of readUIMessageStream<EchelonUIMessage>({ stream: forMessage as never })) message = next;
  await reading;
  return { message: message!, chunks };
}

describe('organisationUIStream: org.stream() as an AI SDK UI message stream', () => {
  it('shows which agent is speaking, nested by the tree, with its words, tools and the outcome', async () => {
    const backend = streaming([streamToolCall('lookup', { table: 'users' }), streamWords(['schema ', 'ready'])]);
    const frontend = streaming([streamWords(['form ', 'built'])]);
    const { tool } = await import('ai');
    const { z } = await import('zod');
    const lookup = tool({ description: 'Look up', inputSchema: z.object({ table: z.string() }), execute: async () => ({ columns: 3 }) });
    const org = start({
      decomposers: { byType: { feature: decomposeWith('feature', () => [{ key: 'db', type: 'sql' }, { key: 'ui', type: 'css' }]) } },
      executors: { byId: { db_specialist: llmExecutor({ model: backend, tools: { lookup } }), frontend_dev_1: llmExecutor({ model: frontend }) }, default: () => 'ok' },
    });
    const { message, chunks } = await render(organisationUIStream(org.stream({ id: 'login', type: 'feature' }), { messageId: 'm1' }));
    expect(message.id).toBe('m1');
    const agents = message.parts.filter((part) => part.type === 'data-agent').map((part) => part.data);
    expect(agents.map((agent) => [agent.agent, agent.path, agent.status]).sort()).toEqual([
      ['db_specialist', ['login', 'login.db'], 'done'],
      ['frontend_dev_1', ['login', 'login.ui'], 'done'],
    ]);
    const texts = message.parts.filter((part) => part.type === 'text').map((part) => part.text).sort();
    expect(texts).toEqual(['form built', 'schema ready']);
    const toolPart = message.parts.find((part) => part.type === 'dynamic-tool');
    expect(toolPart).toMatchObject({ toolName: 'lookup', state: 'output-available', input: { table: 'users' }, output: { columns: 3 } });
    const outcome = message.parts.find((part) => part.type === 'data-outcome');
    expect(outcome?.data).toMatchObject({ taskId: 'login', status: 'completed' });
    // Lifecycle events are sent, transient (not kept in the message); the stream ends with finish.
    expect(chunks.some((chunk) => chunk.type === 'data-event' && (chunk as { transient?: boolean }).transient === true)).toBe(true);
    expect(message.parts.some((part) => part.type === 'data-event')).toBe(false);
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
  });

  it('shows a part whose executor failed as failed, and one cancelled as failed, not done', async () => {
    let uiSpoke!: () => void;
    const spoken = new Promise<void>((resolve) => (uiSpoke = resolve));
    const org = start({
      decomposers: { byType: { feature: decomposeWith('feature', () => [{ key: 'db', type: 'sql' }, { key: 'ui', type: 'css' }]) } },
      executors: async (task, { progress, signal }) => {
        progress(`${task.type} half`);
        // The UI part waits until it is cancelled; the database part fails once both have spoken.
        if (task.type === 'css') {
          uiSpoke();
          return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        }
        await spoken;
        throw new Error('disk full');
      },
    });
    const { message } = await render(organisationUIStream(org.stream({ id: 'signup', type: 'feature' })));
    const agents = message.parts.filter((part) => part.type === 'data-agent').map((part) => [part.data.agent, part.data.status]);
    expect(agents.sort()).toEqual([
      ['db_specialist', 'failed'],
      ['frontend_dev_1', 'failed'],
    ]);
    expect(message.parts.find((part) => part.type === 'data-outcome')?.data).toMatchObject({ status: 'failed' });
  });

  it('ends a failed task with its outcome and finishReason error', async () => {
    const org = start({ executors: () => { throw new Error('no disk'); } });
    const { message, chunks } = await render(organisationUIStream(org.stream({ type: 'css' }), { events: false }));
    expect(message.parts.find((part) => part.type === 'data-outcome')?.data).toMatchObject({ status: 'failed' });
    expect(chunks.some((chunk) => chunk.type === 'data-event')).toBe(false);
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'error' });
  });

  it('reads the task stream as its reader asks: a slow reader\'s progress is dropped in the stream\'s bounded buffer, not piled up here; cancel stops following', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const org = start({
      executors: async (task, context) => {
        for (let i = 0; i < 200; i++) {
          context.progress(`w${i} `);
          await flush(1);
        }
        await gate;
        return 'ok';
      },
    });
    const slow = organisationUIStream(org.stream({ id: 'chatty', type: 'python' }, { bufferSize: 10 })).getReader();
    expect((await slow.read()).value).toMatchObject({ type: 'start' });
    release();
    await org.outcome('chatty');
    const rest: UIMessageChunk[] = [];
    for (let next = await slow.read(); !next.done; next = await slow.read()) rest.push(next.value);
    // 200 words were said while nobody read: the oldest were dropped, at most the buffer's worth (and the one in hand) remain.
    expect(rest.filter((chunk) => chunk.type === 'text-delta').length).toBeLessThanOrEqual(12);
    expect(rest.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });

    // A reader that cancels (a chat page closed) stops following the task: its executor no longer streams for it.
    const heard: boolean[] = [];
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => (resume = resolve));
    const later = start({
      executors: async (_task, context) => {
        heard.push(context.streaming);
        await paused;
        heard.push(context.streaming);
        return 'ok';
      },
    });
    const reader = organisationUIStream(later.stream({ id: 'left', type: 'python' })).getReader();
    await reader.read();
    while (heard.length < 1) await flush(1);
    await reader.cancel();
    resume();
    expect((await later.outcome('left')).status).toBe('completed');
    expect(heard).toEqual([true, false]);
  });

  it('refuses, at the door, what is no task stream and an unknown or misspelt option (invalid_option)', async () => {
    const org = start({ executors: async () => 'done' });
    const refused = (call: () => unknown) => {
      try {
        call();
      } catch (error) {
        return `${(error as { code?: string }).code}: ${(error as Error).message}`;
      }
      return 'accepted';
    };
    for (const value of [undefined, null, 42, {}]) expect(refused(() => organisationUIStream(value as never))).toMatch(/^invalid_option: organisationUIStream takes a task's stream/);
    const stream = org.stream({ type: 'python' });
    expect(refused(() => organisationUIStream(stream, { messageID: 'm1' } as never))).toMatch(/^invalid_option: .*unknown option "messageID" — did you mean "messageId"/);
    expect(refused(() => organisationUIStream(stream, { messageId: 'm1' }))).toBe('accepted');
  });
});
