/**
 * The Restate floor's service process (issue 14): the development team mapped onto Restate by hand,
 * with the SDK and nothing of echelon's — the least a hierarchy of durable agents can cost on
 * Restate, to read echelon's Restate figures against (as the in-process bench reads echelon against
 * a raw XState tree). Started by bench/cases/restate-floor.ts, which passes the agents as data, so
 * this process loads no echelon code (only the `Promise.withResolvers` polyfill the SDK needs on
 * Node 20).
 *
 * - `floor-task`, a workflow per task id (a resubmitted id never runs twice, as echelon's task
 *   workflow): `run` creates an awakeable, one-way-sends the task to the root and waits for it.
 * - `floor-agent`, a virtual object per agent id: `assign` counts the task in the agent's load (one
 *   state write) and one-way-sends it to the first report whose subtree can do it, or does the work
 *   in a journaled step (`ctx.run`) and sends the result up; `result` takes it off the load and
 *   passes it up — every manager on the way sees it, as in echelon. The root resolves the awakeable
 *   instead of calling the workflow back: one invocation fewer than a durable promise's `settle`.
 *   A task executed `d` levels down costs 2·d invocations.
 * - Probes, one invocation each: `floor-probe` `noop` (nothing), `clock` (one `ctx.date.now()`),
 *   `write` (one state write); `floor-chain` `start` waits while a one-way chain of `hop`s, each a
 *   different object, runs to its end.
 *
 * Usage: node restate-floor-service.js '<agents as JSON, preorder>' <port>; prints `LISTENING <url>`.
 */
import '../../src/restate/polyfill.js';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { endpoint, object, serde, service, TerminalError, workflow, type Context, type ObjectContext, type WorkflowContext } from '@restatedev/restate-sdk';
import { work } from '../workload.js';
import { FLOOR, type FloorOutcome } from './restate-floor.js';
import { nextHop, routingTreeOf, type RouteEntry, type RouteNode } from './routing.js';

interface Assign {
  readonly type: string;
  /** The awakeable the task's workflow waits on. */
  readonly reply: string;
  readonly chain: readonly string[];
}

interface Result extends FloorOutcome {
  readonly reply: string;
}

const LOAD = 'load';

function send(ctx: Context, service: string, method: string, parameter: unknown, key: string): void {
  ctx.genericSend({ service, method, parameter, inputSerde: serde.json, key });
}

/** The agents' object: routing by subtree, a load count per agent, results passed up every manager. */
function agents(byId: ReadonlyMap<string, RouteNode>) {
  const nodeOf = (ctx: ObjectContext): RouteNode => {
    const node = byId.get(ctx.key);
    // Terminal: Restate retries any other error for ever.
    if (node === undefined) throw new TerminalError(`floor: no agent ${ctx.key}`);
    return node;
  };
  const load = async (ctx: ObjectContext, by: number): Promise<number> => {
    const next = ((await ctx.get<number>(LOAD)) ?? 0) + by;
    if (next === 0) ctx.clear(LOAD);
    else ctx.set(LOAD, next);
    return next;
  };
  const up = (ctx: ObjectContext, node: RouteNode, result: Result): void => {
    if (node.parent === undefined) ctx.resolveAwakeable<FloorOutcome>(result.reply, { executedBy: result.executedBy, chain: result.chain, result: result.result });
    else send(ctx, FLOOR.agent, 'result', result, node.parent.id);
  };
  return object({
    name: FLOOR.agent,
    handlers: {
      assign: async (ctx: ObjectContext, task: Assign): Promise<void> => {
        const node = nodeOf(ctx);
        const hop = nextHop(node, task.type);
        if (hop.kind === 'none') {
          ctx.rejectAwakeable(task.reply, `No agent at or below ${node.id} can do "${task.type}".`);
          return;
        }
        await load(ctx, 1);
        if (hop.kind === 'delegate') {
          send(ctx, FLOOR.agent, 'assign', { ...task, chain: [...task.chain, hop.child.id] } satisfies Assign, hop.child.id);
          return;
        }
        const result = await ctx.run('work', () => work(task.type, node.id));
        await load(ctx, -1);
        up(ctx, node, { reply: task.reply, executedBy: node.id, chain: task.chain, result });
      },
      result: async (ctx: ObjectContext, result: Result): Promise<void> => {
        const node = nodeOf(ctx);
        await load(ctx, -1);
        up(ctx, node, result);
      },
    },
  });
}

/** The task workflow: hand the task to the root, wait for the root to resolve the awakeable. */
function tasks(root: RouteNode) {
  return workflow({
    name: FLOOR.task,
    handlers: {
      run: async (ctx: WorkflowContext, input: { readonly type: string }): Promise<FloorOutcome> => {
        const { id, promise } = ctx.awakeable<FloorOutcome>();
        send(ctx, FLOOR.agent, 'assign', { type: input.type, reply: id, chain: [root.id] } satisfies Assign, root.id);
        return promise;
      },
    },
  });
}

/** One-invocation probes: what the server spends on an invocation that does nothing, reads the clock, or writes state. */
const probe = object({
  name: FLOOR.probe,
  handlers: {
    noop: async (): Promise<number> => 0,
    clock: async (ctx: ObjectContext): Promise<number> => ctx.date.now(),
    write: async (ctx: ObjectContext): Promise<number> => {
      const count = ((await ctx.get<number>('count')) ?? 0) + 1;
      ctx.set('count', count);
      return count;
    },
  },
});

/** A chain of one-way sends, each to another object; the last hop wakes the starter. */
const chain = object({
  name: FLOOR.chain,
  handlers: {
    hop: async (ctx: ObjectContext, { lane, left, reply }: { readonly lane: string; readonly left: number; readonly reply: string }): Promise<void> => {
      if (left <= 1) ctx.resolveAwakeable(reply, null);
      else send(ctx, FLOOR.chain, 'hop', { lane, left: left - 1, reply }, `${lane}#${left - 1}`);
    },
  },
});

const chainStart = service({
  name: FLOOR.chainStart,
  handlers: {
    /** Runs `hops` hops under keys `<lane>#hops … <lane>#1`, and answers once the last one ran. */
    start: async (ctx: Context, { lane, hops }: { readonly lane: string; readonly hops: number }): Promise<void> => {
      const { id, promise } = ctx.awakeable<null>();
      send(ctx, FLOOR.chain, 'hop', { lane, left: hops, reply: id }, `${lane}#${hops}`);
      await promise;
    },
  },
});

const [agentsJson, portText = '0'] = process.argv.slice(2);
if (agentsJson === undefined) throw new Error("usage: restate-floor-service.js '<agents JSON, preorder>' <port>");
const { root, byId } = routingTreeOf(JSON.parse(agentsJson) as RouteEntry[]);
const served = endpoint();
for (const definition of [tasks(root), agents(byId), probe, chain, chainStart]) served.bind(definition);
const server = http2.createServer(served.http2Handler());
const sessions = new Set<http2.ServerHttp2Session>();
server.on('session', (session) => {
  sessions.add(session);
  session.once('close', () => sessions.delete(session));
});
server.listen(Number(portText), '127.0.0.1', () => console.log(`LISTENING http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  // Restate keeps its HTTP/2 sessions open: end them so the server closes.
  server.close(() => process.exit(0));
  for (const session of sessions) session.destroy();
});
