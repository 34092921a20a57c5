/**
 * Scripted language models for the echelon/ai suites, on the AI SDK's own `MockLanguageModelV3`:
 * answers (text, JSON, tool calls) with token usage, and the prompts each call received, as text.
 */
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

export type CallOptions = Parameters<MockLanguageModelV3['doGenerate']>[0];
export type GenerateResult = Awaited<ReturnType<MockLanguageModelV3['doGenerate']>>;

/** Token usage as a provider reports it (the SDK totals it: `input + output`). */
export function usage(input = 10, output = 5): GenerateResult['usage'] {
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
  };
}

/** The same turn with no token usage at all, as a provider that reports none answers. */
export function unmetered(turn: GenerateResult): GenerateResult {
  return {
    ...turn,
    usage: { inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined, cacheWrite: undefined }, outputTokens: { total: undefined, text: undefined, reasoning: undefined } },
  };
}

/** A model turn that answers with text (JSON is text too). */
export function answer(text: string, tokens: [number, number] = [10, 5]): GenerateResult {
  return { content: [{ type: 'text', text }], finishReason: { unified: 'stop', raw: undefined }, usage: usage(...tokens), warnings: [] };
}

/** A model turn that answers with a JSON value. */
export function answerJson(value: unknown, tokens: [number, number] = [10, 5]): GenerateResult {
  return answer(JSON.stringify(value), tokens);
}

let nextCallId = 0;

/** A model turn that calls one tool. */
export function callTool(toolName: string, input: unknown, tokens: [number, number] = [10, 5]): GenerateResult {
  nextCallId += 1;
  return {
    content: [{ type: 'tool-call', toolCallId: `call-${nextCallId}`, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: 'tool-calls', raw: undefined },
    usage: usage(...tokens),
    warnings: [],
  };
}

/** A model that gives these turns in order, one per call (and fails loudly when it runs out). */
export function scripted(...turns: GenerateResult[]): MockLanguageModelV3 {
  let index = 0;
  return new MockLanguageModelV3({
    doGenerate: async () => {
      const turn = turns[index++];
      if (turn === undefined) throw new Error(`the scripted model was called ${index} times but has only ${turns.length} turns`);
      return turn;
    },
  });
}

/** A model that answers each call with `respond(call)`. */
export function responding(respond: (call: CallOptions) => GenerateResult | Promise<GenerateResult>): MockLanguageModelV3 {
  return new MockLanguageModelV3({ doGenerate: async (call) => respond(call) });
}

/** A model whose calls never finish on their own: they reject when their abort signal fires. Records the signals. */
export function hanging(): MockLanguageModelV3 & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  const model = new MockLanguageModelV3({
    doGenerate: (call) =>
      new Promise<GenerateResult>((_resolve, reject) => {
        const signal = call.abortSignal;
        if (signal === undefined) return reject(new Error('the model call got no abort signal'));
        signals.push(signal);
        signal.addEventListener('abort', () => reject(signal.reason));
      }),
  });
  return Object.assign(model, { signals });
}

/** Everything a call's prompt says — system, user, assistant and tool messages — as one text. */
export function promptText(call: CallOptions): string {
  return call.prompt
    .map((message) => {
      if (typeof message.content === 'string') return `[${message.role}] ${message.content}`;
      const parts = message.content.map((part) => {
        if (part.type === 'text') return part.text;
        if (part.type === 'tool-call') return `tool-call ${part.toolName} ${JSON.stringify(part.input)}`;
        if (part.type === 'tool-result') return `tool-result ${part.toolName} ${JSON.stringify(part.output)}`;
        return `(${part.type})`;
      });
      return `[${message.role}] ${parts.join('\n')}`;
    })
    .join('\n');
}

/** The names of the tools a call offered the model. */
export function toolNames(call: CallOptions): string[] {
  return (call.tools ?? []).map((tool) => tool.name);
}

/** A streamed model turn, as a provider's stream parts. */
export type StreamPart = Parameters<typeof simulateReadableStream<import('@ai-sdk/provider').LanguageModelV3StreamPart>>[0]['chunks'][number];

/** A streamed turn that says `words` one delta at a time, then finishes with this usage. */
export function streamWords(words: readonly string[], tokens: [number, number] = [10, 5]): StreamPart[] {
  return [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't' },
    ...words.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
    { type: 'text-end', id: 't' },
    { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage: usage(...tokens) },
  ];
}

/** A streamed turn that calls one tool. */
export function streamToolCall(toolName: string, input: unknown, tokens: [number, number] = [10, 5]): StreamPart[] {
  nextCallId += 1;
  return [
    { type: 'stream-start', warnings: [] },
    { type: 'tool-call', toolCallId: `call-${nextCallId}`, toolName, input: JSON.stringify(input) },
    { type: 'finish', finishReason: { unified: 'tool-calls', raw: undefined }, usage: usage(...tokens) },
  ];
}

/**
 * A model that streams these turns in order, one per call (`doStream`), through the AI SDK's
 * `simulateReadableStream`; `gate(turn)` may hold a turn's parts back until a test lets them go.
 * Asked for a whole answer (`doGenerate`), it gives the same turn's text at once.
 */
export function streaming(turns: readonly StreamPart[][], gate?: (turn: number, part: number) => Promise<void> | undefined): MockLanguageModelV3 {
  let index = 0;
  const next = () => {
    const turn = turns[index++];
    if (turn === undefined) throw new Error(`the streaming model was called ${index} times but has only ${turns.length} turns`);
    return { turn, number: index - 1 };
  };
  return new MockLanguageModelV3({
    doStream: async () => {
      const { turn, number } = next();
      if (gate === undefined) return { stream: simulateReadableStream({ chunks: turn }) };
      const stream = new ReadableStream<StreamPart>({
        async start(controller) {
          for (const [at, part] of turn.entries()) {
            await gate(number, at);
            controller.enqueue(part);
          }
          controller.close();
        },
      });
      return { stream };
    },
    doGenerate: async () => {
      const { turn } = next();
      const text = turn.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
      const calls = turn.filter((part) => part.type === 'tool-call');
      const finish = turn.find((part) => part.type === 'finish')!;
      return { content: calls.length > 0 ? calls : [{ type: 'text', text }], finishReason: finish.finishReason, usage: finish.usage, warnings: [] };
    },
  });
}
