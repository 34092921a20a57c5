/**
 * The baseline of echelon's chart shape: the raw XState tree's routing and work, but each agent
 * runs a statechart of echelon's five states the way echelon does — a task arrives in
 * `evaluatingEscalation` (entered by the `task.assign` transition), a task to hand down passes
 * through `delegating`, the agent rests in `receiving` or `executing`, all as eventless
 * microsteps picked by guards over a context changed in place, messages through one outbox. No
 * echelon logic at all: no policies, no ledger, no timers, no records. What echelon costs above
 * this is its own work; what this costs above the raw tree is the price of the five states.
 */
import { assign, createActor, fromPromise, setup, type AnyActorRef } from 'xstate';
import { work } from '../workload.js';
import { nextHop, routingTree, type RouteNode } from './routing.js';
import type { Routed, SystemFactory } from './types.js';

interface ChartTask {
  readonly id: number;
  readonly type: string;
  readonly chain: readonly string[];
}

type ChartEvent =
  | { readonly type: 'task.assign'; readonly task: ChartTask }
  | { readonly type: 'task.executed'; readonly task: ChartTask; readonly result: unknown }
  | { readonly type: 'task.completed'; readonly task: ChartTask; readonly executedBy: string; readonly result: unknown };

interface ChartContext {
  readonly node: RouteNode;
  current: ChartTask | null;
  child: RouteNode | null;
  running: number;
  rest: (typeof STATES)[number];
}

const STATES = ['receiving', 'evaluatingEscalation', 'delegating', 'executing', 'awaitingApproval'] as const;

export const rawChart: SystemFactory = ({ hierarchy }) => {
  const { root, byId } = routingTree(hierarchy);
  const waiting = new Map<number, (routed: Routed | Error) => void>();
  let system: { get(id: string): AnyActorRef | undefined } | undefined;
  const outbox: Array<readonly [string, ChartEvent]> = [];
  let draining = false;
  const post = (to: string, event: ChartEvent) => {
    outbox.push([to, event]);
    if (draining) return;
    draining = true;
    for (let at = 0; at < outbox.length; at++) system!.get(outbox[at]![0])!.send(outbox[at]![1]);
    outbox.length = 0;
    draining = false;
  };
  const up = (context: ChartContext, task: ChartTask, executedBy: string, result: unknown) => {
    const at = task.chain.indexOf(context.node.id);
    if (at > 0) post(task.chain[at - 1]!, { type: 'task.completed', task, executedBy, result });
    else {
      const settle = waiting.get(task.id)!;
      waiting.delete(task.id);
      settle({ executedBy, chain: task.chain, result });
    }
  };
  const toRest = (here: (typeof STATES)[number]) =>
    STATES.filter((state) => state !== here).map((state) => ({ guard: { type: 'restsAt' as const, params: { state } }, target: `#agent.${state}` }));

  const machine = setup({
    types: {} as { context: ChartContext; input: { id: string }; events: ChartEvent },
    actors: { agent: fromPromise<void, { id: string }>(async () => undefined) },
    guards: {
      restsAt: ({ context }, params: { state: (typeof STATES)[number] }) => context.rest === params.state,
      inPipeline: ({ context }) => context.current !== null,
    },
    actions: {
      admit: ({ context, event }) => {
        if (event.type === 'task.assign') context.current = event.task;
      },
      evaluate: ({ context }) => {
        const task = context.current;
        if (task === null) return;
        const hop = nextHop(context.node, task.type);
        if (hop.kind === 'none') {
          context.current = null;
          const settle = waiting.get(task.id)!;
          waiting.delete(task.id);
          settle(new Error(`nobody below ${context.node.id} can do ${task.type}`));
          return;
        }
        if (hop.kind === 'delegate') {
          context.child = hop.child;
          return;
        }
        context.current = null;
        context.running++;
        context.rest = 'executing';
        const id = context.node.id;
        void work(task.type, id).then((result) => post(id, { type: 'task.executed', task, result }));
      },
      select: ({ context }) => {
        const task = context.current;
        if (task === null) return;
        context.current = null;
        const child = context.child!;
        post(child.id, { type: 'task.assign', task: { ...task, chain: [...task.chain, child.id] } });
      },
      executed: ({ context, event }) => {
        if (event.type !== 'task.executed') return;
        if (--context.running === 0) context.rest = 'receiving';
        up(context, event.task, context.node.id, event.result);
      },
      completed: ({ context, event }) => {
        if (event.type === 'task.completed') up(context, event.task, event.executedBy, event.result);
      },
    },
  }).createMachine({
    id: 'agent',
    context: ({ input }) => ({ node: byId.get(input.id)!, current: null, child: null, running: 0, rest: 'receiving' }),
    entry: assign(({ context, spawn }) => {
      for (const child of context.node.children) spawn('agent', { id: `agent:${child.id}`, systemId: child.id, input: { id: child.id } });
      return {};
    }),
    initial: 'receiving',
    on: {
      'task.assign': { target: '.evaluatingEscalation', actions: 'admit' },
      'task.executed': { actions: 'executed' },
      'task.completed': { actions: 'completed' },
    },
    states: {
      receiving: { always: toRest('receiving') },
      evaluatingEscalation: { entry: 'evaluate', always: [{ guard: 'inPipeline', target: 'delegating' }, ...toRest('evaluatingEscalation')] },
      delegating: { entry: 'select', always: toRest('delegating') },
      executing: { always: toRest('executing') },
      awaitingApproval: { always: toRest('awaitingApproval') },
    },
  });
  (machine.implementations.actors as Record<string, unknown>).agent = machine;
  const actor = createActor(machine, { systemId: root.id, input: { id: root.id } });
  system = actor.system;
  actor.start();
  let nextId = 0;
  return {
    name: 'raw XState, echelon’s chart',
    submit: (type) =>
      new Promise<Routed>((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, (settled) => (settled instanceof Error ? reject(settled) : resolve(settled)));
        post(root.id, { type: 'task.assign', task: { id, type, chain: [root.id] } });
      }),
    stop: async () => {
      actor.stop();
    },
  };
};
