/**
 * Each agent a Restate virtual object, keyed by its id, on its unit's object service: Restate runs
 * one handler at a time per key — the agent's mailbox. `receive` restores the agent, handles one
 * message with the agent chart, persists what changed, and carries out the effects: one-way sends
 * to other agents, delayed sends to itself for timers (cancelled when disarmed: `timers.ts`),
 * executions sent to the unit's executor service, reports to the books of their submitted task
 * (or up with a result, for the agent above to file: `carried.ts`), claims to the resources
 * object, and awaited decisions to the unit's decision service, which tells the agent their
 * answer later: the agent takes other messages meanwhile (and asks again a decision its process
 * lost by restarting). `status` reads the agent without taking its turn.
 */
import './polyfill.js';
import { handlers, object, TerminalError, type ObjectContext, type ObjectSharedContext } from '@restatedev/restate-sdk';
import type { AgentContext, AgentEvent } from '../../machines/agent.machine.js';
import type { AgentReport, Effect } from '../../machines/ports.js';
import type { ResourceClaim } from '../escalation/types.js';
import type { AgentStatus } from '../runtime/api.js';
import { agentStatus } from '../runtime/agent-status.js';
import type { Task } from '../types.js';
import { loadAgent, saveAgent } from './agent-state.js';
import { agentTurn } from './agent-turn.js';
import { carrierOf, unpack, withReports, type Carrying } from './carried.js';
import type { DecisionWait } from './decision-service.js';
import type { Organisation } from './organisation.js';
import { RESOURCES_KEY } from './resources-object.js';
import { rootIndex, type RootIndex } from './routing.js';
import { accountOf, invocation, settleCharges, within, type Invocation } from './scope.js';
import { callTo, fileCharges, INTERNAL, sendAgent, sendTo } from './send.js';
import { AgentTimers } from './timers.js';

/** The tasks a message puts before the agent: the one it carries, and those the agent holds. */
function tasksInPlay(context: AgentContext | undefined, event: AgentEvent): Task[] {
  const tasks: Task[] = [];
  if ('task' in event && event.task !== undefined) tasks.push(event.task);
  if (event.type === 'escalation.raised') tasks.push(event.escalation.task);
  if (context !== undefined) for (const record of Object.values(context.held)) tasks.push(record.task);
  return tasks;
}

/** Reads what the agent's decisions look at besides its own table: resource claims and budget spending, only when a task in play declares them. */
async function readShared(ctx: ObjectContext, org: Organisation, tasks: readonly Task[]) {
  const { layout } = org;
  const claims = tasks.some((task) => task.resources.length > 0) ? await callTo<ResourceClaim[]>(ctx, layout.resources, 'claims', null, RESOURCES_KEY) : [];
  const spent = new Map<string, number>();
  for (const task of tasks) {
    if (task.budget?.cost === undefined || spent.has(accountOf(task))) continue;
    spent.set(accountOf(task), await callTo<number>(ctx, layout.case, 'spent', task, task.rootId));
  }
  return { claims, spent };
}

/** The agent object of one unit's agents. */
export function agentObject(org: Organisation, unit: string) {
  const { layout, options } = org;
  const { hierarchy } = options;
  return object({
    name: layout.agents(unit),
    handlers: {
      receive: handlers.object.exclusive(INTERNAL, async (ctx: ObjectContext, input: Carrying): Promise<void> => {
        const agentId = ctx.key;
        const { event, carried, refused } = unpack(input);
        if (refused) ctx.console.warn(`echelon: ${agentId} was sent reports on ${input.type} that no agent sends that way; not filed.`);
        if (!hierarchy.has(agentId) || layout.unitOf(agentId) !== unit) {
          ctx.console.warn(`echelon: ${layout.agents(unit)} has no agent "${agentId}"; message ${event.type} dropped.`);
          // What rode on it is still filed.
          if (carried !== undefined) sendTo(ctx, layout.case, 'report', { reports: carried.reports }, carried.root);
          return;
        }
        const now = await ctx.date.now();
        const before = await loadAgent(ctx);
        const tasks = tasksInPlay(before.context, event);
        const shared = await readShared(ctx, org, tasks);
        let live = before.context;
        const taskOf = (taskId: string) => live?.held[taskId]?.task ?? (live?.current?.task.id === taskId ? live.current.task : tasks.find((task) => task.id === taskId));
        const here = invocation(now, ctx.rand, { ...shared, taskOf });
        const earlier = rootIndex([before.context], event);
        const next = within(here, () => agentTurn(org.machine, agentId, before.context, event));
        live = next;
        saveAgent(ctx, next, before);
        const later = rootIndex([next], event);
        await carryOut(ctx, org, agentId, event, carried, here, { rootOf: (report) => later.rootOf(report) ?? earlier.rootOf(report) });
      }),
      status: handlers.object.shared(async (ctx: ObjectSharedContext): Promise<AgentStatus> => {
        // The ingress serves status to anyone: a key that is no agent of this unit is a terminal refusal (a throw would be retried for ever).
        const node = hierarchy.find(ctx.key);
        if (node === undefined || layout.unitOf(ctx.key) !== unit) throw new TerminalError(`unknown_agent: No agent "${ctx.key}" in unit ${unit} of this organisation.`, { errorCode: 400 });
        const { context } = await loadAgent(ctx as unknown as ObjectContext);
        if (context === undefined) return agentStatus(node, fresh(ctx.key), 'receiving');
        return agentStatus(node, context, context.rest);
      }),
    },
  });
}

