/**
 * A host of a user's own, written against the public entries only (`echelon`, `echelon/charts`),
 * as README's "Writing a host" describes: every agent an actor over the three ports, the policy and
 * settings ports made from the organisation's options by `resolveOptions`, executors run by
 * `Attempts`, tasks made by `validateTaskInput`, messages through one queue, timers on a simulated
 * list, reports kept. If the kit leaves out something a host needs, this does not compile or run.
 */
import { describe, expect, it } from 'vitest';
import { createActor, type AnyActorRef } from 'xstate';
import { developmentTeam, EchelonError, type OrchestratorOptions, type Settlement, type Task, type TaskInput } from '../src/index.js';
import { Attempts, createAgentMachine, decisionTimedOut, resolveOptions, validateTaskInput, type AgentContext, type AgentEvent, type AgentReport, type Effect, type HostPort } from '../src/charts.js';

/** The smallest host that runs a whole organisation: one process, one queue, a clock moved by hand. */
function tinyHost(options: OrchestratorOptions) {
  let now = 0;
  let ids = 0;
  const reports: AgentReport[] = [];
  const queue: Array<[string, AgentEvent]> = [];
  const actors = new Map<string, AnyActorRef>();
  const timers = new Map<string, { at: number; agent: string; event: AgentEvent }>();
  const settled = new Map<string, Settlement>();
  // Every task the organisation holds, subtasks included: what `isActive` and `charge` look up.
  const active = new Map<string, Task>();

  // The budgets' book is the host's: a task's account is its budget's (a subtask's own) or its id; over the limit is budget_exceeded.
  const spent = new Map<string, number>();
  const accountOf = (task: Task) => task.budget?.account ?? task.id;
  const reportCost = (task: Task, amount: number) => {
    const used = (spent.get(accountOf(task)) ?? 0) + amount;
    spent.set(accountOf(task), used);
    const limit = task.budget?.cost;
    if (limit !== undefined && used > limit) throw new EchelonError('budget_exceeded', `Task ${task.id} used ${used} of cost, over its budget of ${limit}.`, { details: { taskId: task.id, used, limit } });
  };

  const resolved = resolveOptions(options, {
    now: () => now,
    resources: { conflicts: () => [] },
    reportCost,
    costSpent: (task) => spent.get(accountOf(task)) ?? 0,
  });
  const attempts = new Attempts({ execute: resolved.execute, retryable: resolved.settings.retryable });

  let draining = false;
  const post = (to: string, event: AgentEvent) => {
    queue.push([to, event]);
    if (draining) return;
    draining = true;
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) actors.get(next[0])!.send(next[1]);
    draining = false;
  };
  const perform = (agentId: string, effect: Effect) => {
    switch (effect.type) {
      case 'send':
        return post(effect.to, effect.message);
      case 'report': {
        const { report } = effect;
        reports.push(report);
        if (report.type === 'task.decomposed') for (const subtask of report.subtasks) active.set(subtask.id, subtask);
        if (report.type === 'subtask.settled') active.delete(report.task.id);
        if (report.type === 'task.settled') {
          settled.set(report.task.id, report.settlement);
          active.delete(report.task.id);
        }
        return;
      }
      case 'execute': {
        const { task, attempt } = effect.request;
        return attempts.run(agentId, effect.request, (result) => post(agentId, { type: 'echelon.executed', taskId: task.id, attempt, result }));
      }
      case 'abort':
        return attempts.abort(agentId, effect.taskId, new EchelonError('cancelled', `${agentId} stopped this attempt.`));
      case 'arm':
        return void timers.set(`${agentId}/${effect.key}`, { at: now + effect.delayMs, agent: agentId, event: effect.event });
      case 'disarm':
        return void timers.delete(`${agentId}/${effect.key}`);
      case 'await': {
        // Under its timeout, a timer like the others: whichever comes first answers, the other is dropped.
        const key = `${agentId}/await/${effect.key}`;
        timers.set(key, { at: now + effect.timeoutMs, agent: agentId, event: effect.fail(decisionTimedOut(agentId, effect.timeoutMs)) });
        const settle = (event: AgentEvent) => timers.delete(key) && post(agentId, event);
        return void effect.promise.then((value) => settle(effect.answer(value)), (error: unknown) => settle(effect.fail(error)));
      }
      case 'forget':
        return void timers.delete(`${agentId}/await/${effect.key}`);
      case 'claim':
      case 'release':
        return;
    }
  };
  const host: HostPort = {
    perform: (agentId, effects) => effects.forEach((effect) => perform(agentId, effect)),
    now: () => now,
    random: () => 0.5,
    newId: (prefix) => `${prefix}_${++ids}`,
    charge: (taskId, amount) => {
      const task = active.get(taskId);
      if (task !== undefined) reportCost(task, amount);
    },
    // A split into an id that is active fails (duplicate_task) instead of replacing that task.
    isActive: (taskId) => active.has(taskId),
  };
  const machine = createAgentMachine({ policy: resolved.policy, settings: resolved.settings, host });
  for (const node of options.hierarchy.nodes()) actors.set(node.id, createActor(machine, { input: { agentId: node.id } }).start());

  const limits = { maxSubtasks: options.limits?.maxSubtasks ?? 1_000, maxDepth: options.limits?.maxDecompositionDepth ?? 8 };
  return {
    reports,
    submit(input: TaskInput) {
      const entry = options.hierarchy.root.id;
      // isActive guards the agents' tables: a second task under an id one of them holds would replace the first.
      const task = validateTaskInput(input, { entry, now, newId: () => `task_${++ids}`, isActive: (id) => active.has(id), defaults: limits });
      active.set(task.id, task);
      post(entry, { type: 'task.assign', task });
      return task.id;
    },
    /** Moves the clock by `ms`, firing the timers due on the way, in order. */
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...timers].filter(([, timer]) => timer.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (due === undefined) break;
        timers.delete(due[0]);
        now = due[1].at;
        post(due[1].agent, due[1].event);
      }
      now = until;
    },
    settlement: (taskId: string) => settled.get(taskId),
    state: (agentId: string) => actors.get(agentId)!.getSnapshot().value as string,
    held: (agentId: string) => Object.keys((actors.get(agentId)!.getSnapshot().context as AgentContext).held),
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('a host written from the public entries', () => {
  it('routes a task down the development team, runs its executor and settles it at the root', async () => {
    const org = tinyHost({ hierarchy: developmentTeam(), executors: async (task, { agent }) => `${task.type} by ${agent.id}` });
    const id = org.submit({ type: 'python' });
    await flush();
    expect(org.settlement(id)).toMatchObject({ status: 'completed', result: 'python by backend_dev_1', executedBy: 'backend_dev_1' });
    expect(org.reports.filter((report) => report.type === 'task.delegated').map((report) => (report as { to: string }).to)).toEqual(['backend_lead', 'api_specialist', 'backend_dev_1']);
    for (const agent of developmentTeam().nodes()) expect([agent.id, org.state(agent.id), org.held(agent.id)]).toEqual([agent.id, 'receiving', []]);
  });

  it('arms the retry backoff as a timer the host fires, and the executor runs again', async () => {
    let calls = 0;
    const org = tinyHost({
      hierarchy: developmentTeam(),
      execution: { retry: { attempts: 2, initialDelayMs: 500, jitter: 0 } },
      executors: async () => {
        calls += 1;
        if (calls === 1) throw new Error('flaky');
        return 'second time';
      },
    });
    const id = org.submit({ type: 'css' });
    await flush();
    expect(org.settlement(id)).toBeUndefined();
    org.advance(499);
    await flush();
    expect(calls).toBe(1);
    org.advance(1);
    await flush();
    expect(org.settlement(id)).toMatchObject({ status: 'completed', result: 'second time' });
  });

  it('waits for a strategy that answers with a promise under its timeout, on the host\'s timers', async () => {
    const never = new Promise<string>(() => undefined);
    const org = tinyHost({ hierarchy: developmentTeam(), executors: async () => 1, strategy: { byId: { cto: { name: 'stuck', select: () => never } } }, decisions: { timeoutMs: 1_000 } });
    const id = org.submit({ type: 'python' });
    await flush();
    expect(org.state('cto')).toBe('delegating');
    org.advance(999);
    await flush();
    expect(org.settlement(id)).toBeUndefined();
    org.advance(1);
    await flush();
    expect(org.settlement(id)).toMatchObject({ status: 'failed', error: { code: 'strategy_error', message: expect.stringContaining('waited 1000 ms') } });
    expect([org.state('cto'), org.held('cto')]).toEqual(['receiving', []]);
  });

  it('keeps the budgets\' book: an attempt that reports more than its task\'s cost budget fails it with budget_exceeded', async () => {
    const org = tinyHost({ hierarchy: developmentTeam(), executors: async (_task, context) => (context.reportCost(5), 'spent 5') });
    const within = org.submit({ type: 'css', budget: { cost: 10 } });
    const over = org.submit({ type: 'css', budget: { cost: 1 } });
    await flush();
    expect(org.settlement(within)).toMatchObject({ status: 'completed' });
    expect(org.settlement(over)).toMatchObject({ status: 'failed', error: { code: 'budget_exceeded', details: { used: 5, limit: 1 } } });
  });

  it('refuses a task under the id of one still active (duplicate_task), and takes the id again once it settled', async () => {
    const gate = new Promise<void>((resolve) => setTimeout(resolve, 0));
    const org = tinyHost({ hierarchy: developmentTeam(), executors: async () => (await gate, 'done') });
    org.submit({ id: 'same', type: 'css' });
    expect(() => org.submit({ id: 'same', type: 'css' })).toThrow(expect.objectContaining({ code: 'duplicate_task' }));
    await flush();
    await flush();
    expect(org.settlement('same')).toMatchObject({ status: 'completed' });
    expect(() => org.submit({ id: 'same', type: 'css' })).not.toThrow();
  });

  it('checks the options as createOrchestrator does, before any agent starts', () => {
    expect(() => tinyHost({ hierarchy: developmentTeam(), executors: async () => 1, concurency: 5 } as OrchestratorOptions)).toThrow(
      expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('did you mean "concurrency"') }),
    );
    expect(() => resolveOptions(null as unknown as OrchestratorOptions, { now: () => 0, resources: { conflicts: () => [] }, reportCost: () => undefined, costSpent: () => 0 })).toThrow(expect.objectContaining({ code: 'invalid_option' }));
  });

  it('refuses a bad task at the door with the same EchelonError as submit', () => {
    const org = tinyHost({ hierarchy: developmentTeam(), executors: async () => 1 });
    expect(() => org.submit({ type: 'python', id: 'a\nb' })).toThrow(expect.objectContaining({ code: 'invalid_task' }));
  });
});
