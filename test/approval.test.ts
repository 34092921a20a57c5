import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { approveWhen, developmentTeam, EchelonError, type Approval, type Orchestrator } from '../src/index.js';
import { deferred, flush, orchestrators, codeOf } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (_task, { agent, approved }) => ({ by: agent.id, approved }) });

/** The code of the EchelonError `fn` throws, or 'accepted' when it throws nothing. */
/** Submits a task needing approval and returns it parked, with its pending approval. */
const parked = async (org: Orchestrator, input: Parameters<Orchestrator['submit']>[0] = { type: 'python', context: { requiresApproval: true } }) => {
  const outcome = org.submit(input);
  await flush();
  const approval = org.approvals.pending().at(-1)!;
  return { outcome, approval };
};

describe('a task that needs approval parks until its approver decides', () => {
  it('asks the parent by default, waits in awaitingApproval, and executes once approved', async () => {
    const org = start();
    const { outcome, approval } = await parked(org);
    expect(approval).toMatchObject({ requester: 'backend_dev_1', approver: 'api_specialist', requiredLevel: 2, quorum: 1, status: 'pending', taskType: 'python' });
    expect(org.agentState('backend_dev_1')).toMatchObject({ state: 'awaitingApproval', awaitingApproval: [approval.taskId] });
    expect(org.status().pendingApprovals).toBe(1);
    org.approvals.approve(approval.id, { by: 'api_specialist', comment: 'looks fine' });
    const done = await outcome;
    expect(done).toMatchObject({ status: 'completed', result: { by: 'backend_dev_1', approved: true } });
    expect(done.approvals).toMatchObject([{ id: approval.id, status: 'approved', decisions: [{ by: 'api_specialist', decision: 'approved', note: 'looks fine' }] }]);
    expect(org.status().pendingApprovals).toBe(0);
    expect(org.agentState('backend_dev_1').state).toBe('receiving');
  });

  it('a rejection ends the task as rejected, with the reason', async () => {
    const org = start();
    const { outcome, approval } = await parked(org);
    org.approvals.reject(approval.id, { by: 'backend_lead', reason: 'not in this sprint' });
    expect(await outcome).toMatchObject({
      status: 'rejected',
      error: { code: 'rejected', message: `backend_lead rejected approval ${approval.id}: not in this sprint` },
    });
  });

  it.each<[string, unknown, string]>([
    ['a timeout that would expire at once', { timeoutMs: -1 }, 'approval.timeoutMs must be a positive number, got -1.'],
    ['a role that is none', { role: 'boss' }, 'approval.role must be one of'],
    ['a quorum of none', { quorum: 0 }, 'approval.quorum must be a whole number ≥ 1, got 0.'],
  ])('an approvals.required rule asking for %s rejects the task with invalid_option, saying so; others go on', async (_case, requirement, message) => {
    const org = start({ approvals: { required: (task) => (task.type === 'css' ? (requirement as never) : undefined) } });
    const outcome = await org.submit({ type: 'css' });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'invalid_option', message: expect.stringContaining(message) } });
    expect(outcome.error?.message).toMatch(/^The approval asked for "css" \(.+\) at frontend_dev_1: /);
    expect(org.approvals.pending()).toEqual([]);
    expect((await org.submit({ type: 'react' })).status).toBe('completed');
  });

  it('an approvals.required rule answering something that is no requirement (a string) fails the task with invalid_option, saying so', async () => {
    const org = start({ approvals: { required: (task) => (task.type === 'css' ? ('yes' as never) : undefined) } });
    expect(await org.submit({ type: 'css' })).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_option', message: expect.stringMatching(/^approvals\.required answered "yes" for "css" \(.+\) at frontend_dev_1: a rule answers true, false, undefined or an approval requirement object\.$/) },
    });
    expect(org.approvals.pending()).toEqual([]);
  });

  it.each([
    ['false', () => Promise.resolve(false)],
    ['a rejection', () => Promise.reject(new Error('rules service down'))],
  ])('an approvals.required rule answering a promise (of %s) fails the task with invalid_option, saying it decides synchronously', async (_case, answer) => {
    // Before, a promise was taken for a requirement object: every task it answered for parked for approval, and a rejection went unhandled.
    const org = start({ approvals: { required: (task) => (task.type === 'css' ? (answer() as never) : undefined) } });
    expect(await org.submit({ type: 'css' })).toMatchObject({
      status: 'failed',
      error: { code: 'invalid_option', message: expect.stringMatching(/^approvals\.required answered a promise for "css" \(.+\) at frontend_dev_1: a rule decides at once, answering true, false, undefined or an approval requirement object\.$/) },
    });
    expect(org.approvals.pending()).toEqual([]);
    expect((await org.submit({ type: 'python' })).status).toBe('completed');
  });

  it('is also required by task.approval and by the approvals.required rule', async () => {
    const org = start({ approvals: { required: (task) => (task.type === 'css' ? { role: 'manager', reason: 'styles are brand' } : undefined) } });
    const ruled = await parked(org, { type: 'css' });
    expect(ruled.approval).toMatchObject({ requester: 'frontend_dev_1', approver: 'frontend_lead', requiredLevel: 1, reason: 'styles are brand' });
    org.approvals.approve(ruled.approval.id, { by: 'frontend_lead' });
    await ruled.outcome;
    const flagged = await parked(org, { type: 'react', approval: { approver: 'cto', reason: 'big change' } });
    expect(flagged.approval).toMatchObject({ requester: 'react_specialist', approver: 'cto', requiredLevel: 0 });
    org.approvals.approve(flagged.approval.id, { by: 'cto' });
    expect((await flagged.outcome).status).toBe('completed');
  });

  it('an executor can ask for approval; it runs again once approved', async () => {
    const runs: boolean[] = [];
    const org = start({
      executors: async (_task, context) => {
        runs.push(context.approved);
        if (!context.approved) context.requestApproval({ reason: 'about to spend money' });
        return 'spent';
      },
    });
    const { outcome, approval } = await parked(org, { type: 'css' });
    expect(approval.reason).toBe('about to spend money');
    org.approvals.approve(approval.id, { by: 'react_specialist' });
    expect((await outcome).result).toBe('spent');
    expect(runs).toEqual([false, true]);
  });

  it('the root cannot be approved by anyone: its task is rejected with approval_unauthorized', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'strategy', context: { requiresApproval: true } });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'approval_unauthorized' } });
  });
});

