/**
 * The organisation called back from inside itself: a listener, a strategy or an executor that
 * cancels, decides or stops while the organisation is in the middle of handing messages on. Every
 * interleaving is forced with deferred promises and listeners, never with time.
 */
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/index.js';
import { SimulatedClock } from 'xstate';
import { decomposeWith, defaultEscalationPolicy, developmentTeam, type Orchestrator, type OrchestratorEventType } from '../../src/index.js';
import { deferred, flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task, { agent }) => ({ by: agent.id, id: task.id }) });

/** Executors that fail every task of `type` at once (no retry), so that it escalates up to a person. */
const failing = (type: string) => ({
  executors: async (task: { readonly type: string }) => {
    if (task.type === type) throw new Error(`no ${type} today`);
    return 'ok';
  },
  execution: { default: { retry: { attempts: 1 } } },
});

/** Cancels task `id` from inside the first `type` event about it. */
function cancelOn(org: Orchestrator, type: OrchestratorEventType, id: string): Array<Promise<unknown>> {
  const cancels: Array<Promise<unknown>> = [];
  const off = org.on(type, (event) => {
    if (!('task' in event) || event.task.id !== id) return;
    off();
    cancels.push(org.cancel(id, 'changed my mind'));
  });
  return cancels;
}

describe('org.cancel from inside the organisation', () => {
  it('from a task.delegated listener, it reaches the agent the task went on to: the task ends cancelled (it used to complete)', async () => {
    const org = start();
    const cancels = cancelOn(org, 'task.delegated', 'x');
    const outcome = await org.submit({ id: 'x', type: 'python' });
    expect(outcome).toMatchObject({ status: 'cancelled', error: { code: 'cancelled', message: expect.stringContaining('changed my mind') } });
    expect(await cancels[0]).toEqual(outcome);
    expect(org.agentState('backend_lead').load).toEqual({ api_specialist: 0 });
  });

  it('from a strategy choosing where the task goes, the task ends cancelled', async () => {
    let org!: Orchestrator;
    const cancels: Array<Promise<unknown>> = [];
    org = start({
      strategy: {
        byId: {
          backend_lead: {
            name: 'cancelling',
            select: (task, candidates) => {
              if (task.id === 'x' && cancels.length === 0) cancels.push(org.cancel('x'));
              return candidates[0]!.id;
            },
          },
        },
      },
    });
    const outcome = await org.submit({ id: 'x', type: 'python' });
    expect(outcome.status).toBe('cancelled');
    expect((await org.submit({ id: 'y', type: 'python' })).status).toBe('completed');
  });

  it('a cancel that came too late (its result already on the way up) is not kept for a later task of the same id', async () => {
    const org = start();
    const cancels = cancelOn(org, 'task.ended', 'x');
    // The executor's result reached its agent: the task completes, as the README says…
    expect((await org.submit({ id: 'x', type: 'python' })).status).toBe('completed');
    expect(((await cancels[0]) as { status: string }).status).toBe('completed');
    // …and a new task under the same id is not cancelled on arrival by that old request (it was: "Cancelled at backend_dev_1").
    expect((await org.submit({ id: 'x', type: 'python' })).status).toBe('completed');
  });

  it('a task passed on after its cancel was sent is not cancelled for a later task of the same id', async () => {
    const org = start();
    cancelOn(org, 'task.delegated', 'x');
    expect((await org.submit({ id: 'x', type: 'python' })).status).toBe('cancelled');
    // backend_lead had passed x on when the cancel reached it; it kept the cancel, and ended the next x with it.
    expect((await org.submit({ id: 'x', type: 'python' })).status).toBe('completed');
  });

  it('with messages on the clock, a cancel while the result travels up leaves nothing behind for the next task of that id', async () => {
    const clock = new SimulatedClock();
    const gate = deferred<string>();
    const org = start({ clock, messageDelayMs: 0, executors: () => gate.promise });
    const step = async () => {
      clock.increment(0);
      await flush();
    };
    const first = org.submit({ id: 'x', type: 'python' });
    let ended = false;
    org.on('task.ended', () => (ended = true));
    for (let i = 0; i < 5; i++) await step();
    gate.resolve('done');
    await flush();
    await step(); // the attempt's answer, on the clock too
    expect(ended).toBe(true); // ended at backend_dev_1; its result is on the clock, on its way up
    expect(org.status().activeTasks).toBe(1);
    const cancelled = org.cancel('x');
    for (let i = 0; i < 10; i++) await step();
    expect((await first).status).toBe('completed');
    expect(((await cancelled) as { status: string }).status).toBe('completed');
    const second = org.submit({ id: 'x', type: 'python' });
    for (let i = 0; i < 20; i++) await step();
    expect((await second).status).toBe('completed');
  });

  it('a fail-fast split whose part fails in the same burst cancels the parts already on their way: their executors never run', async () => {
    let withImpossiblePart = true;
    const split = decomposeWith('pair', (task) =>
      task.type === 'pair' ? [{ type: 'python' }, ...(withImpossiblePart ? [{ key: 'extra', type: 'quantum_computing' }] : [])] : undefined,
    );
    const ran: string[] = [];
    const org = start({ decomposers: { byId: { cto: split } }, executors: async (task) => void ran.push(task.id) });
    const ended: string[] = [];
    org.on('task.ended', (event) => ended.push(`${event.task.id} ${event.settlement.status} at ${event.agent}`));
    expect((await org.submit({ id: 'p', type: 'pair' })).status).toBe('failed');
    // p.python was handed on before p.extra failed: the cancel follows it (it used to stop at the CTO, and p.python ran).
    expect(ended.sort()).toEqual(['p.extra failed at cto', 'p.python cancelled at api_specialist']);
    expect(ran).toEqual([]);
    withImpossiblePart = false;
    expect((await org.submit({ id: 'p', type: 'pair' })).status).toBe('completed');
    expect(ran).toEqual(['p.python']);
  });

  it('a merge that cancels the task it merges for: the task completes, and the cancel is not kept for the next task of that id', async () => {
    let org!: Orchestrator;
    const cancels: Array<Promise<unknown>> = [];
    const split = decomposeWith('pair', (task) => (task.type === 'pair' ? [{ type: 'python' }, { type: 'css' }] : undefined), {
      merge: (results) => {
        if (cancels.length === 0) cancels.push(org.cancel('p'));
        return Object.keys(results);
      },
    });
    org = start({ decomposers: { byId: { cto: split } } });
    expect((await org.submit({ id: 'p', type: 'pair' })).status).toBe('completed');
    expect(((await cancels[0]) as { status: string }).status).toBe('completed');
    // The CTO had let go of p when the cancel reached it; it kept it, and ended the next p on arrival.
    expect(await org.submit({ id: 'p', type: 'pair' })).toMatchObject({ status: 'completed', result: ['python', 'css'] });
  });
});

