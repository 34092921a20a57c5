/**
 * Who may approve, as a user meets it: a requirement naming nobody above the requester rejects
 * the task with a message saying who is missing, and each refused decision says who, which
 * approval and why (the EchelonError's message and details, as the approvals API throws them).
 */
import { describe, expect, it } from 'vitest';
import { approveWhen, developmentTeam, type ApprovalRequest, type ApprovalRequirement } from '../../src/index.js';
import { errorOf, flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (_task, { agent }) => agent.id });

/** The outcome of a python task (backend_dev_1 executes it) needing `approval`. */
async function requesting(approval: ApprovalRequirement) {
  const org = start();
  const outcome = await org.submit({ type: 'python', approval });
  return { org, outcome };
}

describe('an approval requirement naming nobody above the requester rejects its task', () => {
  it.each([
    [{ approver: 'frontend_lead' }, '"frontend_lead" is not above "backend_dev_1", so it cannot approve its work.'],
    [{ approver: 'backend_dev_1' }, '"backend_dev_1" is not above "backend_dev_1", so it cannot approve its work.'],
    [{ role: 'worker' }, 'No worker above "backend_dev_1" to approve its work.'],
    [{ level: 3 }, 'Nobody at level 3 above "backend_dev_1" to approve its work.'],
    [{ approver: 'api_specialist', level: 1 }, '"api_specialist" (level 2) is below the required level 1.'],
    [{ role: 'specialist', level: 0 }, '"api_specialist" (level 2) is below the required level 0.'],
  ] as const)('%o: %s', async (approval, message) => {
    const { org, outcome } = await requesting(approval);
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'approval_unauthorized', message, details: { requester: 'backend_dev_1' } } });
    expect(outcome.executedBy).toBeUndefined();
    expect(org.approvals.pending()).toEqual([]);
  });

  it('the root is told nobody above it can approve', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'strategy', context: { requiresApproval: true } });
    expect(outcome.error).toEqual({
      code: 'approval_unauthorized',
      message: '"cto" is the root: nobody above it can approve its work, and nobody approves their own request.',
      details: { requester: 'cto' },
    });
  });

  it('a named approver above the requester, at the level asked or above, is asked', async () => {
    const org = start();
    const outcome = org.submit({ type: 'python', approval: { approver: 'backend_lead', level: 1 } });
    await flush();
    expect(org.approvals.pending()).toMatchObject([{ requester: 'backend_dev_1', approver: 'backend_lead', requiredLevel: 1 }]);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'backend_lead' });
    expect(await outcome).toMatchObject({ status: 'completed', result: 'backend_dev_1' });
  });

  it('a role or level names the nearest such ancestor', async () => {
    const org = start();
    void org.submit({ id: 'by-role', type: 'python', approval: { role: 'executive' } });
    void org.submit({ id: 'by-level', type: 'python', approval: { level: 1 } });
    await flush();
    expect(org.approvals.pending().map((approval) => [approval.taskId, approval.approver, approval.requiredLevel])).toEqual([
      ['by-role', 'cto', 0],
      ['by-level', 'backend_lead', 1],
    ]);
  });
});

describe('a refused decision says who, on which approval, and why', () => {
  const parked = async () => {
    const org = start();
    const outcome = org.submit({ type: 'python', approval: { level: 1 } });
    await flush();
    return { org, outcome, approval: org.approvals.pending()[0]! };
  };

  it.each([
    ['ghost', 'unknown_agent', (id: string) => `No agent "ghost" in this hierarchy to decide approval ${id}.`],
    ['backend_dev_1', 'self_approval', (id: string) => `"backend_dev_1" requested approval ${id} and cannot decide its own request.`],
    ['db_specialist', 'approval_unauthorized', (id: string) => `"db_specialist" cannot decide approval ${id}: it needs an ancestor of "backend_dev_1" at level 1 or above.`],
    ['api_specialist', 'approval_unauthorized', (id: string) => `"api_specialist" cannot decide approval ${id}: it needs an ancestor of "backend_dev_1" at level 1 or above. It is "backend_lead"'s to decide now.`],
  ])('%s → %s', async (by, code, message) => {
    const { org, approval } = await parked();
    const error = errorOf(() => org.approvals.approve(approval.id, { by }));
    expect(error).toMatchObject({ code, message: message(approval.id), details: { approvalId: approval.id, requester: 'backend_dev_1', by } });
    expect(org.approvals.get(approval.id)).toMatchObject({ status: 'pending', decisions: [] });
  });

  it('an approver deciding twice is told it already decided', async () => {
    const org = start();
    const outcome = org.submit({ type: 'python', approval: { level: 1, quorum: 2 } });
    await flush();
    const approval = org.approvals.pending()[0]!;
    org.approvals.approve(approval.id, { by: 'backend_lead' });
    const error = errorOf(() => org.approvals.reject(approval.id, { by: 'backend_lead' }));
    expect(error).toMatchObject({ code: 'duplicate_decision', message: `"backend_lead" already decided approval ${approval.id}.`, details: { approvalId: approval.id, requester: 'backend_dev_1', by: 'backend_lead' } });
    org.approvals.approve(approval.id, { by: 'cto' });
    expect((await outcome).status).toBe('completed');
  });
});

describe('approveWhen', () => {
  const team = developmentTeam();
  const context = { approver: team.get('api_specialist'), hierarchy: team, signal: new AbortController().signal, reportCost: () => undefined };
  const request = { id: 'a1', taskType: 'python' } as ApprovalRequest;

  it('approves what the predicate accepts and rejects the rest, with its reason or a default one', () => {
    expect(approveWhen((asked) => asked.taskType === 'python')(request, context)).toEqual({ approve: true });
    expect(approveWhen(() => false)(request, context)).toEqual({ approve: false, reason: 'rejected by policy' });
    expect(approveWhen(() => false, 'not on Fridays')(request, context)).toEqual({ approve: false, reason: 'not on Fridays' });
  });
});

describe('a request whose requester is no agent of the hierarchy any more', () => {
  it('is refused as unknown_agent saying the requester is gone, not that the decider lacks authority', async () => {
    const { defineHierarchy, developmentTeamSpec } = await import('../../src/index.js');
    const { checkAuthority } = await import('../../src/approval/authority.js');
    // The development team with react_specialist removed (its worker moved up), as a redeploy might leave it.
    const frontend = { ...developmentTeamSpec.children[1], children: developmentTeamSpec.children[1].children[0].children };
    const without = defineHierarchy({ ...developmentTeamSpec, children: [developmentTeamSpec.children[0], frontend] });
    const request = { id: 'apv_1', taskId: 't', rootId: 't', taskType: 'react', requester: 'react_specialist', approver: 'frontend_lead', requiredLevel: 1, quorum: 1, reason: 'r', requestedAt: 0, status: 'pending', decisions: [], askedApprovers: ['frontend_lead'] } as unknown as ApprovalRequest;
    for (const by of ['frontend_lead', 'cto']) {
      expect(checkAuthority(without, request, [], by)).toEqual({
        code: 'unknown_agent',
        message: 'Approval apv_1 was requested by "react_specialist", which is no agent of this hierarchy any more (removed since): nobody can decide it.',
        details: { approvalId: 'apv_1', requester: 'react_specialist', by },
      });
    }
    expect(checkAuthority(developmentTeam(), request, [], 'frontend_lead')).toBeUndefined();
  });
});
