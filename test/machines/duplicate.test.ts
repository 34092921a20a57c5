/**
 * A second task under an id an agent already holds: the agent's table has one record per id, so
 * taking it in would lose the first. The agent refuses it and the first goes on. Both built-in hosts
 * refuse an active id at their door; these are the agent's own refusals, for a host that did not and
 * for a subtask id that meets a task held elsewhere. On the scripted manager, live.
 */
import { describe, expect, it } from 'vitest';
import { liveAgents, settledOf } from '../support/agent-live.js';
import { makeTask } from '../support/helpers.js';
import { BOSS, RESOURCE } from '../support/agent-script.js';

const faultsOf = (live: ReturnType<typeof liveAgents>) =>
  live.host.reports.flatMap((report) => (report.type === 'agent.fault' ? [{ agent: report.agent, code: report.error.code, task: report.task?.id }] : []));

describe('an agent refuses a second task under an id it holds', () => {
  it('at the entry agent: a fault naming no task, and the first task runs on and settles once', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'work' });
    const first = live.context(BOSS).held.work;
    live.play({ type: 'assign', kind: 'work' });
    expect(faultsOf(live)).toEqual([{ agent: BOSS, code: 'duplicate_task', task: undefined }]);
    expect(live.context(BOSS).held.work).toBe(first);
    expect(live.host.executions.get(`${BOSS}/work`)).toBe(1);
    live.play({ type: 'result', taskId: 'work', result: 'ok' });
    expect(settledOf(live).map((report) => [report.task.id, report.settlement.status])).toEqual([['work', 'completed']]);
    expect(live.context(BOSS)).toMatchObject({ held: {}, running: 0 });
    live.stop();
  });

  it('handed down by a manager: it goes back up failed with duplicate_task, the manager\'s load count stays right, and the first completes', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'route' });
    // The manager holds it no more (it went to kid1): the second passes it and reaches kid1, which holds the first.
    live.play({ type: 'assign', kind: 'route' });
    expect(faultsOf(live)).toEqual([{ agent: 'kid1', code: 'duplicate_task', task: undefined }]);
    expect(settledOf(live)).toMatchObject([{ task: { id: 'route' }, settlement: { status: 'failed', error: { code: 'duplicate_task' } } }]);
    expect(live.context(BOSS).load).toEqual({ kid1: 1 });
    expect(live.context('kid1').held.route).toMatchObject({ phase: 'running', attempt: 1 });
    live.play({ type: 'child', taskId: 'route', result: 'ok' });
    expect(settledOf(live).map((report) => report.settlement.status)).toEqual(['failed', 'completed']);
    expect(live.context(BOSS).load).toEqual({ kid1: 0 });
    expect([live.context(BOSS).held, live.context('kid1').held]).toEqual([{}, {}]);
    live.stop();
  });

  it('a split whose subtask would take the id of a task held at the splitter fails with duplicate_task before it splits', () => {
    const live = liveAgents();
    live.agent(BOSS)!.send({ type: 'task.assign', task: makeTask({ id: 'split.b', type: 'work', chain: [BOSS], resources: [RESOURCE] }) });
    live.play({ type: 'assign', kind: 'split' });
    expect(settledOf(live)).toMatchObject([{ task: { id: 'split' }, settlement: { status: 'failed', error: { code: 'duplicate_task', message: expect.stringContaining('split.b') } } }]);
    expect(live.host.reports.some((report) => report.type === 'task.decomposed')).toBe(false);
    expect(Object.keys(live.context(BOSS).held)).toEqual(['split.b']);
    expect(live.context(BOSS).held['split.b']).toMatchObject({ phase: 'running' });
    live.stop();
  });
});