describe('people deciding from inside the organisation', () => {
  /** Calls `decide` from inside the approval.requested listener, returning what each call threw (or 'taken'). */
  function decideOnRequest(org: Orchestrator, decide: Array<(id: string) => void>): string[] {
    const answers: string[] = [];
    org.on('approval.requested', (event) => {
      for (const call of decide) {
        try {
          call(event.approval.id);
          answers.push('taken');
        } catch (error) {
          answers.push(`${(error as { code: string }).code}: ${(error as Error).message}`);
        }
      }
    });
    return answers;
  }

  it('approve then reject back to back: the reject is refused at the door (it was taken, then refused by the agent with only an approval.refused event)', async () => {
    const org = start();
    const refused: unknown[] = [];
    org.on('approval.refused', (event) => refused.push(event));
    const answers = decideOnRequest(org, [
      (id) => org.approvals.approve(id, { by: 'api_specialist' }),
      (id) => org.approvals.reject(id, { by: 'backend_lead', reason: 'no' }),
    ]);
    const outcome = await org.submit({ type: 'python', context: { requiresApproval: true } });
    expect(outcome.status).toBe('completed');
    expect(answers).toEqual(['taken', expect.stringMatching(/^unknown_approval: Approval "apv_.+" is already approved: "api_specialist" decided it, and that decision is on its way to backend_dev_1\.$/)]);
    expect(refused).toEqual([]);
  });

  it('two approvers of a quorum-1 request at once: the second is refused at the door; a quorum of 2 takes both', async () => {
    const org = start();
    const answers = decideOnRequest(org, [
      (id) => org.approvals.approve(id, { by: 'api_specialist' }),
      (id) => org.approvals.approve(id, { by: 'backend_lead' }),
    ]);
    const one = await org.submit({ type: 'python', context: { requiresApproval: true } });
    expect(one.approvals[0]!.decisions.map((decision) => decision.by)).toEqual(['api_specialist']);
    expect(answers).toEqual(['taken', expect.stringMatching(/^unknown_approval: .* is already approved/)]);
    answers.length = 0;
    const two = await org.submit({ type: 'python', approval: { quorum: 2 } });
    expect(answers).toEqual(['taken', 'taken']);
    expect(two).toMatchObject({ status: 'completed', approvals: [{ status: 'approved', decisions: [{ by: 'api_specialist' }, { by: 'backend_lead' }] }] });
  });

  it('the same approver twice at once is refused with duplicate_decision, at the door', async () => {
    const org = start();
    const answers = decideOnRequest(org, [
      (id) => org.approvals.approve(id, { by: 'api_specialist' }),
      (id) => org.approvals.approve(id, { by: 'api_specialist' }),
    ]);
    const outcome = org.submit({ type: 'python', approval: { quorum: 2 } });
    await flush();
    expect(answers).toEqual(['taken', expect.stringMatching(/^duplicate_decision: /)]);
    const [pending] = org.approvals.pending();
    expect(pending!.decisions.map((decision) => decision.by)).toEqual(['api_specialist']);
    org.approvals.approve(pending!.id, { by: 'backend_lead' });
    expect((await outcome).status).toBe('completed');
  });

  it('a decision on an approval whose task is being cancelled is refused at the door (it was taken, then refused by the agent)', async () => {
    const org = start();
    const refused: unknown[] = [];
    org.on('approval.refused', (event) => refused.push(event));
    const answers = decideOnRequest(org, [
      (id) => void org.cancel(org.approvals.get(id)!.taskId, 'not needed'),
      (id) => org.approvals.approve(id, { by: 'api_specialist' }),
    ]);
    const outcome = await org.submit({ id: 'p', type: 'python', context: { requiresApproval: true } });
    expect(outcome.status).toBe('cancelled');
    expect(answers).toEqual(['taken', expect.stringMatching(/^unknown_approval: Approval "apv_.+" is being withdrawn: its task p is being cancelled \(not needed\)\.$/)]);
    expect(refused).toEqual([]);
  });
});