describe('authority', () => {
  it.each([
    ['a sibling', 'db_specialist', 'approval_unauthorized'],
    ['a descendant of another branch', 'frontend_dev_1', 'approval_unauthorized'],
    ['the requester itself', 'backend_dev_1', 'self_approval'],
    ['an unknown agent', 'ghost', 'unknown_agent'],
    ['the parent', 'api_specialist', 'accepted'],
    ['an ancestor above the required level', 'cto', 'accepted'],
  ])('%s (%s) → %s', async (_case, by, code) => {
    const org = start();
    const { outcome, approval } = await parked(org);
    expect(codeOf(() => org.approvals.approve(approval.id, { by }))).toBe(code);
    if (code !== 'accepted') {
      expect(org.approvals.get(approval.id)).toMatchObject({ status: 'pending', decisions: [] });
      org.approvals.approve(approval.id, { by: 'api_specialist' });
    }
    expect((await outcome).status).toBe('completed');
  });

  it('an ancestor below the required level cannot approve', async () => {
    const org = start();
    const { outcome, approval } = await parked(org, { type: 'python', approval: { level: 1 } });
    expect(approval).toMatchObject({ approver: 'backend_lead', requiredLevel: 1 });
    expect(codeOf(() => org.approvals.approve(approval.id, { by: 'api_specialist' }))).toBe('approval_unauthorized');
    expect(codeOf(() => org.approvals.reject(approval.id, { by: 'api_specialist' }))).toBe('approval_unauthorized');
    org.approvals.approve(approval.id, { by: 'cto' });
    expect((await outcome).status).toBe('completed');
  });

  it('decisions on decided or unknown approvals are refused', async () => {
    const org = start();
    const { outcome, approval } = await parked(org);
    org.approvals.approve(approval.id, { by: 'api_specialist' });
    await outcome;
    expect(codeOf(() => org.approvals.approve(approval.id, { by: 'cto' }))).toBe('unknown_approval');
    expect(codeOf(() => org.approvals.reject('apv_nope', { by: 'cto' }))).toBe('unknown_approval');
  });

  it('when a request moves up, the agent still deciding it is told to stop: its signal aborts and its late answer changes nothing', async () => {
    const clock = new SimulatedClock();
    const slow = deferred<{ approve: true }>();
    let decision: AbortSignal | undefined;
    const refusals: string[] = [];
    const org = start({
      clock,
      approvals: {
        timeoutMs: 100,
        approvers: {
          byId: {
            api_specialist: (_request, context) => {
              decision = context.signal;
              return slow.promise;
            },
          },
        },
      },
    });
    org.on('approval.refused', (event) => refusals.push(`${event.by}: ${event.error.code}`));
    const { approval, outcome } = await parked(org);
    expect(decision?.aborted).toBe(false);
    clock.increment(100);
    await flush();
    expect(org.approvals.get(approval.id)).toMatchObject({ approver: 'backend_lead', requiredLevel: 1 });
    expect(decision?.aborted).toBe(true);
    slow.resolve({ approve: true });
    await flush();
    expect(refusals).toEqual([]);
    expect(org.approvals.get(approval.id)).toMatchObject({ status: 'pending', decisions: [] });
    org.approvals.approve(approval.id, { by: 'backend_lead' });
    expect((await outcome).status).toBe('completed');
  });

  it('a person deciding first stops the agent that was still deciding', async () => {
    const slow = deferred<undefined>();
    let decision: AbortSignal | undefined;
    const org = start({
      approvals: {
        approvers: {
          byId: {
            api_specialist: (_request, context) => {
              decision = context.signal;
              return slow.promise;
            },
          },
        },
      },
    });
    const { approval, outcome } = await parked(org);
    org.approvals.approve(approval.id, { by: 'cto' });
    expect((await outcome).status).toBe('completed');
    await flush();
    expect(decision?.aborted).toBe(true);
  });
});

