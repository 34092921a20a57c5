import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { delegateWith, developmentTeam, EchelonError } from '../src/index.js';
import { deferred, flush, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });

describe('org.cancel', () => {
  it('withdraws a pending approval an agent is still deciding, aborting its decision', async () => {
    const answer = deferred<undefined>();
    let decision: AbortSignal | undefined;
    const org = start({
      approvals: {
        approvers: {
          byId: {
            react_specialist: (_request, context) => {
              decision = context.signal;
              return answer.promise;
            },
          },
        },
      },
    });
    const outcome = org.submit({ id: 'a', type: 'css', context: { requiresApproval: true } });
    await flush();
    expect(decision?.aborted).toBe(false);
    await org.cancel('a');
    expect((await outcome).status).toBe('cancelled');
    expect(decision?.aborted).toBe(true);
  });

  it('aborts a running executor through its signal; the task ends cancelled and the agent goes on', async () => {
    let signal: AbortSignal | undefined;
    const gate = deferred();
    const org = start({
      executors: async (task, context) => {
        if (task.id === 'long') {
          signal = context.signal;
          await gate.promise;
        }
        return 'done';
      },
    });
    const long = org.submit({ id: 'long', type: 'css' });
    const next = org.submit({ id: 'next', type: 'css' });
    await flush();
    const cancelled = await org.cancel('long', 'changed my mind');
    expect(signal?.aborted).toBe(true);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: { code: 'cancelled', message: 'Cancelled at frontend_dev_1: changed my mind' } });
    expect(await long).toEqual(cancelled);
    gate.reject(new Error('aborted late'));
    expect((await next).status).toBe('completed');
    expect(org.agentState('frontend_lead').load).toEqual({ react_specialist: 0 });
  });

  it('removes a queued task', async () => {
    const gate = deferred();
    const org = start({ executors: () => gate.promise });
    const first = org.submit({ id: 'a', type: 'css' });
    const second = org.submit({ id: 'b', type: 'css' });
    await flush();
    expect((await org.cancel('b')).status).toBe('cancelled');
    expect(org.agentState('frontend_dev_1').queued).toBe(0);
    gate.resolve('ok');
    expect((await first).status).toBe('completed');
    expect((await second).status).toBe('cancelled');
  });

  it('withdraws a pending approval', async () => {
    const org = start();
    const outcome = org.submit({ id: 'p', type: 'css', context: { requiresApproval: true } });
    await flush();
    const [approval] = org.approvals.pending();
    await org.cancel('p');
    expect((await outcome).status).toBe('cancelled');
    expect(org.approvals.get(approval!.id)!.status).toBe('cancelled');
    expect(org.agentState('frontend_dev_1').state).toBe('receiving');
  });

  it('cancels a task waiting on an escalation, and the work done to resolve it', async () => {
    let aborted = false;
    const org = start({
      executors: async (_task, { agent, signal }) => {
        if (agent.id !== 'api_specialist') return 'done';
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => undefined);
      },
    });
    const outcome = org.submit({ id: 'e', type: 'python', context: { requiresPolicyDecision: true } });
    await flush();
    expect(org.escalations.active()).toHaveLength(1);
    expect((await org.cancel('e')).status).toBe('cancelled');
    await flush();
    expect(aborted).toBe(true);
    expect(org.escalations.active()).toEqual([]);
    expect(org.agentState('api_specialist')).toMatchObject({ running: [], state: 'receiving' });
    expect((await outcome).escalations[0]!.status).toBe('failed');
  });

  it('cancels a task while its manager is still deciding where it goes, aborting the decision', async () => {
    const answer = deferred<string | undefined>();
    let decision: AbortSignal | undefined;
    const org = start({
      strategy: {
        byId: {
          cto: delegateWith('slow', (_task, _candidates, context) => {
            decision = context.signal;
            return answer.promise;
          }),
        },
      },
    });
    const outcome = org.submit({ id: 'd', type: 'python' });
    await flush();
    expect(org.agentState('cto').state).toBe('delegating');
    expect(decision?.aborted).toBe(false);
    expect((await org.cancel('d')).status).toBe('cancelled');
    expect(decision?.aborted).toBe(true);
    expect(org.agentState('cto').state).toBe('receiving');
    answer.resolve('backend_lead');
    await flush();
    expect((await outcome).status).toBe('cancelled');
    expect((await org.submit({ type: 'strategy' })).status).toBe('completed');
  });

  it('a signal read only after the attempt was timed out or cancelled, or the decision abandoned, is already aborted (not a fresh one)', async () => {
    const clock = new SimulatedClock();
    const later = deferred();
    const read: Record<string, boolean> = {};
    const org = start({
      clock,
      execution: { byId: { backend_dev_1: { timeoutMs: 100 } } },
      // Each reads its signal for the first time after the runtime gave up on it: a fetch started then must not run on.
      executors: {
        byId: {
          backend_dev_1: async (_task, context) => {
            await later.promise;
            read.timedOut = context.signal.aborted;
            return 'late';
          },
        },
        default: async (task, context) => {
          await later.promise;
          read[task.id] = context.signal.aborted;
          return 'late';
        },
      },
      strategy: {
        byId: {
          frontend_lead: delegateWith('slow', async (_task, _candidates, context) => {
            await later.promise;
            read.decision = context.signal.aborted;
            return undefined;
          }),
        },
      },
    });
    const timedOut = org.submit({ type: 'python' });
    const cancelled = org.submit({ id: 'cancelled', type: 'sql' });
    const undecided = org.submit({ id: 'undecided', type: 'css' });
    await flush();
    clock.increment(100);
    expect((await timedOut).error?.code).toBe('executor_timeout');
    expect((await org.cancel('cancelled')).status).toBe('cancelled');
    expect((await org.cancel('undecided')).status).toBe('cancelled');
    later.resolve(undefined);
    await flush();
    expect(read).toEqual({ timedOut: true, cancelled: true, decision: true });
  });

  it('returns the outcome of a task that already finished, and refuses unknown ones', async () => {
    const org = start();
    await org.submit({ id: 'done', type: 'css' });
    expect((await org.cancel('done')).status).toBe('completed');
    const refused = org.cancel('never');
    await expect(refused).rejects.toBeInstanceOf(EchelonError);
    await expect(refused).rejects.toMatchObject({ code: 'unknown_task', message: 'org.cancel: no active or recent task "never" (never submitted, or finished and forgotten).', details: { taskId: 'never' } });
  });

  it('says who executed a task cancelled during or between its attempts, and how often; not one cancelled in the queue', async () => {
    const clock = new SimulatedClock();
    const gate = deferred();
    const org = start({
      clock,
      execution: { retry: { attempts: 3, initialDelayMs: 1_000, jitter: 0 } },
      executors: async (task) => {
        if (task.id === 'flaky') throw new Error('not yet');
        return gate.promise;
      },
    });
    const running = org.submit({ id: 'running', type: 'css' });
    const queued = org.submit({ id: 'queued', type: 'css' });
    const flaky = org.submit({ id: 'flaky', type: 'python' });
    await flush();
    clock.increment(1_000); // flaky's second attempt fails too: it waits in its backoff
    await flush();
    expect(org.agentState('backend_dev_1').held).toEqual({ flaky: 'backoff' });
    await org.cancel('queued'); // first: cancelling 'running' would start it
    await org.cancel('running');
    await org.cancel('flaky');
    expect(await running).toMatchObject({ status: 'cancelled', executedBy: 'frontend_dev_1', attempts: 1 });
    expect(await flaky).toMatchObject({ status: 'cancelled', executedBy: 'backend_dev_1', attempts: 2 });
    const never = await queued;
    expect(never).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(never.executedBy).toBeUndefined();
  });
});
