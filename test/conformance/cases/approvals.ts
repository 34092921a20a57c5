/**
 * Approvals: parked tasks, authority, decisions by people, quorum, rejection and
 * expiry one level up at a time.
 */
import { expect } from 'vitest';
import { developmentTeam, type Executor } from '../../../src/index.js';
import { pendingApproval, refusal, type Case, type CaseGroup } from '../harness.js';

const reportsApproval: Executor = async (_task, { agent, approved }) => ({ by: agent.id, approved });
/** The development team, executors saying who approved; `risky(id)` needs approval (asked of api_specialist). */
export const team = { hierarchy: developmentTeam(), executors: reportsApproval };
export const risky = (id: string) => ({ id, type: 'python', context: { requiresApproval: true } });

/** Who tries to approve backend_dev_1's request (asked of api_specialist), and what they get. */
const AUTHORITY: ReadonlyArray<readonly [string, string, string]> = [
  ['a sibling', 'db_specialist', 'approval_unauthorized'],
  ['a descendant of another branch', 'frontend_dev_1', 'approval_unauthorized'],
  ['the requester itself', 'backend_dev_1', 'self_approval'],
  ['an unknown agent', 'ghost', 'unknown_agent'],
  ['the parent', 'api_specialist', 'accepted'],
  ['an ancestor above the required level', 'cto', 'accepted'],
];

