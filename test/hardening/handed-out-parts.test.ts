/**
 * What a task asks for (its context, resources, skills, execution and approval) and the failure it
 * carries are the organisation's books too: copied where they come in, frozen where they are handed
 * out, so that a listener, an executor, a policy or a merge changing one — or a submitter changing
 * what it gave after `submit` — leaves the task on its course.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, defaultEscalationPolicy, developmentTeam, type Outcome } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

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
});
