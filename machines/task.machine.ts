/**
 * A task's life with the agent that holds it, as a statechart: one pure definition, drawn in the
 * README beside the agent chart and model-tested on its own, that every held-task record follows.
 * It is never spawned: the agent keeps one record per held task and moves its `phase` with
 * {@link advance}, a lookup in the transition table derived once from this same definition (the
 * hot path pays one property read, not a statechart step).
 *
 * `received` is the pipeline: the agent decides what to do with the task (escalate, route, split,
 * execute, defer). A decision answered with a promise parks the task in `deciding` while the agent
 * goes on with others. From there a task is handed to a child (it leaves this agent), queued and
 * run (with retries in `backoff`), parked for approval, escalated, deferred until resources free
 * up, or split into subtasks — and in the end it leaves (`left`): delivered, failed or cancelled.
 */
import { createMachine } from 'xstate';

/** Where a task is with the agent holding it. */
export type TaskPhase = 'received' | 'deciding' | 'queued' | 'running' | 'backoff' | 'parked' | 'escalated' | 'deferred' | 'split' | 'left';

/** What moves a held task. */
export type TaskMove =
  /** The decision answered with a promise: wait for it. */
  | 'ask'
  /** The awaited decision answered (or timed out): decide again with the answer. */
  | 'answer'
  /** Execute it, but no slot is free. */
  | 'queue'
  /** An attempt starts. */
  | 'start'
  /** An attempt failed and another is due after a delay. */
  | 'wait'
  /** The delay is over: the next attempt. */
  | 'retry'
  /** It needs approval first (before it runs, or its executor asked). */
  | 'park'
  /** Approved: it goes to execution. */
  | 'approve'
  | 'escalate'
  | 'defer'
  /** The resources it waited for were released: decide again. */
  | 'wake'
  | 'split'
  /** It leaves this agent: handed to a child, delivered, failed, rejected or cancelled. */
  | 'leave';

/** The task lifecycle chart. Event names are the moves; every state but `left` can leave (cancelled, failed). */
export const taskMachine = createMachine({
  id: 'task',
  initial: 'received',
  types: {} as { events: { type: TaskMove } },
  states: {
    received: {
      on: { ask: 'deciding', queue: 'queued', start: 'running', park: 'parked', escalate: 'escalated', defer: 'deferred', split: 'split', leave: 'left' },
    },
    deciding: { on: { answer: 'received', leave: 'left' } },
    queued: { on: { start: 'running', leave: 'left' } },
    running: { on: { wait: 'backoff', park: 'parked', escalate: 'escalated', queue: 'queued', leave: 'left' } },
    backoff: { on: { retry: 'running', leave: 'left' } },
    parked: { on: { approve: 'queued', start: 'running', leave: 'left' } },
    escalated: { on: { leave: 'left' } },
    deferred: { on: { wake: 'received', leave: 'left' } },
    split: { on: { leave: 'left' } },
    left: { type: 'final' },
  },
});

/** Every phase, in the chart's order. */
export const TASK_PHASES = Object.keys(taskMachine.root.states) as TaskPhase[];

/** `TABLE[phase][move]`: the phase a move leads to, read off the chart once (objects without a prototype: `toString` is no move). */
const TABLE: Readonly<Record<TaskPhase, Partial<Record<TaskMove, TaskPhase>>>> = Object.assign(
  Object.create(null) as Record<TaskPhase, Partial<Record<TaskMove, TaskPhase>>>,
  Object.fromEntries(
    TASK_PHASES.map((phase) => {
      const node = taskMachine.root.states[phase]!;
      const moves: Partial<Record<TaskMove, TaskPhase>> = Object.create(null) as Partial<Record<TaskMove, TaskPhase>>;
      for (const [move, transitions] of node.transitions) moves[move as TaskMove] = transitions[0]!.target![0]!.key as TaskPhase;
      return [phase, moves];
    }),
  ),
);

/**
 * The phase `move` leads to from `phase`, or `undefined` when the chart has no such move (the
 * caller treats that as a stale or impossible message, never as a new state).
 *
 * @example
 * ```ts
 * advance('received', 'queue'); // 'queued'
 * advance('escalated', 'start'); // undefined
 * ```
 */
export function advance(phase: TaskPhase, move: TaskMove): TaskPhase | undefined {
  return TABLE[phase]?.[move];
}