const people: Case[] = [
  {
    name: 'a task needing approval parks at its agent until the parent approves, then executes',
    async run(t) {
      const org = await t.start(team);
      const outcome = org.submit(risky('r'));
      const approval = await pendingApproval(t, org, 'r');
      expect(approval).toMatchObject({ taskId: 'r', taskType: 'python', requester: 'backend_dev_1', approver: 'api_specialist', requiredLevel: 2, quorum: 1, status: 'pending', decisions: [] });
      expect(await org.agentState('backend_dev_1')).toMatchObject({ state: 'awaitingApproval', awaitingApproval: ['r'] });
      expect((await org.status()).pendingApprovals).toBe(1);
      await org.approvals.approve(approval.id, { by: 'api_specialist', comment: 'looks fine' });
      const done = await outcome;
      expect(done).toMatchObject({ status: 'completed', result: { by: 'backend_dev_1', approved: true }, executedBy: 'backend_dev_1' });
      expect(done.approvals).toMatchObject([{ id: approval.id, status: 'approved', decisions: [{ by: 'api_specialist', decision: 'approved', note: 'looks fine' }] }]);
      expect(await t.until(() => org.status(), (status) => status.pendingApprovals === 0, 'no approval pending')).toMatchObject({ pendingApprovals: 0 });
      expect((await t.until(() => org.agentState('backend_dev_1'), (agent) => agent.state === 'receiving', 'the worker to be idle')).awaitingApproval).toEqual([]);
    },
  },
  {
    name: 'a rejection ends the task as rejected, with the reason',
    async run(t) {
      const org = await t.start(team);
      const outcome = org.submit(risky('r'));
      const approval = await pendingApproval(t, org, 'r');
      await org.approvals.reject(approval.id, { by: 'backend_lead', reason: 'not in this sprint' });
      expect(await outcome).toMatchObject({ status: 'rejected', error: { code: 'rejected', message: `backend_lead rejected approval ${approval.id}: not in this sprint` } });
    },
  },
  ...AUTHORITY.map(
    ([who, by, code]): Case => ({
      name: `authority: ${who} (${by}) → ${code}`,
      async run(t) {
        const org = await t.start(team);
        const outcome = org.submit(risky('r'));
        const approval = await pendingApproval(t, org, 'r');
        expect(await refusal(() => org.approvals.approve(approval.id, { by }))).toBe(code);
        if (code !== 'accepted') {
          expect(await org.approvals.get(approval.id)).toMatchObject({ status: 'pending', decisions: [] });
          await org.approvals.approve(approval.id, { by: 'api_specialist' });
        }
        expect((await outcome).status).toBe('completed');
      },
    }),
  ),
  {
    name: 'authority: a required level above the parent; decided or unknown approvals are refused',
    async run(t) {
      const org = await t.start(team);
      const outcome = org.submit({ id: 'l', type: 'python', approval: { level: 1 } });
      const approval = await pendingApproval(t, org, 'l');
      expect(approval).toMatchObject({ approver: 'backend_lead', requiredLevel: 1 });
      expect(await refusal(() => org.approvals.approve(approval.id, { by: 'api_specialist' }))).toBe('approval_unauthorized');
      expect(await refusal(() => org.approvals.reject(approval.id, { by: 'api_specialist' }))).toBe('approval_unauthorized');
      expect(await refusal(() => org.approvals.approve(approval.id, {} as never))).toBe('invalid_option');
      await org.approvals.approve(approval.id, { by: 'cto' });
      expect((await outcome).status).toBe('completed');
      expect(await refusal(() => org.approvals.approve(approval.id, { by: 'cto' }))).toBe('unknown_approval');
      expect(await refusal(() => org.approvals.reject('apv_nope', { by: 'cto' }))).toBe('unknown_approval');
    },
  },
  {
    name: 'task.approval and the approvals.required rule ask whom they name',
    async run(t) {
      const org = await t.start({ ...team, approvals: { required: (task) => (task.type === 'css' ? { role: 'manager', reason: 'styles are brand' } : undefined) } });
      const ruled = org.submit({ id: 'c', type: 'css' });
      const byRule = await pendingApproval(t, org, 'c');
      expect(byRule).toMatchObject({ requester: 'frontend_dev_1', approver: 'frontend_lead', requiredLevel: 1, reason: 'styles are brand' });
      await org.approvals.approve(byRule.id, { by: 'frontend_lead' });
      expect((await ruled).status).toBe('completed');
      const flagged = org.submit({ id: 'f', type: 'react', approval: { approver: 'cto', reason: 'big change' } });
      const named = await pendingApproval(t, org, 'f');
      expect(named).toMatchObject({ requester: 'react_specialist', approver: 'cto', requiredLevel: 0 });
      await org.approvals.approve(named.id, { by: 'cto' });
      expect((await flagged).status).toBe('completed');
    },
  },
  {
    name: 'an executor asks for approval itself and runs again once approved',
    async run(t) {
      const runs: boolean[] = [];
      const org = await t.start({
        hierarchy: developmentTeam(),
        executors: async (_task, context) => {
          runs.push(context.approved);
          if (!context.approved) context.requestApproval({ reason: 'about to spend money' });
          return 'spent';
        },
      });
      const outcome = org.submit({ id: 's', type: 'css' });
      const approval = await pendingApproval(t, org, 's');
      expect(approval.reason).toBe('about to spend money');
      await org.approvals.approve(approval.id, { by: 'react_specialist' });
      expect((await outcome).result).toBe('spent');
      expect(runs).toEqual([false, true]);
    },
  },
  {
    name: 'the root cannot be approved by anyone: its task is rejected with approval_unauthorized',
    async run(t) {
      const org = await t.start(team);
      expect(await org.submit({ id: 'top', type: 'strategy', context: { requiresApproval: true } })).toMatchObject({ status: 'rejected', error: { code: 'approval_unauthorized' } });
    },
  },
];

