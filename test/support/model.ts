/**
 * Model-based testing over xstate/graph: explore a model, then take every transition (the
 * shortest path to its source state, then the transition itself) and replay it on a fresh live
 * system, checking after each step that the system is where the model says.
 */
import type { EventObject, Snapshot } from 'xstate';
import type { TestModel } from 'xstate/graph';

export interface Replay<TSnapshot, TEvent, TLive> {
  /** A fresh live system. */
  readonly start: () => TLive;
  /** Makes the live system undergo `event`. */
  readonly play: (live: TLive, event: TEvent) => void | Promise<void>;
  /** Asserts the live system is in `expected` (the model's state after the step). */
  readonly check: (live: TLive, expected: TSnapshot) => void;
  readonly stop: (live: TLive) => void;
}

export interface Step<TSnapshot, TEvent> {
  readonly event: TEvent;
  readonly state: TSnapshot;
}

/** The model's states (by `key`, its serialisation of them, in the order explored) and a shortest path from the start to each. */
export function explore<TSnapshot extends Snapshot<unknown>, TEvent extends EventObject, TInput>(model: TestModel<TSnapshot, TEvent, TInput>, key: (snapshot: TSnapshot) => string) {
  // Keyed by the model's serialisation (a branded string in xstate/graph's types).
  const adjacency = model.getAdjacencyMap() as unknown as Record<string, { state: TSnapshot; transitions: Record<string, Step<TSnapshot, TEvent>> }>;
  const keys = Object.keys(adjacency);
  const paths = new Map<string, Array<Step<TSnapshot, TEvent>>>([[keys[0]!, []]]);
  // The map was built breadth first from the start: walking it again breadth first gives shortest paths.
  for (const from of keys) {
    const path = paths.get(from)!;
    for (const { event, state } of Object.values(adjacency[from]!.transitions)) {
      const to = key(state);
      if (!paths.has(to)) paths.set(to, [...path, { event, state }]);
    }
  }
  const transitions = keys.flatMap((from) => Object.values(adjacency[from]!.transitions).map((step) => ({ from, ...step })));
  return { states: adjacency, paths, transitions };
}

export type Explored<TSnapshot extends Snapshot<unknown>, TEvent extends EventObject> = ReturnType<typeof explore<TSnapshot, TEvent, unknown>>;

/** Replays every transition of an explored model on a fresh live system; returns how many states and transitions. */
export async function replayEveryTransition<TSnapshot extends Snapshot<unknown>, TEvent extends EventObject, TLive>(
  explored: Explored<TSnapshot, TEvent>,
  replay: Replay<TSnapshot, TEvent, TLive>,
): Promise<{ states: number; transitions: number }> {
  const { states, paths, transitions } = explored;
  for (const { from, event, state } of transitions) {
    const path = paths.get(from);
    if (path === undefined) throw new Error(`no path to ${from}`);
    const live = replay.start();
    const steps = [...path, { event, state }];
    let done = 0;
    try {
      for (const step of steps) {
        done += 1;
        await replay.play(live, step.event);
        replay.check(live, step.state);
      }
    } catch (error) {
      // Name the path, so a failure can be read (and replayed) by hand.
      const trail = steps.slice(0, done).map((step) => JSON.stringify(step.event)).join('\n  → ');
      if (error instanceof Error) error.message = `${error.message}\n at step ${done} of:\n  ${trail}`;
      throw error;
    } finally {
      replay.stop(live);
    }
  }
  return { states: Object.keys(states).length, transitions: transitions.length };
}
