/**
 * The handlers the ingress serves to anyone, called with what echelon's client never sends. Before,
 * one malformed submission posted to the task workflow reached the root agent, whose turn threw and
 * was retried for ever: every later task waited behind it. A malformed decision posted to a case
 * left that case retried for ever (its task never ended, every later call to it timed out), and so
 * did a decision with a 12 MiB comment made through the client. Now each is refused at its door.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { DECISION_LIMIT_BYTES } from '../../src/restate/ingress-door.js';
import type { RestateOrchestrator } from '../../src/restate/index.js';
import { restateOrg, sharedServer } from './support.js';

const post = async (path: string, body: unknown) => {
  const { ingressUrl } = await sharedServer();
  const response = await fetch(`${ingressUrl}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
};

/** Polls until the task's approval is pending, and returns it. */
async function pendingOf(org: RestateOrchestrator, taskId: string) {
  for (;;) {
    const found = (await org.approvals.pending()).find((approval) => approval.taskId === taskId);
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the handlers the ingress serves, called with what the client never sends', () => {
  it('ends a malformed submission to the task workflow as invalid_task, and the organisation goes on', async () => {
    const name = `door${process.pid}`;
    const org = await restateOrg({ name, hierarchy: developmentTeam(), executors: { default: async () => 'done' } });
    const good = { id: 'k', type: 'api_design', payload: null, context: {}, resources: [], requiredSkills: [], rootId: 'k', origin: { kind: 'submitter' }, chain: ['cto'], escalations: [], excluded: [], approvedBy: [], submittedAt: 1, depth: 0, budget: { account: 'k', maxSubtasks: 1000, maxDepth: 8 } };
    const openings: Record<string, unknown> = {
      nothing: null,
      untyped: { task: { ...good, id: 'untyped', rootId: 'untyped', budget: { ...good.budget, account: 'untyped' }, type: 5 }, entry: 'cto' },
      bare: { task: { id: 'bare', type: 'api_design' }, entry: 'cto' },
      elsewhere: { task: { ...good, id: 'not-the-key' }, entry: 'cto' },
      nobody: { task: { ...good, id: 'nobody', rootId: 'nobody', budget: { ...good.budget, account: 'nobody' } }, entry: 'mallory' },
      forged: { task: { ...good, id: 'forged', rootId: 'forged', budget: { ...good.budget, account: 'forged' }, approvedBy: ['apv_1'] }, entry: 'cto' },
    };
    for (const [key, opening] of Object.entries(openings)) {
      expect((await post(`${name}-task/${key}/run/send`, opening)).status).toBe(202);
      await expect(org.outcome(key)).rejects.toMatchObject({ code: 'invalid_task', details: { taskId: key }, message: expect.stringContaining(`A task submitted to ${name}-task/${key}: `) });
    }
    // A budget's cost may be Infinity, which comes through JSON as null: such a task is one the client makes.
    const unbounded = { id: 'unbounded', type: 'api_design', budget: { cost: Infinity } };
    expect(await org.submit(unbounded)).toMatchObject({ taskId: 'unbounded', status: 'completed' });
    // The shape the client sends, posted by hand, is taken.
    expect((await post(`${name}-task/k/run/send`, { task: good, entry: 'cto' })).status).toBe(202);
    expect(await org.outcome('k')).toMatchObject({ taskId: 'k', status: 'completed', result: 'done' });
    expect(await org.submit({ id: 'after', type: 'react' })).toMatchObject({ status: 'completed', result: 'done' });
  }, 60_000);

  it('refuses a malformed or oversized decision, resolution or cancellation posted to a case, and the task goes on', async () => {
    const name = `case${process.pid}`;
    const org = await restateOrg({ name, hierarchy: developmentTeam(), executors: { default: async () => 'done' } });
    const running = org.submit({ id: 'held', type: 'react', context: { requiresApproval: true } });
    const approval = await pendingOf(org, 'held');
    const calls: Array<[string, unknown]> = [
      ['approve', null],
      ['approve', { id: approval.id }],
      ['approve', { id: approval.id, decision: null }],
      ['approve', { id: 7, decision: { by: approval.approver } }],
      ['approve', { id: approval.id, decision: { by: approval.approver, comment: 'x'.repeat(DECISION_LIMIT_BYTES) } }],
      ['reject', { id: approval.id, decision: { by: approval.approver, reason: 5 } }],
      ['resolve', { id: 'esc_1' }],
      ['resolve', null],
      ['cancel', { taskId: 5 }],
      ['cancel', null],
    ];
    for (const [handler, body] of calls) {
      const answer = await post(`${name}-case/held/${handler}`, body);
      expect({ handler, body: JSON.stringify(body)?.slice(0, 80), status: answer.status, code: (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code }).toEqual({
        handler,
        body: JSON.stringify(body)?.slice(0, 80),
        status: 200,
        code: 'invalid_option',
      });
    }
    // Through the client, at its door: nothing is sent.
    // Text of at most 64 Ki characters (every host's rule), which takes more than 64 KiB as JSON.
    await expect(org.approvals.approve(approval.id, { by: approval.approver, comment: 'é'.repeat(40_000) })).rejects.toMatchObject({ code: 'invalid_option', details: { approvalId: approval.id, limit: DECISION_LIMIT_BYTES } });
    await expect(org.approvals.approve(approval.id, { by: approval.approver, comment: 'x'.repeat(12 * 1024 * 1024) })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/comment must be at most 65,536 characters/) });
    await expect(org.escalations.resolve('esc_1', { result: 'x'.repeat(9 * 1024 * 1024) })).rejects.toMatchObject({ code: 'invalid_option', details: { escalationId: 'esc_1' } });
    await org.approvals.approve(approval.id, { by: approval.approver, comment: 'fine' });
    expect(await running).toMatchObject({ status: 'completed', approvals: [{ status: 'approved' }] });
    // The case still answers.
    await expect(org.approvals.approve(approval.id, { by: approval.approver })).rejects.toMatchObject({ code: 'unknown_approval' });
  }, 60_000);

  it("answers an agent's status for a key that is no agent of the unit with a refusal, not a call retried for ever", async () => {
    const name = `status${process.pid}`;
    const org = await restateOrg({ name, hierarchy: developmentTeam(), executors: { default: async () => 'done' } });
    for (const key of ['mallory', 'backend_dev_1']) {
      const answer = await post(`${name}-agents-cto/${key}/status`, undefined);
      expect({ key, status: answer.status, said: answer.text.includes(`unknown_agent: No agent \\"${key}\\" in unit cto`) }).toEqual({ key, status: 400, said: true });
    }
    expect((await post(`${name}-agents-cto/cto/status`, undefined)).status).toBe(200);
    expect((await org.agentState('backend_dev_1')).id).toBe('backend_dev_1');
  }, 60_000);
});
