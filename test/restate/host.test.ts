import { describe, expect, it } from 'vitest';
import { decomposeWith, developmentTeam, EchelonError, fullStackFeature, joinQuorum, type Executor } from '../../src/index.js';
import { adminQuery } from '../../src/restate/admin-query.js';
import { restateOrchestrator } from '../../src/restate/index.js';
import { restateOrg, sharedServer } from './support.js';

const executors = { default: (async (task, { agent }) => ({ done: task.type, by: agent.id })) satisfies Executor };
const code = async (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: unknown) => (error instanceof EchelonError ? error.code : String(error)));
const until = async <T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('echelon/restate: the organisation on Restate', () => {
  it('routes a task down the subtree that can do it, settles it once, and a resubmitted id gets its first outcome', async () => {
    let runs = 0;
    const org = await restateOrg({ hierarchy: developmentTeam(), executors: { default: async (task, { agent }) => ({ done: task.type, by: agent.id, run: ++runs }) } });
    const outcome = await org.submit({ id: 'login-1', type: 'api_design', payload: { feature: 'login' } });
    expect(outcome.status).toBe('completed');
    expect(outcome.executedBy).toBe('api_specialist');
    expect(outcome.delegationChain).toEqual(['cto', 'backend_lead', 'api_specialist']);
    expect(outcome.result).toEqual({ done: 'api_design', by: 'api_specialist', run: 1 });
    const again = await org.submit({ id: 'login-1', type: 'api_design' });
    expect(again).toEqual(outcome);
    expect(await org.outcome('login-1')).toEqual(outcome);
    expect(runs).toBe(1);
    const journal = await org.journal({ taskId: 'login-1' });
    expect(journal.map((entry) => entry.type)).toEqual(expect.arrayContaining(['task.submitted', 'task.delegated', 'task.started', 'task.ended', 'task.settled']));
    expect(journal.find((entry) => entry.type === 'task.started')?.actor).toBe('api_specialist');
    // Handed up with the result, and filed by the entry agent before its settlement.
    expect(journal.filter((entry) => entry.type === 'task.ended' || entry.type === 'task.settled').map((entry) => `${entry.type}@${entry.actor}`)).toEqual(['task.ended@api_specialist', 'task.settled@cto']);
    expect((await org.agentState('backend_lead')).held).toEqual({});
    expect((await org.status()).activeTasks).toBe(0);
  }, 60_000);

  it('a task id submitted again after Restate let its workflow go (retention; here purged) gets its first outcome from the case', async () => {
    const name = `again${process.pid}`;
    let runs = 0;
    const org = await restateOrg({ name, hierarchy: developmentTeam(), executors: { default: async () => ++runs } });
    const first = await org.submit({ id: 'again', type: 'api_design' });
    expect(first).toMatchObject({ status: 'completed', result: 1 });
    const { adminUrl } = await sharedServer();
    const workflows = () => adminQuery(adminUrl, `SELECT id FROM sys_invocation WHERE target_service_name = '${name}-task' AND target_service_key = 'again'`);
    const [run] = await workflows();
    expect((await fetch(`${adminUrl}/invocations/${String(run!.id)}/purge`, { method: 'PATCH' })).ok).toBe(true);
    expect(await until(workflows, (rows) => rows.length === 0)).toEqual([]);
    expect(await org.submit({ id: 'again', type: 'api_design' })).toEqual(first);
    expect(runs).toBe(1);
  }, 60_000);

  it("keeps the organisation's own handlers off the ingress: only the client's calls are open to callers", async () => {
    const name = `private${process.pid}`;
    const org = await restateOrg({ name, hierarchy: developmentTeam(), executors });
    const { ingressUrl } = await sharedServer();
    const post = (path: string, body: unknown) => fetch(`${ingressUrl}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const task = { id: 'forged', type: 'api_design' };
    for (const path of [`${name}-agents-cto/cto/receive`, `${name}-case/forged/report`, `${name}-case/forged/open`, `${name}-run-cto/attempt`, `${name}-resources/resources/claim`, `${name}-task/forged/settle`]) {
      const response = await post(path, { type: 'task.assign', task });
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
    }
    // The client's own calls still go through the ingress.
    expect((await org.agentState('cto')).held).toEqual({});
    expect((await org.submit({ id: 'open-door', type: 'api_design' })).status).toBe('completed');
  }, 60_000);

  it('refuses bad input at the door with the in-process codes', async () => {
    const org = await restateOrg({ hierarchy: developmentTeam(), executors });
    expect(await code(org.submit({ type: '' }))).toBe('invalid_task');
    expect(await code(org.submit({ type: 'api_design' }, { at: 'nobody' }))).toBe('unknown_agent');
    expect(await code(org.outcome('never-submitted'))).toBe('unknown_task');
    expect(await code(org.agentState('nobody'))).toBe('unknown_agent');
    expect(await code(org.approvals.approve('apr_none', { by: 'cto' }))).toBe('unknown_approval');
    expect(await code(org.approvals.approve('apr_none', undefined as never))).toBe('invalid_option');
    expect(await code(org.escalations.resolve('esc_none', { result: 1 }))).toBe('unknown_escalation');
  }, 60_000);

  it('says engine_unavailable, naming the service, when the server does not serve the organisation (nothing registered, another name)', async () => {
    const { ingressUrl, adminUrl } = await sharedServer();
    const unserved = restateOrchestrator({ name: `unserved${process.pid}`, hierarchy: developmentTeam(), executors, ingressUrl, adminUrl });
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as EchelonError);
    // Before: submit and agentState threw the SDK's HttpCallError (404), and outcome said unknown_task, as if the task were the problem.
    for (const [call, service] of [
      [() => unserved.submit({ id: 'lost-1', type: 'api_design' }), `unserved${process.pid}-task`],
      [() => unserved.outcome('lost-1'), `unserved${process.pid}-task`],
      [() => unserved.agentState('backend_lead'), `unserved${process.pid}-agents-backend_lead`],
    ] as const) {
      const error = await refusal(call());
      expect(error).toBeInstanceOf(EchelonError);
      expect(error).toMatchObject({ code: 'engine_unavailable', details: { service } });
      expect(error!.message).toContain(`has no service ${service}`);
    }
    // The admin API given as the ingress answered the SDK's HttpCallError (404, no body).
    const swapped = restateOrchestrator({ name: `unserved${process.pid}`, hierarchy: developmentTeam(), executors, ingressUrl: adminUrl, adminUrl: ingressUrl });
    await expect(swapped.submit({ id: 'lost-2', type: 'api_design' })).rejects.toMatchObject({ code: 'engine_unavailable', message: expect.stringContaining('is ingressUrl the server') });
  }, 60_000);

  it('parks a task for approval until a person with authority decides through the API', async () => {
    const org = await restateOrg({ hierarchy: developmentTeam(), executors });
    const waiting = org.submit({ id: 'deploy-1', type: 'api_design', context: { requiresApproval: true } });
    const [approval] = await until(() => org.approvals.pending(), (pending) => pending.length > 0);
    expect(approval).toMatchObject({ taskId: 'deploy-1', requester: 'api_specialist', approver: 'backend_lead', status: 'pending' });
    expect((await org.agentState('api_specialist')).awaitingApproval).toEqual(['deploy-1']);
    expect((await org.status()).pendingApprovals).toBe(1);
    expect(await code(org.approvals.approve(approval!.id, { by: 'react_specialist' }))).toBe('approval_unauthorized');
    await org.approvals.approve(approval!.id, { by: 'backend_lead', comment: 'ship it' });
    const outcome = await waiting;
    expect(outcome.status).toBe('completed');
    expect(outcome.approvals[0]).toMatchObject({ status: 'approved', decisions: [{ by: 'backend_lead', decision: 'approved' }] });
    expect((await org.approvals.get(approval!.id))?.status).toBe('approved');
  }, 60_000);

  it('cancels a parked task wherever it is', async () => {
    const org = await restateOrg({ hierarchy: developmentTeam(), executors });
    const waiting = org.submit({ id: 'deploy-2', type: 'api_design', context: { requiresApproval: true } });
    await until(() => org.approvals.pending(), (pending) => pending.length > 0);
    const cancelled = await org.cancel('deploy-2', 'changed our minds');
    expect(cancelled.status).toBe('cancelled');
    expect((await waiting).status).toBe('cancelled');
    expect((await org.agentState('api_specialist')).held).toEqual({});
  }, 60_000);

  it('aborts a running executor through its signal when its task is cancelled', async () => {
    let started = false;
    let aborted = false;
    const org = await restateOrg({
      hierarchy: developmentTeam(),
      executors: {
        default: (_task, { signal }) =>
          new Promise((_resolve, reject) => {
            started = true;
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            });
          }),
      },
    });
    const waiting = org.submit({ id: 'long-1', type: 'api_design' });
    await until(async () => started, (yes) => yes);
    const cancelled = await org.cancel('long-1');
    expect(cancelled.status).toBe('cancelled');
    expect((await waiting).status).toBe('cancelled');
    await until(async () => aborted, (yes) => yes);
    expect(aborted).toBe(true);
  }, 60_000);

  it('splits a task across subtrees served by separate endpoints and joins the parts', async () => {
    const org = await restateOrg(
      {
        hierarchy: developmentTeam(),
        executors,
        decomposers: {
          byType: { full_stack_feature: fullStackFeature() },
          byId: { cto: decomposeWith('review', (task) => (task.type === 'review' ? [{ type: 'python' }, { type: 'css' }, { type: 'sql' }] : undefined), { join: joinQuorum(2) }) },
        },
      },
      [['cto'], ['backend_lead'], ['frontend_lead']],
    );
    const outcome = await org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'user authentication' } });
    expect(outcome.status).toBe('completed');
    expect(outcome.splitBy).toBe('cto');
    expect(Object.keys(outcome.result as object).sort()).toEqual(['backend', 'frontend']);
    expect(outcome.subtasks?.map((subtask) => subtask.taskId).sort()).toEqual(['auth.backend', 'auth.frontend']);
    const review = await org.submit({ id: 'review-1', type: 'review' });
    expect(review.status).toBe('completed');
  }, 90_000);

  it('escalates a failed task to a person at the top, who resolves it through the API', async () => {
    const org = await restateOrg({
      hierarchy: developmentTeam(),
      executors: {
        default: async () => {
          throw new Error('the database is down');
        },
      },
      onEscalation: () => undefined,
    });
    const waiting = org.submit({ id: 'broken-1', type: 'api_design' });
    const [escalation] = await until(() => org.escalations.active(), (active) => active.some((item) => item.to === 'human'));
    const human = (await org.escalations.active()).find((item) => item.to === 'human')!;
    expect(escalation).toBeDefined();
    await org.escalations.resolve(human.id, { result: { fixed: true }, by: 'ops' });
    const outcome = await waiting;
    expect(outcome.status).toBe('completed');
    expect(outcome.result).toEqual({ fixed: true });
    expect(outcome.executedBy).toBe('human:ops');
  }, 90_000);
});
