import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { restateOrg } from './support.js';

const executors = { default: async (task: { type: string }, { agent }: { agent: { id: string } }) => ({ done: task.type, by: agent.id }) };

describe('echelon/restate: the organisation on Restate', () => {
  it('routes a task down the subtree that can do it and settles it once', async () => {
    const org = await restateOrg({ hierarchy: developmentTeam(), executors });
    const outcome = await org.submit({ id: 'login-1', type: 'api_design', payload: { feature: 'login' } });
    expect(outcome.status).toBe('completed');
    expect(outcome.executedBy).toBe('api_specialist');
    expect(outcome.delegationChain).toEqual(['cto', 'backend_lead', 'api_specialist']);
    expect(outcome.result).toEqual({ done: 'api_design', by: 'api_specialist' });
  }, 60_000);
});
