/**
 * org.stop() called at a random point from inside the organisation (a listener of any event, while
 * people approve from listeners too), then the organisation resumed from its store: every task the
 * stop interrupted completes, the others keep the outcome they had, nothing that had completed runs
 * again, and the ids are free for new tasks. Seeded, on flushes: no clock.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, developmentTeam, memoryStore, type Orchestrator, type OrchestratorEventType } from '../../src/index.js';
import { flush, orchestrators, seeded } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });
const TYPES: OrchestratorEventType[] = ['task.submitted', 'task.delegated', 'task.started', 'task.ended', 'task.decomposed', 'escalation.raised', 'approval.requested', 'task.completed'];

describe('org.stop() from inside, at random, then resume', () => {
  for (let seed = 1; seed <= 30; seed++) {
    it(`seed ${seed}: interrupted tasks complete after the resume, finished ones keep their outcome and do not run again`, async () => {
      const random = seeded(seed);
      const store = memoryStore();
      const ran = new Map<string, number>();
      const options = {
        store,
        executors: async (task: { id: string; type: string }) => {
          ran.set(task.id, (ran.get(task.id) ?? 0) + 1);
          if (random() < 0.3) await Promise.resolve();
          return task.id;
        },
        decomposers: { byId: { cto: decomposeWith('p', (t) => (t.type === 'pair' ? [{ type: 'python' }, { type: 'css' }] : undefined)) } },
      };
      const org: Orchestrator = start(options);
      let stopAt = Math.floor(random() * 30);
      for (const type of TYPES) {
        org.on(type, (event) => {
          if (stopAt-- === 0) void org.stop();
          if (event.type === 'approval.requested' && random() < 0.5) {
            try {
              org.approvals.approve(event.approval.id, { by: event.approval.approver });
            } catch {
              // After the stop: refused with orchestrator_stopped, and decided after the resume.
            }
          }
        });
      }
      const kinds = ['python', 'css', 'pair', 'react'];
      const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
      // A submit the stop refused at the door says so ('orchestrator_stopped'); one it interrupted, 'before this task settled'.
      const outs = ids.map((id) => org.submit({ id, type: kinds[Math.floor(random() * kinds.length)]!, ...(random() < 0.3 ? { context: { requiresApproval: true } } : {}) }).then((o) => o.status, (e) => (String(e.message).includes('before this task settled') ? 'interrupted' : e.code)));
      for (let i = 0; i < 10; i++) await flush(1);
      await org.stop();
      const first = await Promise.all(outs);
      const ranBefore = new Map(ran);
      const org2 = start({ ...options, resume: true });
      for (let i = 0; i < 10; i++) {
        await flush(1);
        for (const approval of org2.approvals.pending()) org2.approvals.approve(approval.id, { by: approval.approver });
      }
      const second = await Promise.all(ids.map((id) => org2.outcome(id).then((o) => o.status, (e) => e.code)));
      for (let i = 0; i < ids.length; i++) {
        if (first[i] === 'interrupted') expect([second[i], ids[i]]).toEqual(['completed', ids[i]]);
        else if (first[i] !== 'orchestrator_stopped') expect([second[i], ids[i]]).toEqual([first[i], ids[i]]);
      }
      expect(org2.status().activeTasks).toBe(0);
      // Nothing that had completed runs again.
      for (const [taskId, count] of ranBefore) if (first[ids.indexOf(taskId.split('.')[0]!)] === 'completed') expect([taskId, ran.get(taskId)]).toEqual([taskId, count]);
      const again = await Promise.all(ids.map((id) => org2.submit({ id, type: 'react' }).then((o) => o.status)));
      expect(again).toEqual(ids.map(() => 'completed'));
    });
  }
});