function fresh(agentId: string): AgentContext {
  return { agentId, held: {}, load: {}, ready: [], queue: [], approvals: {}, escalations: {}, cancelled: {}, current: null, rest: 'receiving', running: 0, deciding: 0, evaluating: 0, parked: 0, seq: 0, version: 0 };
}

/** Carries out one turn's effects, in order. */
async function carryOut(ctx: ObjectContext, org: Organisation, agentId: string, event: AgentEvent, carried: ReturnType<typeof unpack>['carried'], here: Invocation, index: RootIndex): Promise<void> {
  const { layout } = org;
  // Read only by a turn that fires, arms or disarms a timer.
  let timers = event.type === 'echelon.timer' ? await AgentTimers.load(ctx, layout, agentId, event) : undefined;
  const unit = layout.unitOf(agentId);
  // What rode up on the message comes first: it happened before this turn.
  const reports = new Map<string, AgentReport[]>(carried === undefined ? [] : [[carried.root, [...carried.reports]]]);
  // Reports first: a task's books hear what this agent did before anyone it tells can report on.
  for (const effect of here.effects) {
    if (effect.type !== 'report' || effect.report.type === 'agent.state') continue;
    const { report } = effect;
    const root = index.rootOf(report);
    if (root === undefined) {
      ctx.console.warn(`echelon: ${agentId} reported ${report.type} for no task it knows; not filed.`);
      continue;
    }
    const list = reports.get(root) ?? [];
    list.push(report);
    reports.set(root, list);
  }
  // …or ride up with the task's result, to be filed by the agent above (carried.ts).
  const riding = new Map<Effect, AgentReport[]>();
  for (const [root, list] of reports) {
    const carrier = carrierOf(here.effects, root, list, agentId);
    if (carrier === undefined) sendTo(ctx, layout.case, 'report', { reports: list }, root);
    else riding.set(carrier, list);
  }
  for (const effect of here.effects) {
    switch (effect.type) {
      case 'send':
        sendAgent(ctx, layout, effect.to, withReports(effect.message, riding.get(effect)));
        break;
      case 'arm':
        timers ??= await AgentTimers.load(ctx, layout, agentId, event);
        await timers.arm(effect);
        break;
      case 'execute':
        sendTo(ctx, layout.executors(unit), 'attempt', effect.request);
        break;
      case 'claim':
        sendTo(ctx, layout.resources, 'claim', { agentId, task: effect.task }, RESOURCES_KEY);
        break;
      case 'release':
        sendTo(ctx, layout.resources, 'release', { taskId: effect.taskId }, RESOURCES_KEY);
        break;
      case 'await': {
        // The promise stays in this process; the unit's decision service (served here too) waits for it and tells the agent.
        // If this process stops before the decision answers, the restarted service tells the agent `again` instead: it asks the decision again.
        const id = ctx.rand.uuidv4();
        org.decisions.register(agentId, id, effect, here);
        sendTo(ctx, layout.decisions(unit), 'wait', { agentId, key: effect.key, id, timeoutMs: effect.timeoutMs, again: effect.again() } satisfies DecisionWait);
        break;
      }
      case 'forget':
        org.decisions.forget(agentId, effect.key);
        break;
      case 'report':
        // In order with the claims and releases of this turn.
        if (effect.report.type === 'task.deferred') sendTo(ctx, layout.resources, 'wait', { agentId, resources: effect.report.resources }, RESOURCES_KEY);
        break;
      case 'abort':
        sendTo(ctx, layout.executors(unit), 'abort', { agentId, taskId: effect.taskId, attempt: effect.attempt });
        break;
      // The delayed send is cancelled; one that fired meanwhile carries a token the agent no longer expects, and it ignores it, as in-process.
      case 'disarm':
        timers ??= await AgentTimers.load(ctx, layout, agentId, event);
        await timers.disarm(effect.key);
        break;
    }
  }
  await timers?.save();
  fileCharges(ctx, layout, settleCharges(here));
}
