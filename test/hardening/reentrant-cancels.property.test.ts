/**
 * Cancels asked for at random from inside the organisation — from listeners of every kind of event,
 * while messages are still being handed on — then rounds nobody cancels: every task of those
 * completes. A cancel that missed its task used to stay with the agent it reached and end a later
 * task of the same id on arrival (31 of these 40 seeds). Seeded, on flushes: no clock.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, developmentTeam, joinAny, type Orchestrator, type OrchestratorEventType } from '../../src/index.js';
import { flush, orchestrators, seeded } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });
const TYPES: OrchestratorEventType[] = ['task.submitted', 'task.delegated', 'task.started', 'task.ended', 'task.decomposed', 'escalation.raised', 'approval.requested'];

describe('cancels from inside the organisation, at random', () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}: every task settles, and a later task under a cancelled id is not cancelled by it`, async () => {
      const random = seeded(seed);
      let armed = true;
      const org: Orchestrator = start({
        executors: async (task) => {
          if (random() < 0.2) await Promise.resolve();
          if (task.type === 'sql' && random() < 0.3) throw new Error('flaky');
          return task.id;
        },
        decomposers: { byId: { cto: decomposeWith('p', (t) => (t.type === 'pair' ? { subtasks: [{ type: 'python' }, { type: 'css' }, { type: 'sql' }], join: random() < 0.5 ? joinAny() : undefined } : undefined)) } },
        onEscalation: () => ({ result: 'by hand' }),
        execution: { default: { retry: { attempts: 1 } } },
      });
      for (const type of TYPES) {
        org.on(type, (event) => {
          if (!armed || random() > 0.15) return;
          const id = 'task' in event ? event.task.rootId : undefined;
          if (id === undefined) return;
          void org.cancel(id).catch(() => undefined);
        });
      }
      const kinds = ['python', 'css', 'sql', 'pair', 'react'];
      for (let round = 0; round < 3; round++) {
        const ids = ['a', 'b', 'c', 'd', 'e'];
        const outs = ids.map((id) => org.submit({ id, type: kinds[Math.floor(random() * kinds.length)]!, ...(random() < 0.2 ? { context: { requiresApproval: true } } : {}) }));
        for (let i = 0; i < 20; i++) {
          await flush(1);
          for (const approval of org.approvals.pending()) {
            try {
              org.approvals.approve(approval.id, { by: approval.approver });
            } catch {
              // Decided or withdrawn meanwhile: the refusal is the point of another test.
            }
          }
        }
        expect(await Promise.all(outs)).toHaveLength(5);
      }
      // Rounds nobody cancels in: every task completes (no cancel was left behind anywhere).
      armed = false;
      for (let round = 0; round < 2; round++) {
        const outs = ['a', 'b', 'c', 'd', 'e'].map((id) => org.submit({ id, type: 'react' }));
        const r = await Promise.all(outs);
        expect(r.map((o) => `${o.taskId}:${o.status}`)).toEqual(['a', 'b', 'c', 'd', 'e'].map((id) => `${id}:completed`));
        const p = await org.submit({ id: 'a', type: 'pair' });
        expect(p.status === 'completed' || p.status === 'failed').toBe(true);
        if (p.status === 'failed') expect(p.error?.code).not.toBe('cancelled');
      }
      expect(org.status().activeTasks).toBe(0);
    });
  }
});
