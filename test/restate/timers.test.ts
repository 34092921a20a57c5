import './quiet.js';
import { describe, expect, it } from 'vitest';
import { developmentTeam, type Outcome } from '../../src/index.js';
import { adminQuery } from '../../src/restate/admin-query.js';
import { TIMERS } from '../../src/restate/timers.js';
import { restateOrg, sharedServer } from './support.js';

const path = (outcome: Outcome) => outcome.escalations.map((e) => `${e.reason} ${e.from}→${e.to} ${e.status}${e.resolvedBy ? ` by ${e.resolvedBy}` : ''}`);

async function until(condition: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not reached in ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The organisation's timers still to fire (delayed sends to its agents), and its agents holding armed timers' ids. */
async function armed(name: string) {
  const { adminUrl } = await sharedServer();
  const count = async (sql: string) => Number((await adminQuery(adminUrl, sql))[0]?.n ?? 0);
  return {
    scheduled: await count(`SELECT COUNT(*) AS n FROM sys_invocation WHERE target_service_name LIKE '${name}-agents-%' AND status IN ('scheduled', 'inboxed')`),
    keeping: await count(`SELECT COUNT(*) AS n FROM state WHERE service_name LIKE '${name}-agents-%' AND key = '${TIMERS}'`),
  };
}

describe('echelon/restate: timers, resources and budgets', () => {
  it('cancels the timeout of an attempt that answered, and the expiry of an approval that was decided: no stale timer is left to fire', async () => {
    const name = `timers${process.pid}`;
    const org = await restateOrg({ name, hierarchy: developmentTeam(), executors: { default: async () => 'done' } });
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => org.submit({ id, type: 'api_design' })));
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['completed', 'completed', 'completed']);
    const approved = org.submit({ id: 'gated', type: 'api_design', approval: { timeoutMs: 600_000 } });
    await until(async () => (await org.approvals.pending()).length === 1);
    expect(await armed(name)).toMatchObject({ scheduled: 1, keeping: 1 });
    const [request] = await org.approvals.pending();
    await org.approvals.approve(request!.id, { by: request!.approver });
    expect((await approved).status).toBe('completed');
    await until(async () => (await armed(name)).scheduled === 0);
    expect(await armed(name)).toEqual({ scheduled: 0, keeping: 0 });
  }, 60_000);

  it('an attempt that overruns its timeout is failed by the timer, which then leaves nothing armed', async () => {
    const name = `overrun${process.pid}`;
    const org = await restateOrg({ name, hierarchy: developmentTeam(), execution: { timeoutMs: 200 }, executors: { default: () => new Promise(() => undefined) } });
    const outcome = await org.submit({ id: 'stuck', type: 'api_design' });
    expect(outcome.status).toBe('failed');
    expect(JSON.stringify(outcome.error)).toContain('timeout');
    expect(await armed(name)).toEqual({ scheduled: 0, keeping: 0 });
  }, 60_000);

  it('retries a failed attempt after its backoff (a delayed send) with the same idempotency key', async () => {
    const keys: string[] = [];
    const org = await restateOrg({
      hierarchy: developmentTeam(),
      execution: { retry: { attempts: 3, initialDelayMs: 150, jitter: 0 } },
      executors: {
        default: async (_task, { attempt, idempotencyKey }) => {
          keys.push(idempotencyKey);
          if (attempt < 3) throw new Error(`flaky ${attempt}`);
          return { attempt };
        },
      },
    });
    const outcome = await org.submit({ id: 'flaky-1', type: 'api_design' });
    expect(outcome).toMatchObject({ status: 'completed', attempts: 3, result: { attempt: 3 } });
    expect(new Set(keys).size).toBe(1);
    expect(keys).toHaveLength(3);
    expect((await org.journal({ taskId: 'flaky-1' })).filter((entry) => entry.type === 'task.retrying')).toHaveLength(2);
  }, 60_000);

  it('an approval nobody decides moves up a level when it expires, and is rejected as expired at the top', async () => {
    const org = await restateOrg({ hierarchy: developmentTeam(), executors: { default: async () => 'done' } });
    const outcome = await org.submit({ id: 'slow-approval', type: 'api_design', approval: { timeoutMs: 300 } });
    expect(outcome.status).toBe('rejected');
    expect(outcome.error?.code).toBe('approval_expired');
    expect(outcome.approvals[0]?.askedApprovers).toEqual(['backend_lead', 'cto']);
  }, 60_000);

  it('resource_conflict: the common ancestor holds the task until the resource is free, then routes it', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const started: string[] = [];
    const org = await restateOrg({
      hierarchy: developmentTeam(),
      executors: {
        default: async (task, { agent }) => {
          started.push(`${task.rootId}@${agent.id}`);
          if (task.id === 'migrate') await gate;
          return `done by ${agent.id}`;
        },
      },
    });
    const migrate = org.submit({ id: 'migrate', type: 'database', resources: ['prod-db'] });
    await until(() => started.length === 1);
    const api = org.submit({ id: 'api', type: 'api_design', resources: ['prod-db'] });
    await until(async () => (await org.escalations.active()).length === 1);
    expect(await org.escalations.active()).toMatchObject([{ reason: 'resource_conflict', from: 'api_specialist', to: 'backend_lead' }]);
    expect(started).toEqual(['migrate@db_specialist']);
    open();
    expect((await migrate).status).toBe('completed');
    const outcome = await api;
    expect(started).toEqual(['migrate@db_specialist', 'api@api_specialist']);
    expect(path(outcome)).toEqual(['resource_conflict api_specialist→backend_lead resolved by api_specialist']);
  }, 60_000);

  it('charges reported cost to the task budget and stops an executor that overruns it', async () => {
    const org = await restateOrg({
      hierarchy: developmentTeam(),
      executors: {
        default: async (_task, { reportCost }) => {
          reportCost(3);
          reportCost(4);
          return 'spent';
        },
      },
    });
    const within = await org.submit({ id: 'budget-ok', type: 'api_design', budget: { cost: 10 } });
    expect(within.status).toBe('completed');
    expect(within.budget?.used.cost).toBe(7);
    const over = await org.submit({ id: 'budget-over', type: 'api_design', budget: { cost: 5 } });
    expect(over.status).toBe('failed');
    expect(JSON.stringify(over)).toContain('budget_exceeded');
  }, 60_000);
});