describe('quorum', () => {
  it('needs N distinct approvals; one approver cannot count twice', async () => {
    const org = start();
    const { outcome, approval } = await parked(org, { type: 'python', approval: { quorum: 3 } });
    org.approvals.approve(approval.id, { by: 'api_specialist' });
    expect(codeOf(() => org.approvals.approve(approval.id, { by: 'api_specialist' }))).toBe('duplicate_decision');
    org.approvals.approve(approval.id, { by: 'backend_lead' });
    await flush();
    expect(org.approvals.get(approval.id)).toMatchObject({ status: 'pending', decisions: [{ by: 'api_specialist' }, { by: 'backend_lead' }] });
    org.approvals.approve(approval.id, { by: 'cto' });
    expect((await outcome).approvals[0]!.decisions.map((decision) => decision.by)).toEqual(['api_specialist', 'backend_lead', 'cto']);
  });

  it('a quorum larger than the agents with the authority is refused when asked, not left waiting for ever', async () => {
    const org = start();
    const outcome = await org.submit({ type: 'python', approval: { quorum: 4 } });
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'approval_unauthorized' } });
    expect(outcome.error?.message).toBe('"python" at backend_dev_1 needs 4 approvals at level 2 or above, and only 3 agent(s) above it have that authority (api_specialist, backend_lead, cto).');
    expect(org.approvals.pending()).toEqual([]);
    // Exactly as many as have the authority (backend_lead and cto at level 1 or above) is reachable, and waits.
    const { approval } = await parked(org, { type: 'python', approval: { quorum: 2, level: 1 } });
    expect(approval).toMatchObject({ status: 'pending', quorum: 2, approver: 'backend_lead' });
  });

  it('one rejection ends it, whatever the approvals so far', async () => {
    const org = start();
    const { outcome, approval } = await parked(org, { type: 'python', approval: { quorum: 2 } });
    org.approvals.approve(approval.id, { by: 'api_specialist' });
    org.approvals.reject(approval.id, { by: 'cto', reason: 'no' });
    expect(await outcome).toMatchObject({ status: 'rejected', approvals: [{ status: 'rejected' }] });
  });
});

