/**
 * What a task asks for (its context, resources, skills, execution and approval), the failure it
 * carries, how it ended and the approval request an approver decides are the organisation's
 * books too: copied where they come in, frozen where they are handed out, so that a listener, an
 * executor, a policy, a merge or an approver changing one — or a submitter changing what it gave
 * after `submit` — leaves the task on its course.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, defaultEscalationPolicy, developmentTeam, type Outcome } from '../../src/index.js';
import { deferred, flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'ok' });

/** What `change` throws, by name ('none' when it throws nothing). */
function refusal(change: () => unknown): string {
  try {
    change();
    return 'none';
  } catch (error) {
    return (error as Error).name;
  }
}

/** Settles with the outcome, or with 'still waiting' when the task does not settle within a few turns. */
async function settled(outcome: Promise<Outcome>): Promise<Outcome | 'still waiting'> {
  let answer: Outcome | 'still waiting' = 'still waiting';
  void outcome.then((value) => (answer = value));
  await flush(30);
  return answer;
}

describe('what a task asks for', () => {
  it('a task.submitted listener cannot flag it as an emergency: it goes where it was going', async () => {
    const org = start();
    const refused: string[] = [];
    org.on('task.submitted', (event) => refused.push(refusal(() => ((event.task.context as { isEmergency?: boolean }).isEmergency = true))));
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1' });
    expect(refused).toEqual(['TypeError']);
  });

  it("an executor emptying its task's resources, or the submitter its own list after submit, does not keep them claimed", async () => {
    const refused: string[] = [];
    const org = start({ executors: async (task) => (task.id === 'a' && refused.push(refusal(() => ((task.resources as string[]).length = 0))), 'ok') });
    expect(await org.submit({ id: 'a', type: 'python', resources: ['db'] })).toMatchObject({ status: 'completed' });
    expect(refused).toEqual(['TypeError']);
    expect(await settled(org.submit({ id: 'b', type: 'javascript', resources: ['db'] }))).toMatchObject({ status: 'completed' });
    const mine = ['db'];
    const c = org.submit({ id: 'c', type: 'python', resources: mine, requiredSkills: ['python'], context: { teams: ['backend_lead'] } });
    mine.length = 0; // the submitter's list, still theirs to change
    expect((await c).status).toBe('completed');
    expect(await settled(org.submit({ id: 'd', type: 'javascript', resources: ['db'] }))).toMatchObject({ status: 'completed' });
  });

  it('a submitter changing its budget after submit does not change the limit its outcome reports', async () => {
    const org = start();
    const budget = { cost: 5, timeMs: 60_000 };
    const outcome = org.submit({ type: 'python', budget });
    Object.assign(budget, { cost: 1e9, timeMs: -1 });
    expect((await outcome).budget).toMatchObject({ limit: { cost: 5, timeMs: 60_000 }, left: { cost: 5 } });
  });

  it('a budget whose getters give another value after submit checked them reports and enforces the values checked', async () => {
    const limits: unknown[] = [];
    const org = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => (limits.push(task.budget), 'ok') })();
    let reads = 0;
    // The door's checks read each value; the next reads give what no check saw.
    const budget = {
      get cost() {
        return ++reads <= 2 ? 5 : 1e9;
      },
      get timeMs() {
        return reads <= 2 ? 60_000 : -1;
      },
    };
    const outcome = await org.submit({ type: 'python', budget });
    expect(limits).toEqual([expect.objectContaining({ cost: 5 })]);
    expect(outcome).toMatchObject({ status: 'completed', budget: { limit: { cost: 5, timeMs: 60_000 }, left: { cost: 5 } } });
  });

  it('an escalation policy cannot rewrite the failure the task carries', async () => {
    const standard = defaultEscalationPolicy();
    const refused: string[] = [];
    const org = start({
      executors: async () => {
        throw new Error('boom');
      },
      escalation: {
        ...standard,
        target: (agent, reason, task, context) => {
          if (task.cause !== undefined) refused.push(refusal(() => ((task.cause!.error as { message: string }).message = 'forged')));
          return standard.target(agent, reason, task, context);
        },
      },
    });
    const outcome = await org.submit({ type: 'python' });
    expect(outcome).toMatchObject({ status: 'failed', error: { message: 'boom' } });
    expect(refused.length).toBeGreaterThan(0);
    expect(new Set(refused)).toEqual(new Set(['TypeError']));
  });

  it('an escalation policy changing a resource claim it is shown leaves the claim to be released', async () => {
    const standard = defaultEscalationPolicy();
    const refused = new Set<string>();
    const work = deferred<string>();
    const org = start({
      executors: (task) => (task.id === 'a' ? work.promise : 'ok'),
      escalation: {
        ...standard,
        shouldEscalate: (task, agent, context) => {
          for (const claim of context.claims) refused.add(refusal(() => ((claim as { taskId: string }).taskId = 'nobody')));
          return standard.shouldEscalate(task, agent, context);
        },
      },
    });
    const a = org.submit({ id: 'a', type: 'python', resources: ['db'] });
    await flush();
    const b = org.submit({ id: 'b', type: 'javascript', resources: ['db'] });
    await flush();
    work.resolve('ok');
    expect((await a).status).toBe('completed');
    expect(await settled(b)).toMatchObject({ status: 'completed' });
    expect([...refused]).toEqual(['TypeError']);
  });

  it("a merge is handed a frozen copy of the split task: changing it fails the split, the task's own record stays", async () => {
    const org = start({
      decomposers: {
        byType: {
          split: decomposeWith('split', () => [{ type: 'python' }, { type: 'javascript' }], {
            merge: (results, { task }) => {
              (task as { type: string }).type = 'forged';
              return results;
            },
          }),
        },
      },
    });
    expect(await org.submit({ id: 's', type: 'split' })).toMatchObject({ type: 'split', status: 'failed', error: { code: 'decomposer_error' } });
  });

  it("a decomposer's subtask whose resources or skills are no list of strings fails the split with decomposer_error", async () => {
    const org = start({ decomposers: { byType: { split: decomposeWith('split', () => [{ type: 'python', resources: 'db' as unknown as string[] }]) } } });
    const outcome = await org.submit({ type: 'split' });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'decomposer_error' } });
    expect(outcome.error!.message).toContain('resources');
  });

  it("a decomposer's subtask whose context is no object fails the split with decomposer_error, saying so", async () => {
    for (const context of [null, 'urgent', ['backend_lead'], 5]) {
      const org = start({ decomposers: { byType: { split: decomposeWith('split', () => [{ type: 'python', context: context as never }, { type: 'javascript' }]) } } });
      const outcome = await org.submit({ type: 'split' });
      expect(outcome).toMatchObject({ status: 'failed', error: { code: 'decomposer_error' } });
      expect(outcome.error!.message).toContain(`subtask 0's context must be an object of flags, got ${JSON.stringify(context)}`);
      expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed' });
    }
  });
});

