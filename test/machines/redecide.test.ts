/**
 * An awaited decision its host lost (the process holding the promise restarted, on Restate): the
 * host sends the agent what the `await` effect's `again()` makes, and the agent asks the decision
 * again — the same policy call, over the task as it holds it now — as it does after a restore. On
 * the scripted manager (support/agent-script.ts), live, with a host that records what it is asked.
 */
import { describe, expect, it } from 'vitest';
import { liveAgents, settledOf } from '../support/agent-live.js';
import { MAX_REASKS } from '../../machines/core/pipeline.js';
import { BOSS, requestOf } from '../support/agent-script.js';

const awaitsOf = (live: ReturnType<typeof liveAgents>) =>
  live.host.performed.flatMap((batch) => batch.effects.filter((effect) => effect.type === 'await').map((effect) => `${batch.agentId}/${effect.key}`));

describe('a decision its host lost is asked again', () => {
  it('a strategy: the task is decided again, a stale notice is ignored, and the new answer routes it', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'plan' });
    const first = live.host.awaits.get(`${BOSS}/dec:plan`)!;
    live.play({ type: 'lost', taskId: 'plan' });
    // Asked again: a second await of the strategy, the task deciding again.
    expect(awaitsOf(live)).toEqual([`${BOSS}/dec:plan`, `${BOSS}/dec:plan`]);
    expect(live.host.awaits.get(`${BOSS}/dec:plan`)).not.toBe(first);
    expect(live.context(BOSS).held.plan).toMatchObject({ phase: 'deciding', decision: { phase: 'select' } });
    expect(live.root.getSnapshot().value).toBe('delegating');
    // The first wait's notice comes late (its token is stale): nothing is asked a third time.
    live.agent(BOSS)!.send(first.again());
    expect(awaitsOf(live)).toHaveLength(2);
    live.play({ type: 'answer', taskId: 'plan' });
    expect(live.context(BOSS).held.plan).toBeUndefined();
    expect(live.context('kid2').held.plan).toBeDefined();
    live.stop();
  });

  it('an escalation policy: the task is evaluated again, then goes on with the answer', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'think' });
    live.play({ type: 'lost', taskId: 'think' });
    expect(awaitsOf(live)).toEqual([`${BOSS}/dec:think`, `${BOSS}/dec:think`]);
    expect(live.context(BOSS)).toMatchObject({ deciding: 1, evaluating: 1, held: { think: { phase: 'deciding', decision: { phase: 'evaluate' } } } });
    live.play({ type: 'answer', taskId: 'think' });
    expect(live.context(BOSS)).toMatchObject({ deciding: 0, evaluating: 0, held: { think: { phase: 'running' } } });
    live.stop();
  });

  it('a decision asked again has its timeout again: timing out then fails the task with the decision’s code', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'plan' });
    live.play({ type: 'lost', taskId: 'plan' });
    const again = live.host.awaits.get(`${BOSS}/dec:plan`)!;
    expect(again.timeoutMs).toBe(live.settings.decisionTimeoutMs(BOSS));
    live.play({ type: 'late', taskId: 'plan' });
    const settled = settledOf(live);
    expect(settled).toMatchObject([{ task: { id: 'plan' }, settlement: { status: 'failed', error: { code: 'strategy_error' } } }]);
    live.stop();
  });

  it(`a decision lost more than ${MAX_REASKS} times fails its task with the decision's code, and nothing is asked again`, () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'plan' });
    for (let lost = 1; lost <= MAX_REASKS; lost++) {
      live.play({ type: 'lost', taskId: 'plan' });
      expect(live.context(BOSS).held.plan).toMatchObject({ phase: 'deciding', reasked: lost });
    }
    expect(awaitsOf(live)).toHaveLength(MAX_REASKS + 1);
    live.play({ type: 'lost', taskId: 'plan' });
    expect(awaitsOf(live)).toHaveLength(MAX_REASKS + 1);
    const settled = settledOf(live);
    expect(settled).toMatchObject([{ task: { id: 'plan' }, settlement: { status: 'failed', error: { code: 'strategy_error' } } }]);
    expect((settled[0] as { settlement: { error: { message: string } } }).settlement.error.message).toContain(`lost the decision on task plan ${MAX_REASKS + 1} times`);
    expect(live.context(BOSS)).toMatchObject({ deciding: 0, evaluating: 0, held: {} });
    live.stop();
  });

  it('an approver: the request is decided again, and its answer reaches the requester', () => {
    const live = liveAgents();
    live.play({ type: 'asked', kind: 'later' });
    const key = `${BOSS}/apr:${requestOf('later').id}`;
    live.play({ type: 'approverLost', kind: 'later' });
    expect(awaitsOf(live)).toEqual([key, key]);
    const sent = live.host.performed.length;
    live.play({ type: 'approver', kind: 'later' });
    const messages = live.host.performed.slice(sent).flatMap((batch) => batch.effects.flatMap((effect) => (effect.type === 'send' ? [effect] : [])));
    expect(messages).toMatchObject([{ to: requestOf('later').requester, message: { type: 'approval.granted', approvalId: requestOf('later').id, by: BOSS } }]);
    live.stop();
  });
});