describe('expiry, on a simulated clock', () => {
  it('an undecided request moves one level up each time it expires, and is rejected as expired at the root', async () => {
    const clock = new SimulatedClock();
    const org = start({ clock, approvals: { timeoutMs: 1_000 } });
    const asked: string[] = [];
    org.on('approval.requested', (event) => asked.push(`${clock.now()} ${event.approval.approver}`));
    const { outcome, approval } = await parked(org);
    expect(approval.expiresAt).toBe(1_000);
    clock.increment(999);
    await flush();
    expect(asked).toEqual(['0 api_specialist']);
    clock.increment(1);
    await flush();
    expect(asked).toEqual(['0 api_specialist', '1000 backend_lead']);
    // The one who let it expire no longer has the authority needed at the new level.
    expect(codeOf(() => org.approvals.approve(approval.id, { by: 'api_specialist' }))).toBe('approval_unauthorized');
    // And is told who decides it now (before, only the level it lacked).
    expect(() => org.approvals.approve(approval.id, { by: 'api_specialist' })).toThrow(/It is "backend_lead"'s to decide now\./);
    clock.increment(1_000);
    await flush();
    clock.increment(1_000);
    const done = await outcome;
    expect(asked).toEqual(['0 api_specialist', '1000 backend_lead', '2000 cto']);
    expect(done).toMatchObject({ status: 'rejected', error: { code: 'approval_expired' } });
    expect(done.approvals[0]).toMatchObject({ status: 'expired', askedApprovers: ['api_specialist', 'backend_lead', 'cto'] });
  });

  it('a decision before expiry stops the timer', async () => {
    const clock = new SimulatedClock();
    const org = start({ clock, approvals: { timeoutMs: 1_000 } });
    const { outcome, approval } = await parked(org);
    clock.increment(500);
    org.approvals.approve(approval.id, { by: 'api_specialist' });
    await outcome;
    clock.increment(5_000);
    await flush();
    expect(org.approvals.get(approval.id)!.status).toBe('approved');
  });
});

describe('agents that decide approvals themselves', () => {
  it('an approver policy decides requests sent to that agent', async () => {
    const org = start({
      approvals: { approvers: { byRole: { specialist: approveWhen((request) => request.taskType !== 'deploy', 'deploys need the lead') } } },
    });
    const approved = await org.submit({ type: 'python', context: { requiresApproval: true } });
    expect(approved.approvals[0]).toMatchObject({ status: 'approved', decisions: [{ by: 'api_specialist', decision: 'approved' }] });
    const org2 = start({ approvals: { approvers: { byRole: { specialist: approveWhen(() => false, 'deploys need the lead') } } } });
    const rejected = await org2.submit({ type: 'css', context: { requiresApproval: true } });
    expect(rejected).toMatchObject({ status: 'rejected', approvals: [{ decisions: [{ by: 'react_specialist', note: 'deploys need the lead' }] }] });
  });

  it('approveWhen refuses where it is built a predicate that is no function, or a reason that is no text', () => {
    for (const [args, message] of [
      [[5], /^approveWhen\(predicate, reason\?\) needs a predicate, a function of the request, got number\.$/],
      [[undefined], /got undefined\.$/],
      [[() => true, 5], /^approveWhen: the reason must be a string, got/],
      [[() => true, 'r'.repeat(70_000)], /^approveWhen: the reason must be at most 65,536 characters/],
    ] as const) {
      expect(() => (approveWhen as (...given: unknown[]) => unknown)(...args)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(message) }));
    }
  });

  it('an async approver (a model, say) decides when it answers; undefined leaves it to a person', async () => {
    const answer = deferred<{ approve: true } | undefined>();
    const org = start({ approvals: { approvers: { byId: { api_specialist: () => answer.promise } } } });
    const { outcome, approval } = await parked(org);
    expect(approval.status).toBe('pending');
    answer.resolve(undefined);
    await flush();
    expect(org.approvals.get(approval.id)!.status).toBe('pending');
    org.approvals.approve(approval.id, { by: 'backend_lead' });
    expect((await outcome).status).toBe('completed');
  });

  it('an approver that throws is reported and leaves the request to a person', async () => {
    const faults: string[] = [];
    const org = start({
      approvals: {
        approvers: {
          byId: {
            api_specialist: () => {
              throw new Error('approver bug');
            },
          },
        },
      },
    });
    org.on('agent.fault', (event) => faults.push(`${event.agent} on ${event.taskId}: ${event.error.message}`));
    const { outcome, approval } = await parked(org);
    // The event names the requester's task, which goes on.
    expect(faults).toEqual([`api_specialist on ${approval.taskId}: approver bug`]);
    org.approvals.approve(approval.id, { by: 'api_specialist' });
    expect((await outcome).status).toBe('completed');
  });
});

