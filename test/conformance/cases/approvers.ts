/**
 * Approvals decided by agents: an approver policy at its agent, answering at once or later,
 * leaving a request to a person, or failing — reported as an `agent.fault` in the journal of the
 * requester's task, the request left to a person.
 */
import { expect } from 'vitest';
import { approveWhen } from '../../../src/index.js';
import { deferred, pendingApproval, type Case, type CaseGroup } from '../harness.js';
import { risky, team } from './approvals.js';

/** An approver whose policy has a bug: it throws at once. */
const brokenApprover = (): never => {
  throw new Error('approver bug');
};

const agents: Case[] = [
  {
    name: 'an approver policy decides the requests sent to its agent',
    async run(t) {
      const yes = await t.start({ ...team, approvals: { approvers: { byRole: { specialist: approveWhen((request) => request.taskType !== 'deploy', 'deploys need the lead') } } } });
      expect((await yes.submit(risky('a'))).approvals[0]).toMatchObject({ status: 'approved', decisions: [{ by: 'api_specialist', decision: 'approved' }] });
      const no = await t.start({ ...team, approvals: { approvers: { byRole: { specialist: approveWhen(() => false, 'deploys need the lead') } } } });
      expect(await no.submit({ id: 'b', type: 'css', context: { requiresApproval: true } })).toMatchObject({
        status: 'rejected',
        approvals: [{ decisions: [{ by: 'react_specialist', decision: 'rejected', note: 'deploys need the lead' }] }],
      });
    },
  },
  {
    name: 'an async approver decides when it answers; undefined leaves it to a person',
    async run(t) {
      const answer = deferred<{ approve: true } | undefined>();
      let asked = 0;
      const org = await t.start({ ...team, approvals: { approvers: { byId: { api_specialist: () => (asked++, answer.promise) } } } });
      const outcome = org.submit(risky('a'));
      const approval = await pendingApproval(t, org, 'a');
      await t.until(() => asked, (count) => count === 1, 'the approver to be asked');
      answer.resolve(undefined);
      expect(await org.approvals.get(approval.id)).toMatchObject({ status: 'pending' });
      await org.approvals.approve(approval.id, { by: 'backend_lead' });
      expect(await outcome).toMatchObject({ status: 'completed', approvals: [{ decisions: [{ by: 'backend_lead', decision: 'approved' }] }] });
    },
  },
  {
    name: 'an approver that throws leaves the request to a person',
    async run(t) {
      const org = await t.start({
        ...team,
        approvals: {
          approvers: {
            byId: { api_specialist: brokenApprover },
          },
        },
      });
      const outcome = org.submit(risky('a'));
      const approval = await pendingApproval(t, org, 'a');
      await org.approvals.approve(approval.id, { by: 'api_specialist' });
      expect((await outcome).status).toBe('completed');
    },
  },
  {
    name: 'an approver that throws, at once or later, is reported as an agent.fault in the journal',
    async run(t) {
      const org = await t.start({
        ...team,
        approvals: {
          approvers: {
            byId: { api_specialist: brokenApprover, react_specialist: () => Promise.reject(new Error('model down')) },
          },
        },
      });
      const outcomes = [org.submit(risky('a')), org.submit({ id: 'b', type: 'css', context: { requiresApproval: true } })];
      // Each fault is filed with the task whose request the approver failed to decide; the request stays with a person.
      for (const [taskId, actor, message] of [
        ['a', 'api_specialist', 'approver bug'],
        ['b', 'react_specialist', 'model down'],
      ] as const) {
        const approval = await pendingApproval(t, org, taskId);
        const faults = async () => (await org.journal({ taskId })).filter((entry) => entry.type === 'agent.fault');
        const [fault] = await t.until(faults, (list) => list.length > 0, `${actor}'s fault in the journal of ${taskId}`);
        expect(fault).toMatchObject({ actor, taskId, rootId: taskId, data: { error: 'policy_error', message, approvalId: approval.id } });
        expect(await org.approvals.get(approval.id)).toMatchObject({ status: 'pending' });
        await org.approvals.approve(approval.id, { by: actor });
      }
      expect((await Promise.all(outcomes)).map((outcome) => outcome.status)).toEqual(['completed', 'completed']);
      expect((await org.journal()).filter((entry) => entry.type === 'agent.fault')).toHaveLength(2);
    },
  },
  {
    name: 'pending() lists each waiting request with its requester and approver',
    async run(t) {
      const org = await t.start(team);
      const first = org.submit(risky('p1'));
      await pendingApproval(t, org, 'p1');
      const second = org.submit({ id: 'p2', type: 'css', context: { requiresApproval: true } });
      await pendingApproval(t, org, 'p2');
      const pending = await org.approvals.pending();
      expect(pending.map((approval) => [approval.taskId, approval.requester, approval.approver]).sort()).toEqual([
        ['p1', 'backend_dev_1', 'api_specialist'],
        ['p2', 'frontend_dev_1', 'react_specialist'],
      ]);
      await org.approvals.approve(pending.find((a) => a.taskId === 'p1')!.id, { by: 'cto' });
      await org.approvals.reject(pending.find((a) => a.taskId === 'p2')!.id, { by: 'cto' });
      expect((await first).status).toBe('completed');
      expect((await second).status).toBe('rejected');
      expect(await t.until(() => org.approvals.pending(), (list) => list.length === 0, 'nothing pending')).toEqual([]);
    },
  },
];

export const approverGroups: CaseGroup[] = [{ name: 'approvals by agents', cases: agents }];
