/**
 * Scripted language models for the echelon/ai suites, on the AI SDK's own `MockLanguageModelV3`:
 * answers (text, JSON, tool calls) with token usage, and the prompts each call received, as text.
 */
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