describe('an approver whose answer is no decision', () => {
  it.each<[string, () => unknown]>([
    ['a string, at once', () => 'yes please'],
    ['an object without approve, at once', () => ({ ok: true })],
    ['a number, later', () => Promise.resolve(1)],
    ['approve as a string, later', () => Promise.resolve({ approve: 'true' })],
  ])('answering %s is an agent.fault (policy_error): it neither approves nor rejects, and the request waits for a person', async (_case, approver) => {
    const faults: string[] = [];
    const org = start({ approvals: { approvers: { byId: { api_specialist: approver as never } } } });
    org.on('agent.fault', (event) => faults.push(`${event.agent} ${event.error.code}: ${event.error.message}`));
    const { outcome, approval } = await parked(org);
    await flush();
    expect(faults).toEqual([expect.stringMatching(new RegExp(`^api_specialist policy_error: The approver of api_specialist answered .+ for approval ${approval.id}; an approver answers`))]);
    expect(org.approvals.get(approval.id)).toMatchObject({ status: 'pending', decisions: [] });
    org.approvals.approve(approval.id, { by: 'backend_lead' });
    expect((await outcome).status).toBe('completed');
  });
});

describe('an approver answering with a thenable that is not a native promise', () => {
  it('is awaited like a promise: its decision approves', async () => {
    const thenable = { then: (resolve: (value: unknown) => void) => resolve({ approve: true, comment: 'fine' }) };
    const org = start({ approvals: { approvers: { byId: { api_specialist: (() => thenable) as never } } } });
    const { outcome } = await parked(org);
    expect(await outcome).toMatchObject({ status: 'completed', approvals: [{ status: 'approved', decisions: [{ by: 'api_specialist', decision: 'approved', note: 'fine' }] }] });
  });
});

describe('the approvals API lists what waits', () => {
  it('pending() shows each request with its requester and approver', async () => {
    const org = start();
    const first = await parked(org, { type: 'python', context: { requiresApproval: true } });
    const second = await parked(org, { type: 'css', context: { requiresApproval: true } });
    expect(org.approvals.pending().map((approval: Approval) => [approval.requester, approval.approver])).toEqual([
      ['backend_dev_1', 'api_specialist'],
      ['frontend_dev_1', 'react_specialist'],
    ]);
    org.approvals.approve(first.approval.id, { by: 'cto' });
    org.approvals.reject(second.approval.id, { by: 'cto' });
    expect((await first.outcome).status).toBe('completed');
    expect((await second.outcome).status).toBe('rejected');
    expect(org.approvals.pending()).toEqual([]);
  });
});