describe('how a task ended', () => {
  it("a task.ended listener cannot change a settlement, nor an escalation.resolved listener a person's resolution", async () => {
    const refused: string[] = [];
    const org = start({ onEscalation: () => undefined });
    org.on('task.ended', (event) => refused.push(refusal(() => ((event.settlement as { status: string }).status = 'failed'))));
    org.on('escalation.resolved', (event) => refused.push(refusal(() => ((event.escalation.resolution as { result: unknown }).result = 'forged'))));
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed', result: 'ok' });
    const asked = org.submit({ id: 'q', type: 'quantum' });
    await flush();
    org.escalations.resolve(org.escalations.active()[0]!.id, { result: 'by hand', by: 'alice' });
    expect(await asked).toMatchObject({ status: 'completed', result: 'by hand' });
    expect(refused).toEqual(['TypeError', 'TypeError']);
  });

  it("one awaiter changing its outcome's error or budget does not change what org.outcome answers", async () => {
    const org = start({
      executors: async () => {
        throw new Error('boom');
      },
    });
    const outcome = await org.submit({ id: 'f', type: 'python', budget: { cost: 5 } });
    expect(refusal(() => ((outcome.error as { message: string }).message = 'fine'))).toBe('TypeError');
    expect(refusal(() => ((outcome.budget!.used as { cost: number }).cost = 99))).toBe('TypeError');
    expect(await org.outcome('f')).toMatchObject({ error: { message: 'boom' }, budget: { used: { cost: 0 } } });
  });

  it("one awaiter changing its outcome's budget limit does not change the limit the others are told", async () => {
    const org = start();
    const outcome = await org.submit({ id: 'l', type: 'python', budget: { cost: 5, timeMs: 60_000 } });
    expect(refusal(() => ((outcome.budget!.limit as { cost: number }).cost = 1e9))).toBe('TypeError');
    expect(await org.outcome('l')).toMatchObject({ budget: { limit: { cost: 5, timeMs: 60_000 } } });
  });
});

describe('an approval request handed to an approver', () => {
  it('is frozen: an approver raising its quorum fails its own decision, and one approval still lets the task run', async () => {
    const refused: string[] = [];
    const org = start({
      approvals: {
        approvers: {
          byId: {
            api_specialist: (request) => {
              refused.push(refusal(() => ((request as { quorum: number }).quorum = 99)));
              return undefined;
            },
          },
        },
      },
    });
    const outcome = org.submit({ id: 'r', type: 'python', context: { requiresApproval: true } });
    await flush();
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'api_specialist' });
    expect(await settled(outcome)).toMatchObject({ status: 'completed' });
    expect(refused).toEqual(['TypeError']);
  });
});
