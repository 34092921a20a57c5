/**
 * What the organisation hands out of its books — approvals and escalations (`pending()`, `get()`,
 * `active()`, `onEscalation`, events) and outcomes (shared by everyone awaiting one task) — is
 * its own record, frozen: a caller that sets a status or pushes a decision on one is refused by
 * the language (a TypeError in strict code) and the books stay as they were, so nothing it does
 * leaves a request undecidable or changes what another caller reads.
 */
import { describe, expect, it } from 'vitest';
import { defaultEscalationPolicy, delegateWith, developmentTeam, type Escalation } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => ({ files: ['a.txt'] }) });

describe('records handed out', () => {
  it('an approval from pending() cannot be changed under the desk: it stays pending and approvable', async () => {
    const org = start();
    const outcome = org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true } });
    await flush();
    const [approval] = org.approvals.pending() as unknown as Array<{ status: string; decisions: unknown[] }>;
    expect(() => (approval!.status = 'approved')).toThrow(TypeError);
    expect(() => approval!.decisions.push({ by: 'cto', decision: 'approved' })).toThrow(TypeError);
    expect(org.approvals.pending()).toMatchObject([{ taskId: 'risky', status: 'pending', decisions: [] }]);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'api_specialist' });
    expect((await outcome).status).toBe('completed');
    const decided = (await outcome).approvals[0]!;
    const listed = org.submit({ id: 'listed', type: 'python', payload: [{ file: 'a.txt' }], context: { requiresApproval: true } });
    await flush();
    const payload = org.approvals.pending()[0]!.payload as Array<{ file: string }>;
    expect(Object.isFrozen(payload) || Object.isFrozen(payload[0])).toBe(false); // the submitter's data, as it came
    await org.cancel('listed');
    await listed;
    expect(() => (decided.decisions as unknown[]).push({ by: 'cto', decision: 'rejected' })).toThrow(TypeError);
  });

  it('an escalation onEscalation marks resolved is still waiting for a person, and resolvable', async () => {
    const thrown: unknown[] = [];
    const org = start({
      onEscalation: (escalation: Escalation) => {
        try {
          (escalation as { status: string }).status = 'resolved';
        } catch (error) {
          thrown.push(error);
        }
      },
    });
    const outcome = org.submit({ id: 'q', type: 'quantum' });
    await flush();
    expect(thrown).toEqual([expect.any(TypeError)]);
    const [waiting] = org.escalations.active();
    expect(waiting).toMatchObject({ taskId: 'q', status: 'active', to: 'human' });
    org.escalations.resolve(waiting!.id, { result: 'by hand', by: 'alice' });
    expect(await outcome).toMatchObject({ status: 'completed', result: 'by hand' });
  });

  it('an outcome one awaiter changes is not what the others read; its result is the executor\'s, not frozen', async () => {
    const org = start();
    const mine = await org.submit<{ files: string[] }>({ id: 't', type: 'python' });
    expect(() => ((mine as { status: string }).status = 'failed')).toThrow(TypeError);
    expect(() => (mine.escalations as unknown[]).push('forged')).toThrow(TypeError);
    expect(() => (mine.delegationChain as string[]).pop()).toThrow(TypeError);
    expect(await org.outcome('t')).toMatchObject({ status: 'completed', escalations: [] });
    mine.result!.files.push('b.txt');
    expect(mine.result!.files).toEqual(['a.txt', 'b.txt']);
  });
});

describe('tasks handed out', () => {
  it('a listener or an executor cannot reroute a task through the record it is given; its payload stays the submitter\'s', async () => {
    const refused: string[] = [];
    const org = start({
      executors: async (task, { chain }) => {
        for (const change of [() => (task.chain as string[]).push('mallory'), () => ((task.budget as { cost?: number }).cost = 1e9), () => ((task.origin as { kind: string }).kind = 'subtask')]) {
          try {
            change();
          } catch (error) {
            refused.push(`executor: ${(error as Error).name}`);
          }
        }
        return { type: task.type, chain };
      },
    });
    org.on('task.submitted', (event) => {
      try {
        (event.task as { type: string }).type = 'css';
      } catch (error) {
        refused.push(`listener: ${(error as Error).name}`);
      }
    });
    const delegated: unknown[] = [];
    org.on('task.delegated', (event) => {
      for (const change of [() => ((event as { to: string }).to = 'mallory'), () => (event.task.escalations as unknown[]).push({})]) {
        try {
          change();
        } catch (error) {
          delegated.push(error);
        }
      }
    });
    const payload = { items: [1, 2] };
    const outcome = await org.submit({ id: 'p', type: 'python', payload });
    expect(refused).toEqual(['listener: TypeError', 'executor: TypeError', 'executor: TypeError', 'executor: TypeError']);
    expect(delegated).toHaveLength(6); // three hops, both changes refused at each
    expect(delegated.every((error) => error instanceof TypeError)).toBe(true);
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1', delegationChain: ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1'], result: { type: 'python' } });
    payload.items.push(3); // the submitter's object is not frozen
    expect(Object.isFrozen(payload)).toBe(false);
  });
});

describe('tasks handed to decisions', () => {
  it('a strategy that changes the task it routes is refused by the language: the task fails with strategy_error, the organisation goes on', async () => {
    const org = start({
      strategy: {
        byId: {
          cto: delegateWith('meddling', (task, candidates) => {
            (task as { type: string }).type = 'css';
            return candidates.find((candidate) => candidate.capable)?.id;
          }),
        },
      },
    });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'strategy_error' } });
    expect(await org.submit({ type: 'python' }, { at: 'backend_lead' })).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1' });
  });

  it('an escalation policy of the user\'s own (the default one with its shouldEscalate replaced) is handed a frozen task: changing it fails the task with policy_error', async () => {
    const standard = defaultEscalationPolicy();
    const org = start({
      escalation: {
        ...standard,
        shouldEscalate: (task, agent, context) => {
          if (agent.id === 'backend_lead') (task as { type: string }).type = 'css';
          return standard.shouldEscalate(task, agent, context);
        },
      },
    });
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'failed', error: { code: 'policy_error' } });
    expect(await org.submit({ type: 'react' })).toMatchObject({ status: 'completed', executedBy: 'react_specialist' });
  });
});
