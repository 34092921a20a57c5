/**
 * "Nothing is ever executed by an agent without the capability" — and the exceptions the design
 * makes on purpose: an emergency is handled by the nearest executive, a policy decision by the
 * agent it escalates to, and a person may assign an escalated task to any agent; each with its own
 * executor, whatever the task's type.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam, type Executor } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

const team = developmentTeam();
const ran: Array<{ type: string; agent: string }> = [];
const executors: Executor = async (task, { agent }) => {
  ran.push({ type: task.type, agent: agent.id });
  return agent.id;
};
const start = orchestrators({ hierarchy: team, executors });
const capable = (agent: string, type: string) => team.get(agent).capabilities.includes(type);

describe('who executes a task', () => {
  it('is always an agent with the capability, whichever agent the task is submitted at; a task nobody can do runs nowhere', async () => {
    ran.length = 0;
    const org = start();
    const types = [...new Set(team.nodes().flatMap((node) => node.capabilities))];
    for (const at of team.nodes().map((node) => node.id)) {
      for (const type of types) {
        const outcome = await org.submit({ type }, { at });
        expect(outcome.status).toBe('completed');
        expect(capable(outcome.executedBy!, type), `${type} submitted at ${at} ran at ${outcome.executedBy}`).toBe(true);
      }
    }
    expect(ran.every(({ type, agent }) => capable(agent, type))).toBe(true);
    expect(ran).toHaveLength(types.length * team.size);
    ran.length = 0;
    expect((await org.submit({ type: 'welding' })).error?.code).toBe('unroutable');
    expect(ran).toEqual([]);
  });

  it('is, by design, the nearest executive for an emergency and the escalation target for a policy decision — without the capability', async () => {
    const org = start();
    const emergency = await org.submit({ type: 'python', context: { isEmergency: true } });
    expect(emergency).toMatchObject({ status: 'completed', executedBy: 'cto', escalations: [{ reason: 'emergency', from: 'backend_dev_1', to: 'cto' }] });
    expect(capable('cto', 'python')).toBe(false);
    const decision = await org.submit({ type: 'css', context: { requiresPolicyDecision: true } });
    expect(decision).toMatchObject({ status: 'completed', executedBy: 'react_specialist', escalations: [{ reason: 'policy_decision', from: 'frontend_dev_1', to: 'react_specialist' }] });
    expect(capable('react_specialist', 'css')).toBe(false);
  });

  it('is, by design, whoever a person assigns an escalated task to', async () => {
    const org = start({ onEscalation: () => undefined, executors: async (task, context) => (context.agent.id === 'backend_dev_1' ? Promise.reject(new Error('broken')) : executors(task, context)) });
    const outcome = org.submit({ type: 'python' });
    await flush(20);
    const [waiting] = org.escalations.active().filter((escalation) => escalation.to === 'human');
    org.escalations.resolve(waiting!.id, { assignTo: 'frontend_dev_1', by: 'alice' });
    expect(await outcome).toMatchObject({ status: 'completed', result: 'frontend_dev_1' });
    expect(capable('frontend_dev_1', 'python')).toBe(false);
  });
});
