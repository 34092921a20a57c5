/**
 * The organisation at work as an AI SDK UI message stream: `org.stream()` turned into the chunks
 * a chat UI built with the AI SDK (`useChat`, `readUIMessageStream`) renders. Each agent that
 * speaks gets a `data-agent` part (who, which task, where in the tree, and its status, updated in
 * place) followed by its own text part; tool calls show as dynamic tool parts; lifecycle events
 * come as transient `data-event` parts; the submitted task's outcome as a `data-outcome` part.
 */
import { generateId, type UIMessage, type UIMessageChunk } from 'ai';
import { EchelonError } from '../errors.js';
import { agentKey } from '../show.js';
import { describeEvent } from '../inspect/summary.js';
import type { TaskStreamEvent } from '../runtime/index.js';
import { boolean, checkShape, fields, shapeContext, string, type Shape } from '../shape/index.js';
import type { Outcome } from '../types.js';
import type { LlmProgress } from './stream-call.js';

/** The `data-agent` part: one per task attempt at an agent, updated as it goes. */
export interface AgentPartData {
  readonly agent: string;
  readonly taskId: string;
  /** The task's place in the tree, the submitted task first: its length - 1 is how deep to indent. */
  readonly path: readonly string[];
  readonly attempt: number;
  readonly status: 'working' | 'done' | 'failed';
  /** The id of the text part that holds what this agent says. */
  readonly textId: string;
}

/** The data parts an echelon UI message carries. */
export type EchelonUIDataTypes = {
  agent: AgentPartData;
  /** A lifecycle event in one line (transient: shown as it happens, not kept in the message). */
  event: { readonly type: string; readonly text: string; readonly taskId?: string };
  outcome: Pick<Outcome, 'taskId' | 'status' | 'result' | 'error' | 'executedBy' | 'delegationChain'>;
};

/** A UI message showing an organisation at work. */
export type EchelonUIMessage = UIMessage<unknown, EchelonUIDataTypes>;

/** Options of {@link organisationUIStream}. */
export interface OrganisationUIStreamOptions {
  /** The message id (default: the AI SDK generates one). */
  readonly messageId?: string;
  /** Send lifecycle events as transient `data-event` parts (default true). */
  readonly events?: boolean;
}

type Chunk = UIMessageChunk<unknown, EchelonUIDataTypes>;

const OPTIONS = fields({ messageId: string, events: boolean } satisfies Record<keyof OrganisationUIStreamOptions, Shape>);

/**
 * Turns a task's stream (`org.stream(…)`) into an AI SDK UI message stream.
 *
 * @example
 * ```ts
 * import { createUIMessageStreamResponse } from 'ai';
 * import { organisationUIStream } from 'echelon/ai';
 *
 * export async function POST(request: Request) {
 *   const { task } = await request.json();
 *   const stream = org.stream(task, { signal: request.signal });
 *   return createUIMessageStreamResponse({ stream: organisationUIStream(stream) });
 * }
 * ```
 */
export function organisationUIStream(stream: AsyncIterable<TaskStreamEvent>, options: OrganisationUIStreamOptions = {}): ReadableStream<Chunk> {
  if (typeof (stream as Partial<AsyncIterable<unknown>> | null | undefined)?.[Symbol.asyncIterator] !== 'function') {
    throw new EchelonError('invalid_option', "organisationUIStream takes a task's stream: organisationUIStream(org.stream(task)).");
  }
  checkShape(options, OPTIONS, '', shapeContext('organisationUIStream', 'invalid_option'));
  const events = stream[Symbol.asyncIterator]();
  const translate = translator(options.events ?? true);
  // Pulled, not pushed: the next event is read only when the reader asks for more, so a slow
  // reader's progress waits (and is dropped, oldest first) in the task stream's bounded buffer
  // rather than piling up here; a reader that cancels (a closed chat page) ends the task stream.
  return new ReadableStream<Chunk>({
    start: (controller) => controller.enqueue({ type: 'start', messageId: options.messageId ?? generateId() }),
    async pull(controller) {
      try {
        // An event may say nothing here (a drop notice, events: false): read on until something is said.
        for (let said = false; !said; ) {
          const next = await events.next();
          const chunks = next.done === true ? [...translate.end()] : [...translate.event(next.value)];
          for (const chunk of chunks) controller.enqueue(chunk);
          if (next.done === true) return controller.close();
          said = chunks.length > 0;
        }
      } catch (error) {
        controller.enqueue({ type: 'error', errorText: error instanceof Error ? error.message : String(error) });
        controller.close();
      }
    },
    cancel: async () => void (await events.return?.()),
  });
}

