/**
 * echelon under benchmark: `createOrchestrator` over the hierarchy with the trivial executor
 * everywhere and the default strategy and policies. Agent concurrency is sized to the tasks in
 * flight, so no agent queues work the baselines would run at once — both do the same work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InspectionEvent } from 'xstate';
import { createOrchestrator, memoryStore, type Executor, type Orchestrator, type Outcome, type Store } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
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

/** A store for the bench, and how to put it away: SQLite in a fresh temporary folder, removed after. */
function openStore(kind: 'memory' | 'sqlite'): { store: Store; close: () => void } {
  if (kind === 'memory') return { store: memoryStore(), close: () => undefined };
  const folder = mkdtempSync(join(tmpdir(), 'echelon-bench-'));
  const store = sqliteStore(join(folder, 'bench.db'));
  return { store, close: () => (store.close(), rmSync(folder, { recursive: true, force: true })) };
}

/** Builds echelon's organisation the way the bench runs it (also used by the scale cases). */
export function benchOrchestrator(options: SystemOptions & { readonly concurrency?: number; readonly persistTo?: Store }): Orchestrator {
  return createOrchestrator({
    hierarchy: options.hierarchy,
    executors: { default: options.progress === undefined ? (task, { agent }) => work(task.type, agent.id) : progressing(options.progress) },
    concurrency: options.concurrency ?? options.inFlight,
    ...(options.inspect === undefined ? {} : { inspect: observers[options.inspect]() }),
    ...(options.persistTo === undefined ? {} : { store: options.persistTo }),
    ...(options.maxDepth === undefined ? {} : { limits: { maxDepth: options.maxDepth } }),
  });
}

/** The bench's work, reporting `count` progress events first (a model's text deltas, say). */
function progressing(count: number): Executor {
  return (task, { agent, progress }) => {
    for (let index = 0; index < count; index++) progress(index);
    return work(task.type, agent.id);
  };
}

export function system(name: string, org: Orchestrator, close: () => void = () => undefined, submit = (type: string) => org.submit({ type })): ReturnType<SystemFactory> {
  return {
    name,
    submit: (type) => submit(type).then(routed),
    stop: async () => {
      await org.stop();
      close();
    },
  };
}

export const echelon: SystemFactory = (options) => {
  if (options.store !== undefined) {
    const { store, close } = openStore(options.store);
    return system(`echelon + ${options.store} store`, benchOrchestrator({ ...options, persistTo: store }), close);
  }
  return system(options.inspect === undefined ? 'echelon' : `echelon + ${options.inspect} inspector`, benchOrchestrator(options));
};

/** echelon with its default concurrency: each agent executes one task at a time, the rest queue. */
export const echelonQueued: SystemFactory = (options) => system('echelon, concurrency 1', benchOrchestrator({ ...options, concurrency: 1 }));
