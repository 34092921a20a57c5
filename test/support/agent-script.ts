/**
 * A scripted organisation for model-testing the agent statechart: a manager (`boss`) with two
 * reports (`kid1`, `kid2`), and one kind of task per kind of step the manager can decide —
 * execute, execute after approval, delegate (the strategy answering at once or later), decide
 * asynchronously, escalate to a person, fail, defer until resources free up, split. The reports
 * execute whatever they get, and escalate to the manager what they cannot. Every answer is fixed, so the model and the live agents decide the
 * same; asynchronous decisions never settle by themselves: the test answers them.
 */
import type { ApprovalRequest, Candidate, PolicyPort, SettingsPort, Settlement, Step, Task, TaskError } from '../../src/index.js';
import { makeTask } from './helpers.js';

export const BOSS = 'boss';
export const KIDS = ['kid1', 'kid2'] as const;
/** Approvals and escalations go to a person: not an actor, only a name. */
export const PERSON = 'human';

/** The kinds of task the manager gets; a task's id is its kind. */
export const KINDS = ['work', 'gated', 'route', 'think', 'plan', 'up', 'bad', 'wait', 'split'] as const;
export type Kind = (typeof KINDS)[number];

/** The resource a deferred task waits for. */
export const RESOURCE = 'db';

/** What an asynchronous decision answers, when the test lets it. */
export const ANSWERS: Readonly<Record<string, Step>> = {
  think: { kind: 'execute' },
  plan: { kind: 'assign', childId: 'kid2' },
};

/** Requests a report makes of the manager: decided by its policy at once, or later. */
export const REQUESTS = ['now', 'later'] as const;
export type RequestKind = (typeof REQUESTS)[number];

export const requestOf = (kind: RequestKind): ApprovalRequest => ({
  id: `req-${kind}`,
  taskId: `job-${kind}`,
  rootId: `job-${kind}`,
  taskType: `ask-${kind}`,
  requester: 'kid1',
  approver: BOSS,
  requiredLevel: 1,
  quorum: 1,
  reason: 'scripted',
  requestedAt: 0,
  payload: undefined,
});

/** The error the host gives a decision that did not answer in time. */
export const decisionTimeout = (agentId: string) => new Error(`${agentId} waited ${SETTINGS.decisionTimeoutMs(agentId)} ms for a decision that did not answer.`);

/** Every scripted task declares the resource, so the host sees each claim and release (a task declaring none asks for neither). */
export const topTask = (kind: Kind): Task => makeTask({ id: kind, type: kind, chain: [BOSS], resources: [RESOURCE] });

const subtask = (key: 'a' | 'b', type: Kind): Task =>
  makeTask({ id: `split.${key}`, type, rootId: 'split', chain: [BOSS], depth: 1, resources: [RESOURCE], origin: { kind: 'subtask', agent: BOSS, parentId: 'split', key } });

const candidate = (id: string) => ({ id, node: { id }, capable: true, load: 0 }) as unknown as Candidate;
const never = <T>() => new Promise<T>(() => undefined);

function evaluateAtBoss(task: Task, mode: string): Step | Promise<Step> {
  switch (task.type as Kind) {
    case 'work':
      return { kind: 'execute' };
    case 'gated':
      return { kind: 'execute', approval: {} };
    case 'route':
      return { kind: 'delegate', candidates: [candidate('kid1')] };
    case 'plan':
      return { kind: 'delegate', candidates: [candidate('kid2')] };
    case 'think':
      return never();
    case 'up':
      return { kind: 'escalate', reason: 'policy_decision', to: PERSON, message: 'a person decides' };
    case 'bad':
      return { kind: 'fail', error: { code: 'unroutable', message: 'nobody can' } };
    case 'wait':
      // Deferred once; woken, it is decided again (as a deferred job) and executed.
      return mode === 'defer' ? { kind: 'execute' } : { kind: 'defer', resources: [RESOURCE], job: { task, mode: 'defer' } };
    case 'split':
      return {
        kind: 'fanout',
        subtasks: [{ task: subtask('a', 'route') }, { task: subtask('b', 'work') }],
        join: { kind: 'all' },
        onFailure: 'fail-fast',
      };
  }
}

export const POLICY: PolicyPort = {
  evaluate: (agentId, job) => (agentId === BOSS ? evaluateAtBoss(job.task, job.mode) : { kind: 'execute' }),
  select: (_agentId, job, candidates) => (job.task.type === 'plan' ? never() : { kind: 'assign', childId: candidates[0]!.id }),
  failureCode: () => 'strategy_error',
  escalateAfter: (agentId, _task, reason, message, error) => {
    if (reason === 'execution_failed') return { kind: 'fail', error: error ?? { code: 'executor_error', message } };
    // Asked to wait for a resource: run it again; anything else goes up (from the manager, to a person).
    if (reason === 'resource_conflict') return { kind: 'execute' };
    return { kind: 'escalate', reason, to: agentId === BOSS ? PERSON : BOSS, message };
  },
  resolutionMode: () => 'route',
  approvalRequest: (agentId, task, _requirement, id, now) => ({
    id,
    taskId: task.id,
    rootId: task.rootId,
    taskType: task.type,
    requester: agentId,
    approver: PERSON,
    requiredLevel: 1,
    quorum: 1,
    reason: 'scripted',
    requestedAt: now,
    payload: undefined,
  }),
  authorize: (request, _decisions, by) => (by === PERSON ? undefined : { code: 'approval_unauthorized', message: `${by} may not decide ${request.id}.` }),
  // An expired request goes one level up once; then it expires for good.
  nextApprover: (request) => (request.requiredLevel > 0 ? { approver: PERSON, requiredLevel: request.requiredLevel - 1 } : undefined),
  decideApproval: (_agentId, request) => (request.taskType === 'ask-now' ? { approve: true } : request.taskType === 'ask-later' ? never() : undefined),
  settleJoin: (_agentId, join): Settlement => {
    const decided = join.decided;
    if (decided?.kind === 'complete') return { status: 'completed', result: join.parts.map((part) => part.settlement?.result), attempts: 0 };
    const error: TaskError = decided?.error ?? { code: 'subtask_failed', message: 'a subtask failed' };
    return { status: decided?.kind === 'cancel' ? 'cancelled' : 'failed', error, attempts: 0 };
  },
};

export const SETTINGS: SettingsPort = {
  childIds: (agentId) => (agentId === BOSS ? KIDS : []),
  // One slot at the manager (a second execution queues); plenty at the reports.
  concurrency: (agentId) => (agentId === BOSS ? 1 : 10),
  decisionConcurrency: () => 1,
  decisionTimeoutMs: () => 5_000,
  executionPolicy: () => ({ timeoutMs: 1_000, retry: { attempts: 2, initialDelayMs: 100, factor: 2, maxDelayMs: 1_000, jitter: 0 } }),
  retryable: () => true,
  approvalTimeoutMs: 1_000,
};
