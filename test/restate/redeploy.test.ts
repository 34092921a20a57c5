/**
 * Service processes going away. A redeploy as the README says to do it — the new version
 * registered as a new deployment (a new URL), the old process stopped — while a task waits for an
 * approval: Restate runs the task's workflow to its end on the deployment it started on, so
 * before, the approved task ended in its case but its outcome never arrived (the workflow was
 * retried for ever on the old URL); the client's `moveTasks()` resumes such workflows on the
 * deployment now serving the organisation. A redeploy that removes an agent holding work; and a
 * call timing out while the process it needs is down, which said the server was stuck.
 */
import './quiet.js';
import { describe, expect, it, onTestFinished } from 'vitest';
import { defineHierarchy, developmentTeam, developmentTeamSpec } from '../../src/index.js';
import { restateEndpoint, restateOrchestrator } from '../../src/restate/index.js';
import { sharedServer } from './support.js';

describe('a redeploy to a new URL with tasks waiting for approval', () => {
  it('moves their workflows to the new deployment: the outcomes arrive with the old process gone', async () => {
    const server = await sharedServer();
    const options = (version: string) => ({ name: `redeploy${process.pid}`, hierarchy: developmentTeam(), executors: { default: async () => version } });
    const old = await restateEndpoint(options('v1')).listen();
    await server.register(old.url);
    const org = restateOrchestrator({ ...options('v1'), ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });
    const waiting = ['p1', 'p2'].map((id) => org.submit({ id, type: 'react', context: { requiresApproval: true } }));
    for (;;) {
      if ((await org.approvals.pending()).length === 2) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await old.close();
    const next = await restateEndpoint(options('v2')).listen();
    onTestFinished(() => next.close());
    await server.register(next.url);
    const [first, second] = await org.approvals.pending();
    // One approved before the move (its workflow is retrying on the old URL), one after (its workflow waits, suspended).
    await org.approvals.approve(first!.id, { by: first!.approver });
    expect(await org.moveTasks()).toEqual(['p1', 'p2']);
    await org.approvals.approve(second!.id, { by: second!.approver });
    const outcomes = await Promise.all(waiting);
    expect(outcomes.map((outcome) => [outcome.taskId, outcome.status, outcome.result])).toEqual([
      ['p1', 'completed', 'v2'],
      ['p2', 'completed', 'v2'],
    ]);
    // Nothing is left to move.
    expect(await org.moveTasks()).toEqual([]);
  }, 60_000);

  it('refuses to cancel a task held by an agent the redeploy removed, saying so, and cancels it once the agent is back', async () => {
    const server = await sharedServer();
    // The development team without react_specialist (its worker moved up to the frontend lead).
    const frontend = { ...developmentTeamSpec.children[1], children: developmentTeamSpec.children[1].children[0].children };
    const without = defineHierarchy({ ...developmentTeamSpec, children: [developmentTeamSpec.children[0], frontend] });
    const options = (hierarchy = developmentTeam()) => ({ name: `removed${process.pid}`, hierarchy, executors: { default: async () => 'done' } });
    const deploy = async (hierarchy?: ReturnType<typeof developmentTeam>) => {
      const served = await restateEndpoint(options(hierarchy)).listen();
      onTestFinished(() => served.close());
      await server.register(served.url);
      return served;
    };
    const first = await deploy();
    const org = restateOrchestrator({ ...options(), ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });
    const waiting = org.submit({ id: 'held', type: 'react', context: { requiresApproval: true } });
    for (;;) {
      if ((await org.approvals.pending()).length === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const [request] = await org.approvals.pending();
    await first.close();
    await deploy(without);
    const changed = restateOrchestrator({ ...options(without), ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });
    expect(await changed.moveTasks()).toEqual(['held']);
    await expect(changed.approvals.approve(request!.id, { by: request!.approver })).rejects.toMatchObject({ code: 'unknown_agent', message: expect.stringContaining('requested by "react_specialist", which is no agent of this hierarchy any more') });
    await expect(changed.cancel('held')).rejects.toMatchObject({ code: 'unknown_agent', details: { taskId: 'held', agentId: 'react_specialist' }, message: expect.stringContaining('is held by "react_specialist", which is no agent of this organisation any more') });
    // Deployed with the agent again, the task cancels: marked once, by the cancellation that reached its holder.
    await deploy();
    expect(await org.moveTasks()).toEqual(['held']);
    expect(await org.cancel('held')).toMatchObject({ taskId: 'held', status: 'cancelled' });
    expect(await waiting).toMatchObject({ taskId: 'held', status: 'cancelled' });
    expect((await org.journal({ taskId: 'held' })).filter((entry) => entry.type === 'task.cancelling')).toHaveLength(1);
  }, 60_000);

  it("says a call timed out because the service process it needs may be down, and answers once it is back", async () => {
    const server = await sharedServer();
    const options = { name: `down${process.pid}`, hierarchy: developmentTeam(), executors: { default: async () => 'done' } };
    const served = await restateEndpoint(options).listen();
    await server.register(served.url);
    const port = served.port;
    const org = restateOrchestrator({ ...options, ingressUrl: server.ingressUrl, adminUrl: server.adminUrl, requestTimeoutMs: 500 });
    expect((await org.agentState('backend_lead')).id).toBe('backend_lead');
    await served.close();
    await expect(org.agentState('backend_lead')).rejects.toMatchObject({
      code: 'engine_unavailable',
      details: { timedOut: true, timeoutMs: 500 },
      message: expect.stringContaining('the service process it needs for it is down or unreachable (Restate holds the call until one is back)'),
    });
    const back = await restateEndpoint(options).listen(port);
    onTestFinished(() => back.close());
    expect((await org.agentState('backend_lead')).id).toBe('backend_lead');
  }, 60_000);
});