describe('listeners changing the listeners', () => {
  it('a listener unsubscribed by another while an event is being delivered does not get that event (it did: off() returned, and it was called after)', async () => {
    const org = start();
    const got: string[] = [];
    let offTyped = (): void => undefined;
    let offAll = (): void => undefined;
    org.on('task.completed', () => {
      got.push('first');
      offTyped();
      offAll();
    });
    offTyped = org.on('task.completed', () => got.push('typed'));
    offAll = org.on('*', (event) => event.type === 'task.completed' && got.push('all'));
    await org.submit({ type: 'python' });
    expect(got).toEqual(['first']);
  });

  it('a listener subscribed during delivery gets the next events, not the one being delivered; one that unsubscribes itself gets one event', async () => {
    const org = start();
    const got: string[] = [];
    let added = false;
    const off = org.on('task.completed', (event) => {
      got.push(`once ${event.outcome.taskId}`);
      off();
    });
    org.on('task.completed', (event) => {
      if (added) return;
      added = true;
      org.on('task.completed', (later) => got.push(`added ${later.outcome.taskId}`));
      org.on('*', (later) => later.type === 'task.completed' && got.push(`added * ${later.outcome.taskId}`));
      got.push(`adder ${event.outcome.taskId}`);
    });
    await org.submit({ id: 'a', type: 'python' });
    await org.submit({ id: 'b', type: 'python' });
    expect(got).toEqual(['once a', 'adder a', 'added b', 'added * b']);
  });
});

describe('cancelling from onEscalation', () => {
  it("org.cancel(escalation.taskId) of a resolution task says which task to cancel (it said there was no such task); cancelling that one closes the escalation", async () => {
    let org!: Orchestrator;
    const refusals: unknown[] = [];
    const cancels: Array<Promise<unknown>> = [];
    org = start({
      ...failing('python'),
      onEscalation: async (escalation) => {
        const rootId = await org.cancel(escalation.taskId).then(
          () => undefined,
          (error: { details: { rootId: string } }) => (refusals.push(error), error.details.rootId),
        );
        cancels.push(org.cancel(rootId!, 'nobody can'));
        return undefined;
      },
    });
    const outcome = await org.submit({ id: 'e', type: 'python' });
    expect(refusals).toEqual([
      expect.objectContaining({
        code: 'unknown_task',
        message: expect.stringMatching(/^org\.cancel: "e!esc_.+" is part of the task "e" \(a subtask, or the work resolving an escalation\), not a task of its own: cancel "e", which cancels it with everything derived from it\.$/),
        details: expect.objectContaining({ rootId: 'e' }),
      }),
    ]);
    expect(outcome).toMatchObject({ status: 'cancelled', error: { message: expect.stringContaining('nobody can') } });
    expect(await cancels[0]).toEqual(outcome);
    expect(org.escalations.active()).toEqual([]);
    expect(org.status().activeTasks).toBe(0);
  });
});

