/**
 * Model-based testing over xstate/graph: take every transition of a model (the shortest path
 * to its source state, then the transition itself) and replay it on a live system, checking
 * after each step that the system is where the model says.
 */
import type { EventObject, Snapshot } from 'xstate';
import type { TestModel } from 'xstate/graph';

export interface Replay<TSnapshot, TEvent, TLive> {
  /** What identifies a state (the model's serialisation of it). */
  readonly key: (snapshot: TSnapshot) => string;
  /** A fresh live system. */
  readonly start: () => TLive;
  /** Makes the live system undergo `event`. */
  readonly play: (live: TLive, event: TEvent) => void | Promise<void>;
  /** Asserts the live system is in `expected` (the model's state after the step). */
  readonly check: (live: TLive, expected: TSnapshot) => void;
  readonly stop: (live: TLive) => void;
}

/** Replays every transition of the model; returns how many. */
export async function replayEveryTransition<TSnapshot extends Snapshot<unknown>, TEvent extends EventObject, TInput, TLive>(
  model: TestModel<TSnapshot, TEvent, TInput>,
  replay: Replay<TSnapshot, TEvent, TLive>,
): Promise<number> {
  const adjacency = model.getAdjacencyMap();
  const shortest = new Map(model.getShortestPaths({ allowDuplicatePaths: true }).map((path) => [replay.key(path.state), path]));
  let count = 0;
  for (const [from, { transitions }] of Object.entries(adjacency)) {
    for (const transition of Object.values(transitions) as Array<{ event: TEvent; state: TSnapshot }>) {
      const path = shortest.get(from);
      if (path === undefined) throw new Error(`no path to ${from}`);
      const live = replay.start();
      for (const step of [...path.steps.filter((s) => s.event.type !== 'xstate.init'), { event: transition.event, state: transition.state }]) {
        await replay.play(live, step.event);
        replay.check(live, step.state);
      }
      replay.stop(live);
      count += 1;
    }
  }
  return count;
}
