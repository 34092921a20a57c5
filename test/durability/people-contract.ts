/**
 * What people wait on survives a crash, against any store: pending approvals stay pending and
 * can be decided (with the authority rules intact), expiries count from their stored deadlines,
 * escalations waiting for a person still wait, and the journal tells the whole story across
 * sessions. A store that holds another organisation, or none resumed, is refused untouched.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createOrchestrator, defineHierarchy, developmentTeamSpec, EchelonError, type Escalation, type Executor } from '../../src/index.js';
import { flush } from '../support/helpers.js';
import type { StoreFactory } from '../support/persistence.js';
import { organisations } from './organisation.js';

const executors: Executor = (_task, { agent, approved }) => ({ by: agent.id, approved });

export function describePeople(factory: StoreFactory): void {
  describe(`${factory.name} store: what people wait on survives a crash`, () => {
    const orgs = organisations(factory);

    it('a pending approval is still pending after a restart, and can be approved — by someone with the authority', async () => {
      const first = orgs.start({ executors });
      void first.org.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
      void first.org.submit({ id: 'drop', type: 'python', context: { requiresApproval: true } });
      await first.org.flush();
      const before = first.org.approvals.pending();
      const second = await orgs.resume(first, { executors });
      expect(second.org.approvals.pending()).toEqual(before);
      expect(second.org.agentState('backend_dev_1')).toMatchObject({ state: 'awaitingApproval' });
      const [deploy, drop] = before as [(typeof before)[0], (typeof before)[0]];
      expect(() => second.org.approvals.approve(deploy.id, { by: 'frontend_lead' })).toThrow(expect.objectContaining({ code: 'approval_unauthorized' }));
      second.org.approvals.approve(deploy.id, { by: 'api_specialist', comment: 'ship it' });
      second.org.approvals.reject(drop.id, { by: 'backend_lead', reason: 'not today' });
      expect(await second.org.outcome('deploy')).toMatchObject({
        status: 'completed',
        result: { by: 'backend_dev_1', approved: true },
        approvals: [{ id: deploy.id, status: 'approved', decisions: [{ by: 'api_specialist', decision: 'approved', note: 'ship it' }] }],
      });
      expect(await second.org.outcome('drop')).toMatchObject({ status: 'rejected', error: { code: 'rejected' } });
    });

    it('a quorum half decided before the crash needs only the rest after it', async () => {
      const first = orgs.start({ executors });
      void first.org.submit({ id: 'migrate', type: 'python', approval: { quorum: 2 } });
      await first.org.flush();
      const [approval] = first.org.approvals.pending();
      first.org.approvals.approve(approval!.id, { by: 'api_specialist' });
      await first.org.flush();
      const second = await orgs.resume(first, { executors });
      expect(second.org.approvals.get(approval!.id)?.decisions).toMatchObject([{ by: 'api_specialist', decision: 'approved' }]);
      second.org.approvals.approve(approval!.id, { by: 'cto' });
      expect(await second.org.outcome('migrate')).toMatchObject({ status: 'completed', approvals: [{ status: 'approved', decisions: [{ by: 'api_specialist' }, { by: 'cto' }] }] });
    });

    it('an approval that expired while the process was down moves up at once; one not yet due waits for its deadline', async () => {
      for (const [downUntil, due] of [
        [5_000, 0],
        [600, 400],
      ] as const) {
        const clock = new SimulatedClock();
        const first = orgs.start({ executors, clock });
        void first.org.submit({ id: 'deploy', type: 'python', approval: { timeoutMs: 1_000 } });
        clock.increment(100);
        await first.org.flush();
        expect(first.org.approvals.pending()).toMatchObject([{ approver: 'api_specialist', expiresAt: 1_000 }]);
        const later = new SimulatedClock();
        later.set(downUntil);
        const second = await orgs.resume(first, { executors, clock: later });
        if (due > 0) {
          later.increment(due - 1);
          await flush();
          expect(second.org.approvals.pending()).toMatchObject([{ approver: 'api_specialist' }]);
          later.increment(1);
        }
        await flush();
        expect(second.org.approvals.pending()).toMatchObject([
          { approver: 'backend_lead', askedApprovers: ['api_specialist', 'backend_lead'], expiresAt: Math.max(downUntil, 1_000) + 1_000 },
        ]);
        second.org.approvals.approve(second.org.approvals.pending()[0]!.id, { by: 'backend_lead' });
        expect(await second.org.outcome('deploy')).toMatchObject({ status: 'completed' });
      }
    });

    it('an escalation waiting for a person is still waiting, is handed to onEscalation again, and can be resolved', async () => {
      const asked: Escalation[] = [];
      const onEscalation = (escalation: Escalation) => void asked.push(escalation);
      const first = orgs.start({ executors, onEscalation });
      void first.org.submit({ id: 'q', type: 'quantum_computing' });
      await first.org.flush();
      expect(asked).toHaveLength(1);
      const second = await orgs.resume(first, { executors, onEscalation });
      await flush();
      expect(asked.map((escalation) => escalation.id)).toEqual([asked[0]!.id, asked[0]!.id]);
      expect(second.org.escalations.active()).toEqual([asked[0]]);
      second.org.escalations.resolve(asked[0]!.id, { result: 'done by hand', by: 'alice' });
      expect(await second.org.outcome('q')).toMatchObject({ status: 'completed', result: 'done by hand', escalations: [{ status: 'resolved', resolvedBy: 'human:alice' }] });
    });

    it('journals a task across the restart: every hop, decision and execution, with time, actor and session', async () => {
      const clock = new SimulatedClock();
      const first = orgs.start({ executors, clock });
      void first.org.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
      await first.org.flush();
      const later = new SimulatedClock();
      later.set(60_000);
      const second = await orgs.resume(first, { executors, clock: later });
      second.org.approvals.approve(second.org.approvals.pending()[0]!.id, { by: 'backend_lead' });
      await second.org.outcome('deploy');
      expect(second.org.journal({ taskId: 'deploy' }).map((entry) => `${entry.session} ${entry.at} ${entry.actor} ${entry.type}`)).toEqual([
        '1 0 submitter task.submitted',
        '1 0 cto task.delegated',
        '1 0 backend_lead task.delegated',
        '1 0 api_specialist task.delegated',
        '1 0 backend_dev_1 approval.requested',
        '2 60000 backend_lead approval.decided',
        '2 60000 backend_dev_1 approval.settled',
        '2 60000 backend_dev_1 task.started',
        '2 60000 backend_dev_1 task.ended',
        '2 60000 cto task.settled',
      ]);
      expect(second.org.journal().filter((entry) => entry.type.startsWith('organisation.')).map((entry) => [entry.session, entry.type])).toEqual([
        [1, 'organisation.started'],
        [2, 'organisation.resumed'],
      ]);
    });

    it('refuses a store holding an organisation unless asked to resume, and one of another shape — leaving it as it was', async () => {
      const first = orgs.start({ executors });
      void first.org.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
      await first.org.flush();
      await first.crash();
      const store = factory.reopen(first.store);
      const before = { header: store.header(), journal: store.journal().length };
      const refusal = (start: () => unknown) => {
        try {
          start();
        } catch (error) {
          return error instanceof EchelonError ? error.code : error;
        }
        return 'started';
      };
      expect(refusal(() => createOrchestrator({ hierarchy: defineHierarchy(developmentTeamSpec), executors, store }))).toBe('store_in_use');
      // The team without its frontend developer.
      const smaller = defineHierarchy({
        ...developmentTeamSpec,
        children: developmentTeamSpec.children.map((lead) => ({ ...lead, children: lead.children.map((spec) => ({ ...spec, children: 'children' in spec ? spec.children.filter((dev) => dev.id !== 'frontend_dev_1') : [] })) })),
      });
      expect(refusal(() => createOrchestrator({ hierarchy: smaller, executors, store, resume: true }))).toBe('store_incompatible');
      expect(() => createOrchestrator({ hierarchy: smaller, executors, store, resume: true })).toThrow(/agent "frontend_dev_1" is stored but not in this hierarchy/);
      expect({ header: store.header(), journal: store.journal().length }).toEqual(before);
      const resumed = orgs.open(store, { executors });
      expect(resumed.org.approvals.pending()).toHaveLength(1);
    });
  });
}