describe('resolving escalations from inside the organisation', () => {
  it('a resolution of an escalation whose task is being cancelled is refused at the door; the escalation shows how it really ended', async () => {
    let org!: Orchestrator;
    const answers: string[] = [];
    org = start({ ...failing('sql'), onEscalation: () => undefined });
    org.on('escalation.raised', ({ escalation }) => {
      if (escalation.to !== 'human') return;
      void org.cancel('esc', 'not needed');
      for (const result of ['x', 'y']) {
        try {
          org.escalations.resolve(escalation.id, { result });
          answers.push('taken');
        } catch (error) {
          answers.push(`${(error as { code: string }).code}: ${(error as Error).message}`);
        }
      }
    });
    const outcome = await org.submit({ id: 'esc', type: 'sql' });
    expect(outcome.status).toBe('cancelled');
    expect(answers).toEqual([
      expect.stringMatching(/^unknown_escalation: Escalation "esc_.+" is being closed: its task esc!esc_.+ is being cancelled \(not needed\)\.$/),
      expect.stringMatching(/^unknown_escalation: /),
    ]);
    // It used to read resolved by human:operator with the result 'x', for a task that ended cancelled.
    const human = outcome.escalations.find((escalation) => escalation.to === 'human');
    expect(human).toMatchObject({ status: 'failed', resolution: { status: 'cancelled' } });
  });

  it('onEscalation is not called for an escalation a listener already resolved, or whose task was cancelled, in the same burst (it paged for it)', async () => {
    let org!: Orchestrator;
    const paged: string[] = [];
    org = start({ ...failing('sql'), onEscalation: (escalation) => void paged.push(escalation.taskId) });
    org.on('escalation.raised', ({ escalation }) => {
      if (escalation.to !== 'human') return;
      if (escalation.taskId.startsWith('fixed')) org.escalations.resolve(escalation.id, { result: 'fixed by hand', by: 'alice' });
      if (escalation.taskId.startsWith('dropped')) void org.cancel('dropped');
    });
    expect(await org.submit({ id: 'fixed', type: 'sql' })).toMatchObject({ status: 'completed', result: 'fixed by hand' });
    expect((await org.submit({ id: 'dropped', type: 'sql' })).status).toBe('cancelled');
    const waiting = org.submit({ id: 'paged', type: 'sql' });
    await flush();
    expect(paged).toEqual([expect.stringMatching(/^paged!esc_/)]);
    org.escalations.resolve(org.escalations.active().find((escalation) => escalation.to === 'human')!.id, { fail: 'no' });
    expect((await waiting).status).toBe('failed');
  });
});

describe('waiting promises nobody awaits', () => {
  it.each([
    ['without a store', false],
    ['with a store', true],
  ])('org.drain() nobody awaits, then org.stop() (%s): no unhandled rejection, as for submit and outcome (it ended a Node process)', async (_case, stored) => {
    const unhandled: unknown[] = [];
    const note = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', note);
    try {
      const org = start({ executors: () => new Promise(() => undefined), ...(stored ? { store: memoryStore() } : {}) });
      void org.submit({ id: 'one', type: 'python' });
      void org.outcome('one');
      void org.drain();
      await flush();
      await org.stop();
      await flush(); // Node says a rejection nobody handled once the microtasks after it have run
      expect(unhandled).toEqual([]);
      await expect(org.drain()).rejects.toMatchObject({ code: 'orchestrator_stopped' });
    } finally {
      process.off('unhandledRejection', note);
    }
  });
});

describe("org.stop() from inside an agent's turn", () => {
  it('from the escalation policy of the agent about to execute: the executor is not started after the stop (it was, with a signal that never aborted)', async () => {
    let org!: Orchestrator;
    const policy = defaultEscalationPolicy();
    const ran: string[] = [];
    org = start({
      escalation: {
        shouldEscalate: (task, agent, context) => {
          if (agent.id === 'backend_dev_1') void org.stop();
          return policy.shouldEscalate(task, agent, context);
        },
        target: (agent, reason, task, context) => policy.target(agent, reason, task, context),
      },
      executors: async (task) => {
        ran.push(task.id);
        return new Promise(() => undefined);
      },
    });
    await expect(org.submit({ id: 'x', type: 'python' })).rejects.toMatchObject({ code: 'orchestrator_stopped' });
    await org.stop();
    expect(ran).toEqual([]);
    expect(org.status().inFlight).toBe(0);
  });

  it('from a strategy answering later: its decision is abandoned, its signal aborted (it waited for ever)', async () => {
    let org!: Orchestrator;
    let decision: AbortSignal | undefined;
    org = start({
      strategy: {
        byId: {
          backend_lead: {
            name: 'stopping',
            select: (_task, _candidates, context) => {
              decision = context.signal;
              void org.stop();
              return new Promise(() => undefined);
            },
          },
        },
      },
    });
    await expect(org.submit({ id: 'x', type: 'python' })).rejects.toMatchObject({ code: 'orchestrator_stopped' });
    await org.stop();
    expect(decision?.aborted).toBe(true);
    expect(org.status().inFlight).toBe(0);
  });
});