/** The translation's state: which agents' parts are open. */
function translator(events: boolean) {
  const speakers = new Map<string, AgentPartData>();
  let failed = false;
  const key = (taskId: string, agent: string, attempt: number) => agentKey(agent, `${attempt}#${taskId}`);

  function* close(speaker: AgentPartData, status: AgentPartData['status']): Generator<Chunk> {
    speakers.delete(key(speaker.taskId, speaker.agent, speaker.attempt));
    yield { type: 'text-end', id: speaker.textId };
    yield { type: 'data-agent', id: speaker.textId.replace(/^text:/, 'agent:'), data: { ...speaker, status } };
  }

  function* progress(event: Extract<TaskStreamEvent, { type: 'task.progress' }>): Generator<Chunk> {
    const id = key(event.taskId, event.agent, event.attempt);
    let speaker = speakers.get(id);
    if (speaker === undefined) {
      // A retry or a resolution elsewhere: whoever spoke for this task before has finished.
      for (const other of [...speakers.values()]) if (other.taskId === event.taskId) yield* close(other, 'failed');
      speaker = { agent: event.agent, taskId: event.taskId, path: event.path, attempt: event.attempt, status: 'working', textId: `text:${id}` };
      speakers.set(id, speaker);
      yield { type: 'data-agent', id: `agent:${id}`, data: speaker };
      yield { type: 'text-start', id: speaker.textId };
    }
    const data = event.data as LlmProgress | string | null;
    if (typeof data === 'string') yield { type: 'text-delta', id: speaker.textId, delta: data };
    else if (data?.kind === 'text' || data?.kind === 'reasoning') yield { type: 'text-delta', id: speaker.textId, delta: data.text };
    else if (data?.kind === 'tool-call') yield { type: 'tool-input-available', toolCallId: data.toolCallId, toolName: data.toolName, input: data.input, dynamic: true, title: `${event.agent}: ${data.toolName}` };
    else if (data?.kind === 'tool-result') yield { type: 'tool-output-available', toolCallId: data.toolCallId, output: data.output, dynamic: true };
    else if (data?.kind === 'tool-error') yield { type: 'tool-output-error', toolCallId: data.toolCallId, errorText: data.error, dynamic: true };
  }

  return {
    *event(event: TaskStreamEvent): Generator<Chunk> {
      if (event.type === 'task.progress') return yield* progress(event);
      if (event.type === 'stream.dropped') return;
      if (events) yield { type: 'data-event', data: { type: event.type, text: describeEvent(event), ...taskOf(event) }, transient: true };
      if (event.type === 'task.completed' || event.type === 'task.failed') {
        const { outcome } = event;
        failed = outcome.status !== 'completed';
        for (const speaker of [...speakers.values()]) yield* close(speaker, speaker.taskId === outcome.taskId && failed ? 'failed' : 'done');
        const { taskId, status, result, error, executedBy, delegationChain } = outcome;
        yield { type: 'data-outcome', id: `outcome:${taskId}`, data: { taskId, status, result, error, executedBy, delegationChain } };
        return;
      }
      // An agent whose task ended (a subtask, before the whole) or moved on (escalated, parked, retried) is done speaking for now.
      if (event.type === 'task.ended') {
        for (const speaker of [...speakers.values()]) if (speaker.taskId === event.task.id && speaker.agent === event.agent) yield* close(speaker, event.settlement.status === 'completed' ? 'done' : 'failed');
        return;
      }
      const settled = event.type === 'escalation.raised' ? event.escalation.taskId : event.type === 'approval.requested' ? event.approval.taskId : event.type === 'task.retrying' ? event.task.id : undefined;
      // Its executor failed (retried, or escalated for it), or it handed the task on (a question up, an approval).
      const failedHere = event.type === 'task.retrying' || (event.type === 'escalation.raised' && event.escalation.reason === 'execution_failed');
      if (settled !== undefined) for (const speaker of [...speakers.values()]) if (speaker.taskId === settled) yield* close(speaker, failedHere ? 'failed' : 'done');
    },
    *end(): Generator<Chunk> {
      for (const speaker of [...speakers.values()]) yield* close(speaker, 'done');
      yield { type: 'finish', finishReason: failed ? 'error' : 'stop' };
    },
  };
}

function taskOf(event: TaskStreamEvent): { taskId?: string } {
  if ('task' in event) return { taskId: event.task.id };
  if ('outcome' in event) return { taskId: event.outcome.taskId };
  if ('escalation' in event) return { taskId: event.escalation.taskId };
  if ('approval' in event) return { taskId: event.approval.taskId };
  return 'taskId' in event && typeof event.taskId === 'string' ? { taskId: event.taskId } : {};
}
