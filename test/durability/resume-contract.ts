/**
 * Resuming work after a crash, against any store: executions run again with the same
 * idempotency key, completed work never does, timers come back from their stored deadlines,
 * split tasks pick up where their parts were, budgets keep what was spent, and a task lost in
 * flight by a torn write is sent again.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { fullStackFeature, type Executor } from '../../src/index.js';
import { flush } from '../support/helpers.js';
import { tearing, type StoreFactory } from '../support/persistence.js';
import { organisations } from './organisation.js';

const never = () => new Promise<never>(() => undefined);

export function describeResume(factory: StoreFactory): void {
  describe(`${factory.name} store: work resumes after a crash`, () => {
    const orgs = organisations(factory);

    it('runs a task that was executing again, with the same idempotency key; completed work never runs again', async () => {
      const runs: string[] = [];
      let hang = true;
      const executors: Executor = (task, { idempotencyKey, attempt, agent }) => {
        runs.push(`${idempotencyKey}#${attempt}`);
        return hang && task.id === 'b' ? never() : { by: agent.id };
      };
      const first = orgs.start({ executors });
      const a = await first.org.submit({ id: 'a', type: 'react' });
      void first.org.submit({ id: 'b', type: 'python' });
      void first.org.submit({ id: 'c', type: 'sql' }); // finishes while nobody awaits it
      await first.org.flush();
      expect(first.org.agentState('backend_dev_1').running).toEqual(['b']);

      hang = false;
      const second = await orgs.resume(first, { executors });
      expect(await second.org.outcome('b')).toMatchObject({ status: 'completed', result: { by: 'backend_dev_1' }, delegationChain: ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1'] });
      expect(await second.org.outcome('a')).toEqual(a);
      expect(await second.org.outcome('c')).toMatchObject({ status: 'completed', executedBy: 'db_specialist' });
      expect(runs).toEqual(['a@react_specialist#1', 'b@backend_dev_1#1', 'c@db_specialist#1', 'b@backend_dev_1#1']);
      expect(second.org.status()).toMatchObject({ activeTasks: 0 });
      expect(second.org.journal({ taskId: 'b' }).filter((entry) => entry.type === 'task.started')).toMatchObject([
        { session: 1, actor: 'backend_dev_1', data: { attempt: 1, idempotencyKey: 'b@backend_dev_1' } },
        { session: 2, actor: 'backend_dev_1', data: { attempt: 1, idempotencyKey: 'b@backend_dev_1', resumed: true } },
      ]);
    });

    it('loses nothing half-done: a task submitted in the burst the crash cut short is unknown, everything before it intact', async () => {
      const first = orgs.start({ executors: never });
      void first.org.submit({ id: 'kept', type: 'python' });
      await first.org.flush();
      void first.org.submit({ id: 'cut', type: 'react' });
      const second = await orgs.resume(first, { executors: async () => 'done' });
      await expect(second.org.outcome('cut')).rejects.toMatchObject({ code: 'unknown_task' });
      expect(await second.org.outcome('kept')).toMatchObject({ status: 'completed', result: 'done' });
      expect(second.org.agentState('react_specialist').load).toEqual({});
      expect(second.org.agentState('cto').load).toEqual({ backend_lead: 0 });
    });

    it('re-arms an executor timeout from its stored deadline, or times it out at once when it passed while down', async () => {
      for (const [downUntil, wait] of [
        [400, 600],
        [1_500, 0],
      ] as const) {
        const clock = new SimulatedClock();
        const options = { execution: { timeoutMs: 1_000 }, executors: never };
        const first = orgs.start({ ...options, clock });
        void first.org.submit({ id: 't', type: 'python' });
        clock.increment(100);
        await first.org.flush();
        const later = new SimulatedClock();
        later.set(downUntil);
        const second = await orgs.resume(first, { ...options, clock: later });
        const outcome = second.org.outcome('t');
        if (wait > 0) {
          later.increment(wait - 1);
          await flush();
          expect(second.org.agentState('backend_dev_1').running).toEqual(['t']);
          later.increment(1);
        }
        expect(await outcome).toMatchObject({ status: 'failed', error: { code: 'executor_timeout' }, executedBy: 'backend_dev_1' });
      }
    });

    it('re-arms a backoff from its stored end: the next attempt starts when it was due', async () => {
      const clock = new SimulatedClock();
      const attempts: Array<[number, number]> = [];
      const options = {
        execution: { retry: { attempts: 2, initialDelayMs: 1_000, jitter: 0 } },
        executors: ((_task, { attempt, now }) => {
          attempts.push([attempt, now()]);
          if (attempt === 1) throw new Error('flaky');
          return 'second time lucky';
        }) as Executor,
      };
      const first = orgs.start({ ...options, clock });
      void first.org.submit({ id: 't', type: 'python' });
      await first.org.flush();
      expect(attempts).toEqual([[1, 0]]);
      const later = new SimulatedClock();
      later.set(300);
      const second = await orgs.resume(first, { ...options, clock: later });
      later.increment(699);
      await flush();
      expect(attempts).toEqual([[1, 0]]);
      later.increment(1);
      expect(await second.org.outcome('t')).toMatchObject({ status: 'completed', result: 'second time lucky', attempts: 2 });
      expect(attempts).toEqual([
        [1, 0],
        [2, 1_000],
      ]);
    });

    it('picks a split task up where its parts were: finished parts stay finished, the running one runs again', async () => {
      const runs: string[] = [];
      let hang = true;
      const executors: Executor = (task, { agent }) => {
        runs.push(`${task.id}@${agent.id}`);
        return hang && task.type === 'frontend' ? never() : `${task.type} by ${agent.id}`;
      };
      const decomposers = { byType: { full_stack_feature: fullStackFeature() } };
      const first = orgs.start({ executors, decomposers });
      void first.org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'login' } });
      await first.org.flush();
      expect(runs).toEqual(['auth.backend@backend_lead', 'auth.frontend@frontend_lead']);
      hang = false;
      const second = await orgs.resume(first, { executors, decomposers });
      const outcome = await second.org.outcome('auth');
      expect(outcome).toMatchObject({ status: 'completed', result: { backend: 'backend by backend_lead', frontend: 'frontend by frontend_lead' } });
      expect(outcome.subtasks?.map((part) => [part.taskId, part.status])).toEqual([
        ['auth.backend', 'completed'],
        ['auth.frontend', 'completed'],
      ]);
      expect(runs).toEqual(['auth.backend@backend_lead', 'auth.frontend@frontend_lead', 'auth.frontend@frontend_lead']);
    });

    it('keeps in-flight budgets: cost spent before the crash still counts after it', async () => {
      let hang = true;
      const executors: Executor = (_task, { reportCost }) => {
        reportCost(3);
        return hang ? never() : 'done';
      };
      const first = orgs.start({ executors });
      void first.org.submit({ id: 't', type: 'python', budget: { cost: 10 } });
      await first.org.flush();
      hang = false;
      const second = await orgs.resume(first, { executors });
      expect((await second.org.outcome('t')).budget).toMatchObject({ limit: { cost: 10 }, used: { cost: 6 }, left: { cost: 4 } });
    });

    it('makes again a decision that was in progress: an asynchronous strategy, an agent deciding an approval', async () => {
      let answer = false;
      const strategy = { name: 'slow', select: (_task: unknown, candidates: readonly { id: string; capable: boolean }[]) => (answer ? candidates.find((c) => c.capable)?.id : never()) };
      const approvers = { byId: { api_specialist: () => (answer ? { approve: true as const } : never()) } };
      const options = { executors: (async (_task, { agent }) => agent.id) as Executor, strategy: { byId: { cto: strategy } }, approvals: { approvers } };
      const first = orgs.start(options);
      void first.org.submit({ id: 'routed', type: 'react' });
      void first.org.submit({ id: 'approved', type: 'python', context: { requiresApproval: true } }, { at: 'backend_lead' });
      await first.org.flush();
      expect(first.org.agentState('cto').state).toBe('delegating');
      expect(first.org.approvals.pending()).toHaveLength(1);
      answer = true;
      const second = await orgs.resume(first, options);
      expect(await second.org.outcome('routed')).toMatchObject({ status: 'completed', result: 'react_specialist' });
      expect(await second.org.outcome('approved')).toMatchObject({ status: 'completed', approvals: [{ status: 'approved', decisions: [{ by: 'api_specialist' }] }] });
    });

    it('sends again a task the store says is in flight but no agent holds (a torn write), and journals it', async () => {
      const base = orgs.start({ executors: never });
      await base.crash();
      // A store that keeps the task table but drops the developer's snapshots: the task's last hop is lost.
      const inner = factory.reopen(base.store);
      const torn = tearing(inner, (agentId) => agentId === 'backend_dev_1');
      const first = orgs.open(torn.store, { executors: never });
      torn.tear();
      void first.org.submit({ id: 't', type: 'python' });
      await first.org.flush();
      await first.crash();
      const second = orgs.open(factory.reopen(inner), { executors: async () => 'done' });
      expect(await second.org.outcome('t')).toMatchObject({ status: 'completed', result: 'done', executedBy: 'backend_dev_1' });
      expect(second.org.journal({ taskId: 't' }).filter((entry) => entry.type === 'task.redelivered')).toMatchObject([
        { actor: 'orchestrator', session: 3, data: { to: 'backend_dev_1', as: 'task.assign' } },
      ]);
    });

    it('sends an escalation again when its target lost it in a torn write', async () => {
      let hang = true;
      const executors = {
        byId: { api_specialist: (() => (hang ? never() : 'decided by api_specialist')) as Executor },
        default: ((_task, { escalate }) => escalate('policy_decision', 'not mine to decide')) as Executor,
      };
      const base = orgs.start({ executors });
      await base.crash();
      const inner = factory.reopen(base.store);
      const torn = tearing(inner, (agentId) => agentId === 'api_specialist');
      const first = orgs.open(torn.store, { executors });
      torn.tear();
      void first.org.submit({ id: 't', type: 'python' });
      await first.org.flush();
      expect(first.org.agentState('api_specialist').running).toEqual(['t!' + first.org.escalations.active()[0]!.id]);
      await first.crash();
      hang = false;
      const second = orgs.open(factory.reopen(inner), { executors });
      expect(await second.org.outcome('t')).toMatchObject({
        status: 'completed',
        result: 'decided by api_specialist',
        escalations: [{ reason: 'policy_decision', from: 'backend_dev_1', to: 'api_specialist', status: 'resolved', resolvedBy: 'api_specialist' }],
      });
      expect(second.org.journal({ taskId: 't' }).filter((entry) => entry.type === 'task.redelivered')).toMatchObject([{ data: { to: 'api_specialist', as: 'escalation.raised' } }]);
    });
  });
}
