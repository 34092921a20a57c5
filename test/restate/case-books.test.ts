/**
 * The cancellations a case sends after a report (src/restate/case-books.ts `cancelsFollowing`):
 * a cancel that went to the agent the case knew, while the task was on its way to another, follows
 * the task there. No server: the ledger as the case restores it.
 */
import { describe, expect, it } from 'vitest';
import type { AgentReport } from '../../machines/ports.js';
import { cancelsFollowing } from '../../src/restate/case-books.js';
import { Ledger } from '../../src/runtime/ledger.js';
import { validateTaskInput } from '../../src/task-input.js';

const task = validateTaskInput({ id: 'q', type: 'api_design' }, { entry: 'cto', now: 0, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });
const handed = { ...task, chain: ['cto', 'backend_lead'] };
const delegated: AgentReport = { type: 'task.delegated', task: handed, from: 'cto', to: 'backend_lead' };
const escalation = { id: 'esc_1', reason: 'beyond_capability' as const, from: 'backend_lead', to: 'cto', message: 'no', task: handed, raisedAt: 0 };
const raised: AgentReport = { type: 'escalation.raised', escalation, resolutionTaskId: 'q!esc_1' };

describe('echelon/restate: a cancellation follows a task that moved', () => {
  it('tells the agent a task marked for cancellation was handed to, and nobody for a task not marked', () => {
    const ledger = new Ledger(10);
    ledger.submit(task, 'cto');
    ledger.move(handed, 'backend_lead');
    expect(cancelsFollowing(ledger, delegated)).toEqual([]);
    ledger.requestCancel('q', 'changed my mind');
    expect(cancelsFollowing(ledger, delegated)).toEqual([{ to: 'backend_lead', taskId: 'q', reason: 'changed my mind' }]);
  });

  it('tells the agent resolving an escalation of a marked task, but not a person', () => {
    const ledger = new Ledger(10);
    ledger.submit(task, 'cto');
    ledger.requestCancel('q', 'stop');
    ledger.raise(escalation);
    ledger.derive({ ...handed, id: 'q!esc_1', parentId: 'q' }, 'cto');
    expect(cancelsFollowing(ledger, raised)).toEqual([{ to: 'cto', taskId: 'q!esc_1', reason: 'stop' }]);
    expect(cancelsFollowing(ledger, { ...raised, escalation: { ...escalation, to: 'human' } } as AgentReport)).toEqual([]);
    expect(cancelsFollowing(ledger, { type: 'task.started', task: handed, agent: 'backend_lead', attempt: 1 })).toEqual([]);
  });
});
