import './quiet.js';
import { describe, expect, it } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { restateEndpoint, restateOrchestrator } from '../../src/restate/index.js';
import { sharedServer } from './support.js';

describe('echelon/restate: moving a subtree to another process', () => {
  it('moves the backend subtree to a new deployment with a parked approval: nothing migrated, the task finishes there', async () => {
    const server = await sharedServer();
    const ran: string[] = [];
    const options = (where: string) => ({
      name: `move${process.pid}`,
      hierarchy: developmentTeam(),
      executors: { default: async (_task: unknown, { agent }: { agent: { id: string } }) => (ran.push(`${agent.id}@${where}`), `done at ${where}`) },
    });
    const root = await restateEndpoint({ ...options('root'), hosts: ['cto', 'frontend_lead'] }).listen();
    const first = await restateEndpoint({ ...options('first'), hosts: ['backend_lead'] }).listen();
    try {
      await server.register(root.url, { force: true });
      await server.register(first.url, { force: true });
      const org = restateOrchestrator({ ...options('client'), ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });
      const waiting = org.submit({ id: 'moved-1', type: 'api_design', context: { requiresApproval: true } });
      let pending = await org.approvals.pending();
      for (let tries = 0; pending.length === 0 && tries < 400; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        pending = await org.approvals.pending();
      }
      expect(pending).toHaveLength(1);
      await first.close();
      const second = await restateEndpoint({ ...options('second'), hosts: ['backend_lead'] }).listen();
      try {
        await server.register(second.url, { force: true });
        await org.approvals.approve(pending[0]!.id, { by: 'backend_lead' });
        const outcome = await waiting;
        expect(outcome).toMatchObject({ status: 'completed', executedBy: 'api_specialist', result: 'done at second' });
        expect(ran).toEqual(['api_specialist@second']);
      } finally {
        await second.close();
      }
    } finally {
      await root.close();
      await first.close().catch(() => undefined);
    }
  }, 90_000);
});
