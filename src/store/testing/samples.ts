/**
 * The data the conformance suite writes: tasks, outcomes, escalations, approvals and batches
 * shaped as an organisation writes them, small enough to read in a failing case.
 */
import type { Approval, Escalation, Outcome, Task } from '../../types.js';
import type { StoreHolder } from '../lock.js';
import type { StoreBatch, StoredTask } from '../types.js';

export const task = (id: string, rootId = id, extra: Partial<Task> = {}): Task => ({
  id,
  type: 'python',
  payload: { feature: id },
  context: {},
  resources: [],
  requiredSkills: [],
  rootId,
  ...(rootId === id ? {} : { parentId: rootId }),
  origin: { kind: 'submitter' },
  chain: ['cto', 'backend_lead'],
  escalations: [],
  excluded: [],
  approvedBy: [],
  depth: 0,
  submittedAt: 5,
  ...extra,
});

export const active = (id: string, rootId = id): StoredTask => ({
  task: task(id, rootId),
  holder: 'backend_lead',
  cancel: null,
  book: rootId === id ? { costs: { [id]: 2 }, subtasks: 0, escalations: [], approvals: [] } : null,
});

export const outcome = (taskId: string, settledAt = 9): Outcome => ({
  taskId,
  type: 'python',
  status: 'completed',
  result: { ok: true },
  executedBy: 'backend_dev_1',
  delegationChain: ['cto'],
  escalations: [],
  approvals: [],
  attempts: 1,
  submittedAt: 5,
  settledAt,
});

export const escalation = (id: string, taskId: string): Escalation => ({
  id,
  reason: 'policy_decision',
  from: 'backend_dev_1',
  to: 'api_specialist',
  message: 'needs a decision',
  raisedAt: 6,
  taskId,
  taskType: 'python',
  status: 'active',
});

export const approval = (id: string, taskId: string): Approval => ({
  id,
  taskId,
  rootId: taskId,
  taskType: 'python',
  requester: 'backend_dev_1',
  approver: 'api_specialist',
  requiredLevel: 2,
  quorum: 1,
  reason: 'deploys need approval',
  requestedAt: 6,
  payload: null,
  status: 'pending',
  decisions: [],
  askedApprovers: ['api_specialist'],
});

export const batch = (extra: Partial<StoreBatch> = {}): StoreBatch => ({
  session: 1,
  snapshots: [],
  tasks: [],
  removedTasks: [],
  outcomes: [],
  escalations: [],
  approvals: [],
  journal: [],
  ...extra,
});

export const holder = (id: string): StoreHolder => ({ id, pid: 4242, host: 'build-1', since: '2026-12-01T09:00:00.000Z' });

export const header = { agents: [{ id: 'cto', parent: null }, { id: 'backend_lead', parent: 'cto' }], snapshotFormat: 1 };
