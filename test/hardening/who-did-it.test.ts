/**
 * Outcomes say who did the work: `executedBy` names an agent whose executor ran, `splitBy` the
 * agent that split a task (its executor never ran) — in the outcome, its subtask tree, the journal
 * and the events — and the ids of escalated and split tasks read as documented.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { decomposeWith, developmentTeam, fullStackFeature, memoryStore, type OrchestratorEvent } from '../../src/index.js';
import { flush, orchestrators, sleep } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });

describe('executedBy only where an executor ran; splitBy for decompositions', () => {
  it('a split task names the agent that split it, not as its executor; each part names its own', async () => {
    const ran: string[] = [];
    const store = memoryStore();
    const org = start({
      store,
      executors: async (task, { agent }) => {
        ran.push(agent.id);
        return `${task.id} by ${agent.id}`;
      },
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
    });
    const events: OrchestratorEvent[] = [];
    org.on('task.completed', (event) => void events.push(event));
    const outcome = await org.submit({ id: 'auth', type: 'full_stack_feature' });
    expect(outcome).toMatchObject({ status: 'completed', splitBy: 'cto', attempts: 0 });
    expect(outcome.executedBy).toBeUndefined();
    expect(ran.sort()).toEqual(['backend_lead', 'frontend_lead']);
    expect(outcome.subtasks?.map((part) => [part.taskId, part.executedBy, part.splitBy])).toEqual([
      ['auth.backend', 'backend_lead', undefined],
      ['auth.frontend', 'frontend_lead', undefined],
    ]);
    expect(store.outcome('auth')).toMatchObject({ splitBy: 'cto' });
    expect(store.outcome('auth')?.executedBy).toBeUndefined();
    const settled = org.journal({ taskId: 'auth' }).find((entry) => entry.type === 'task.settled');
    expect(settled?.data).toMatchObject({ status: 'completed', splitBy: 'cto' });
    expect(settled?.data).not.toHaveProperty('executedBy');
    expect(events).toMatchObject([{ outcome: { taskId: 'auth', splitBy: 'cto' } }]);
  });

  it('a part split again names its splitter in the tree; subtask ids are <parent>.<key>', async () => {
    const nested = decomposeWith('nested', (task) =>
      task.type === 'release'
        ? [{ key: 'api', type: 'feature', to: 'backend_lead' }]
        : task.type === 'feature'
          ? [{ key: 'db', type: 'database' }, { key: 'ui', type: 'api_design' }]
          : undefined,
    );
    const org = start({ executors: async (_task, { agent }) => agent.id, decomposers: { byType: { release: nested, feature: nested } } });
    const outcome = await org.submit({ id: 'r', type: 'release' });
    expect(outcome).toMatchObject({ status: 'completed', splitBy: 'cto' });
    const [api] = outcome.subtasks ?? [];
    expect(api).toMatchObject({ taskId: 'r.api', key: 'api', splitBy: 'backend_lead' });
    expect(api?.executedBy).toBeUndefined();
    expect(api?.subtasks?.map((part) => [part.taskId, part.executedBy])).toEqual([
      ['r.api.db', 'db_specialist'],
      ['r.api.ui', 'api_specialist'],
    ]);
  });

  it('a task whose time ran out while it queued names no executor', async () => {
    const clock = new SimulatedClock();
    const ran: string[] = [];
    const org = start({
      clock,
      executors: async (task) => {
        ran.push(task.id);
        if (task.id === 'first') await sleep(clock, 100);
        return task.id;
      },
    });
    const first = org.submit({ id: 'first', type: 'python' });
    const late = org.submit({ id: 'late', type: 'python', budget: { timeMs: 50 } });
    await flush();
    clock.increment(100);
    await flush();
    expect(await first).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1' });
    const outcome = await late;
    expect(outcome).toMatchObject({ status: 'failed', attempts: 0, error: { code: 'budget_exceeded' } });
    expect(outcome.executedBy).toBeUndefined();
    expect(ran).toEqual(['first']);
  });

  it('an escalated task names the executor that resolved it; each later escalation is raised on <task>!<the escalation before>', async () => {
    const org = start({ executors: async (_task, { agent }) => agent.id });
    const outcome = await org.submit({ id: 't', type: 'react' }, { at: 'backend_dev_1' });
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'react_specialist', result: 'react_specialist' });
    const [first, second, third] = outcome.escalations;
    expect(first?.taskId).toBe('t');
    expect(second?.taskId).toBe(`t!${first?.id}`);
    expect(third?.taskId).toBe(`t!${second?.id}`);
  });
});
