/**
 * Baseline: a minimal hand-written XState v5 actor tree. One actor per agent, spawned by its
 * parent (`systemId` = agent id); a task travels down as one `task.assign` message per hop,
 * routed by subtree capability; the executing agent runs the work and the result travels back
 * up as one `task.completed` message per hop, to the root, which settles the submitter's
 * promise. That is the least an actor tree must do for this routing — no queues, timeouts,
 * retries, escalations or ledger — so it is the bar echelon's overhead is measured against.
 *
 * Two variants run the work differently: `rawXState` calls it from an action and sends the
 * result to itself (the least XState can do); `rawXStatePerTask` runs it in a child actor per
 * task that reports with an ordinary event and is stopped then — the XState way to run async
 * work that can be stopped, and what echelon does (a `fromCallback` child, so no
 * `xstate.done.actor.<id>` event types pile up in XState's transition memo).
 */
import { createActor, enqueueActions, fromCallback, fromPromise, setup, type ActorRefFrom } from 'xstate';
import { work } from '../workload.js';
import { nextHop, routingTree, type RouteNode } from './routing.js';
import type { Routed, SystemFactory } from './types.js';

interface RawTask {
  readonly id: number;
  readonly type: string;
  readonly chain: readonly string[];
}

type Completed = { readonly type: 'task.completed'; readonly task: RawTask; readonly executedBy: string; readonly result: unknown; readonly error?: string };
type RawEvent = { readonly type: 'task.assign'; readonly task: RawTask } | { readonly type: 'task.executed'; readonly task: RawTask; readonly result: unknown } | Completed;

function rawAgentMachine(byId: ReadonlyMap<string, RouteNode>, settle: (completed: Completed) => void, perTask: boolean) {
  const runWork = fromCallback<RawEvent, { task: RawTask; agentId: string }>(({ input, sendBack }) => {
    void work(input.task.type, input.agentId).then((result) => sendBack({ type: 'task.executed', task: input.task, result }));
  });

  // Children are spawned under dynamic ids (agent ids, `work:<task id>`), which XState's typed
  // child map cannot name; the logic passed is checked, the id is just a string.
  const machine = setup({
    types: {} as { context: { node: RouteNode }; input: { id: string }; events: RawEvent; children: Record<string, 'agent' | 'work'> },
    actors: { work: runWork, agent: fromPromise<void, { id: string }>(async () => undefined) },
  }).createMachine({
    context: ({ input }) => ({ node: byId.get(input.id)! }),
    entry: enqueueActions(({ context, enqueue }) => {
      for (const child of context.node.children) enqueue.spawnChild('agent', { id: child.id, systemId: child.id, input: { id: child.id } });
    }),
    on: {
      'task.assign': {
        actions: enqueueActions(({ context, event, enqueue, self }) => {
          const { node } = context;
          const hop = nextHop(node, event.task.type);
          if (hop.kind === 'delegate') {
            enqueue.sendTo(hop.child.id, { type: 'task.assign', task: { ...event.task, chain: [...event.task.chain, hop.child.id] } });
          } else if (hop.kind === 'none') {
            enqueue.raise({ type: 'task.completed', task: event.task, executedBy: node.id, result: undefined, error: `nobody below ${node.id} can do ${event.task.type}` });
          } else if (perTask) {
            enqueue.spawnChild('work', { id: `work:${event.task.id}`, input: { task: event.task, agentId: node.id } });
          } else {
            const { task } = event;
            enqueue(() => void work(task.type, node.id).then((result) => self.send({ type: 'task.executed', task, result })));
          }
        }),
      },
      'task.executed': {
        actions: enqueueActions(({ context, event, enqueue }) => {
          if (perTask) enqueue.stopChild(`work:${event.task.id}`);
          const completed: Completed = { type: 'task.completed', task: event.task, executedBy: context.node.id, result: event.result };
          if (context.node.parent === undefined) enqueue(() => settle(completed));
          else enqueue.sendParent(completed);
        }),
      },
      'task.completed': {
        actions: enqueueActions(({ context, event, enqueue }) => {
          if (context.node.parent === undefined) enqueue(() => settle(event));
          else enqueue.sendParent(event);
        }),
      },
    },
  });
  // An agent's children run this very machine.
  (machine.implementations.actors as Record<string, unknown>).agent = machine;
  return machine;
}

function rawSystem(name: string, perTask: boolean): SystemFactory {
  return ({ hierarchy }) => {
    const { root, byId } = routingTree(hierarchy);
    const waiting = new Map<number, { resolve: (routed: Routed) => void; reject: (error: Error) => void }>();
    let nextId = 0;
    const machine = rawAgentMachine(
      byId,
      (event) => {
        const waiter = waiting.get(event.task.id)!;
        waiting.delete(event.task.id);
        if (event.error === undefined) waiter.resolve({ executedBy: event.executedBy, chain: event.task.chain, result: event.result });
        else waiter.reject(new Error(event.error));
      },
      perTask,
    );
    const actor: ActorRefFrom<typeof machine> = createActor(machine, { systemId: root.id, input: { id: root.id } }).start();
    return {
      name,
      submit: (type) =>
        new Promise<Routed>((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          actor.send({ type: 'task.assign', task: { id, type, chain: [root.id] } });
        }),
      stop: async () => {
        actor.stop();
      },
    };
  };
}

export const rawXState = rawSystem('raw XState', false);
export const rawXStatePerTask = rawSystem('raw XState, actor per task', true);
