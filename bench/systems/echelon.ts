/**
 * echelon under benchmark: `createOrchestrator` over the hierarchy with the trivial executor
 * everywhere and the default strategy and policies. Agent concurrency is sized to the tasks in
 * flight, so no agent queues work the baselines would run at once — both do the same work.
 */
import type { InspectionEvent } from 'xstate';
import { createOrchestrator, type Orchestrator, type Outcome } from '../../src/index.js';
import { work } from '../workload.js';
import type { Routed, SystemFactory, SystemOptions } from './types.js';

const routed = (outcome: Outcome): Routed => {
  if (outcome.status !== 'completed') throw new Error(`Task ${outcome.taskId} (${outcome.type}) ${outcome.status}: ${outcome.error?.message}`);
  return { executedBy: outcome.executedBy!, chain: outcome.delegationChain, result: outcome.result };
};

/**
 * Inspection observers: `count` only counts events (the cost of producing them); `serialize`
 * turns each into JSON the way a remote inspector must before sending it (actor, event, state
 * and context — not the actor objects themselves).
 */
const observers = {
  count: () => {
    let seen = 0;
    return () => void (seen += 1);
  },
  serialize: () => {
    let bytes = 0;
    return (event: InspectionEvent) => {
      const snapshot = 'snapshot' in event ? (event.snapshot as { value?: unknown; context?: unknown }) : undefined;
      bytes += JSON.stringify({
        type: event.type,
        actor: event.actorRef.sessionId,
        ...('event' in event ? { event: event.event } : {}),
        ...(snapshot === undefined ? {} : { value: snapshot.value, context: snapshot.context }),
      }).length;
    };
  },
} as const;

/** Builds echelon's organisation the way the bench runs it (also used by the scale cases). */
export function benchOrchestrator(options: SystemOptions & { readonly concurrency?: number }): Orchestrator {
  return createOrchestrator({
    hierarchy: options.hierarchy,
    executors: { default: (task, { agent }) => work(task.type, agent.id) },
    concurrency: options.concurrency ?? options.inFlight,
    ...(options.inspect === undefined ? {} : { inspect: observers[options.inspect]() }),
  });
}

function system(name: string, org: Orchestrator): ReturnType<SystemFactory> {
  return { name, submit: (type) => org.submit({ type }).then(routed), stop: () => org.stop() };
}

export const echelon: SystemFactory = (options) =>
  system(options.inspect === undefined ? 'echelon' : `echelon + ${options.inspect} inspector`, benchOrchestrator(options));

/** echelon with its default concurrency: each agent executes one task at a time, the rest queue. */
export const echelonQueued: SystemFactory = (options) => system('echelon, concurrency 1', benchOrchestrator({ ...options, concurrency: 1 }));