const quorum: Case[] = [
  {
    name: 'quorum: N distinct approvals; one approver cannot count twice',
    async run(t) {
      const org = await t.start(team);
      const outcome = org.submit({ id: 'q', type: 'python', approval: { quorum: 3 } });
      const approval = await pendingApproval(t, org, 'q');
      await org.approvals.approve(approval.id, { by: 'api_specialist' });
      expect(await refusal(() => org.approvals.approve(approval.id, { by: 'api_specialist' }))).toBe('duplicate_decision');
      await org.approvals.approve(approval.id, { by: 'backend_lead' });
      expect(await org.approvals.get(approval.id)).toMatchObject({ status: 'pending', decisions: [{ by: 'api_specialist' }, { by: 'backend_lead' }] });
      await org.approvals.approve(approval.id, { by: 'cto' });
      const done = await outcome;
      expect(done.status).toBe('completed');
      expect(done.approvals[0]!.decisions.map((decision) => decision.by)).toEqual(['api_specialist', 'backend_lead', 'cto']);
    },
  },
  {
    name: 'quorum: one rejection ends it, whatever the approvals so far',
    async run(t) {
      const org = await t.start(team);
      const outcome = org.submit({ id: 'q', type: 'python', approval: { quorum: 2 } });
      const approval = await pendingApproval(t, org, 'q');
      await org.approvals.approve(approval.id, { by: 'api_specialist' });
      await org.approvals.reject(approval.id, { by: 'cto', reason: 'no' });
      expect(await outcome).toMatchObject({ status: 'rejected', approvals: [{ status: 'rejected' }] });
    },
  },
  {
    name: 'expiry: an undecided request moves one level up each time, and is rejected as expired at the root',
    timed: 'approvals.timeoutMs of 1500 ms, three times: long enough to see each move on a loaded machine (at 100 ms a slow poll could find the request gone past the level it waits for)',
    async run(t) {
      const org = await t.start({ ...team, approvals: { timeoutMs: 1_500 } });
      const outcome = org.submit(risky('x'));
      const approval = await pendingApproval(t, org, 'x');
      expect(approval.expiresAt! - approval.requestedAt).toBe(1_500);
      for (const next of ['backend_lead', 'cto']) {
        await t.advance(1_500);
        await t.until(() => org.approvals.get(approval.id), (now) => now!.askedApprovers.includes(next), `the request to move to ${next}`);
      }
      await t.advance(1_500);
      const done = await outcome;
      expect(done).toMatchObject({ status: 'rejected', error: { code: 'approval_expired' } });
      expect(done.approvals[0]).toMatchObject({ status: 'expired', askedApprovers: ['api_specialist', 'backend_lead', 'cto'] });
    },
  },
  {
    name: 'expiry: who let a request expire loses the authority the next level needs',
    timed: 'approvals.timeoutMs of 1500 ms, long enough to decide within on a loaded machine',
    async run(t) {
      const org = await t.start({ ...team, approvals: { timeoutMs: 1_500 } });
      const outcome = org.submit(risky('x'));
      const approval = await pendingApproval(t, org, 'x');
      expect(approval).toMatchObject({ approver: 'api_specialist', askedApprovers: ['api_specialist'] });
      await t.advance(1_500);
      const moved = await t.until(() => org.approvals.get(approval.id), (now) => now!.askedApprovers.length > 1, 'the request to move up');
      expect(moved).toMatchObject({ status: 'pending', approver: 'backend_lead', askedApprovers: ['api_specialist', 'backend_lead'], requiredLevel: 1 });
      expect(await refusal(() => org.approvals.approve(approval.id, { by: 'api_specialist' }))).toBe('approval_unauthorized');
      await org.approvals.approve(approval.id, { by: 'backend_lead' });
      expect(await outcome).toMatchObject({ status: 'completed', approvals: [{ status: 'approved', decisions: [{ by: 'backend_lead' }] }] });
    },
  },
  {
    name: 'expiry: a decision before the deadline stops the timer',
    timed: 'approvals.timeoutMs of 1500 ms, long enough to decide within on a loaded machine',
    async run(t) {
      const org = await t.start({ ...team, approvals: { timeoutMs: 1_500 } });
      const outcome = org.submit(risky('x'));
      const approval = await pendingApproval(t, org, 'x');
      await org.approvals.approve(approval.id, { by: 'api_specialist' });
      expect((await outcome).status).toBe('completed');
      await t.advance(1_600);
      expect(await org.approvals.get(approval.id)).toMatchObject({ status: 'approved', askedApprovers: ['api_specialist'] });
    },
  },
];


export const approvalGroups: CaseGroup[] = [
  { name: 'approvals by people', cases: people },
  { name: 'quorum and expiry', cases: quorum },
];
