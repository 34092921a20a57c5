/**
 * What an agent does to its own state when something happens: deliver a settled task back up
 * its chain, accept, park, escalate, fan out, cancel. Operations accumulate over one event and
 * are written with a single `assign` (`commit`), so several in a handler see each other's effects.
 */
import type { AnyActorRef } from 'xstate';
import type { ApproverDecision } from '../src/approval/approvers.js';
import type { Join, JoinProgress } from '../src/delegation/join.js';
import { taskErrorFromUnknown, type TaskError } from '../src/errors.js';
import type { AgentMessage, ApprovalRequest, EscalationRequest, Settlement, Task } from '../src/types.js';
import { approvalChildId, executionChildId, resolutionTaskId, type AgentContext, type AgentEvent, type PendingStep } from './agent.types.js';
import { delivery } from './delivery.js';
import type { AgentEnvironment, Job, Step } from './environment.js';

/** The context update for a decision: the step, and the job as the step changed it. */
export function afterDecision(step: Step | PendingStep): Partial<AgentContext> {
  return step.kind !== 'pending' && step.job !== undefined ? { step, job: step.job } : { step };
}

export function hasAny(record: Readonly<Record<string, unknown>>): boolean {
  for (const _ in record) return true;
  return false;
}

/*
 * Copies of records keyed by task or approval id, with one entry more or less. Copied key by key:
 * V8's object spread and rest destructuring slow down sharply on objects with many unique keys
 * (removing one of 1,000 entries by rest destructuring takes milliseconds).
 */
function withEntry<T>(record: Readonly<Record<string, T>>, key: string, value: T): Record<string, T> {
  const copy: Record<string, T> = {};
  for (const existing in record) copy[existing] = record[existing]!;
  copy[key] = value;
  return copy;
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const copy: Record<string, T> = {};
  for (const existing in record) if (existing !== key) copy[existing] = record[existing]!;
  return copy;
}

export function cancelled(agentId: string, reason: string | undefined): Settlement {
  return {
    status: 'cancelled',
    error: { code: 'cancelled', message: reason === undefined ? `Cancelled at ${agentId}.` : `Cancelled at ${agentId}: ${reason}` },
    attempts: 0,
  };
}

export function decisionMessage(request: ApprovalRequest, by: string, decision: ApproverDecision): AgentMessage {
  return decision.approve
    ? { type: 'approval.granted', approvalId: request.id, by, ...(decision.comment === undefined ? {} : { comment: decision.comment }) }
    : { type: 'approval.denied', approvalId: request.id, by, reason: decision.reason };
}

/** The part of XState's `enqueue` the operations use. */
interface Enqueue {
  (action: () => void): void;
  assign(update: Partial<AgentContext>): void;
  sendTo(to: AnyActorRef | string, event: AgentEvent, options?: { delay?: number }): void;
  spawnChild(src: 'execution' | 'approval' | 'approver', options: { id: string; input: unknown }): void;
  stopChild(id: string): void;
}

/**
 * The agent's operations on its own state, accumulated over one event and written with one
 * `assign` at the end (`commit`), so several operations in a handler see each other's effects.
 */
export function operations(env: AgentEnvironment, xstateEnqueue: unknown, context: AgentContext, system: { get(id: string): AnyActorRef | undefined }) {
  const enqueue = xstateEnqueue as Enqueue;
  const me = context.agentId;
  /** The agent currently asked to decide one of this agent's approval requests. */
  const approverOf = (approvalId: string): string | undefined => {
    const approval = system.get(me)?.getSnapshot().children[approvalChildId(approvalId)] as AnyActorRef | undefined;
    return (approval?.getSnapshot() as { context?: { request?: ApprovalRequest } } | undefined)?.context?.request?.approver;
  };
  let load = context.load;
  let queue = context.queue;
  let running = context.running;
  let parked = context.parked;
  let escalated = context.escalated;
  let deferred = context.deferred;
  let inbox = context.inbox;
  let joins = context.joins;
  let changed = false;
  const touch = () => (changed = true);
  const report: AgentEnvironment['report'] = (event) => enqueue(() => env.report(event));
  const post = (to: AnyActorRef | string, event: AgentEvent) => enqueue.sendTo(to, event, delivery(env));

  const ops = {
    /** Delivers a settled task one step back along its chain, or to its origin at the entry agent. */
    deliver(task: Task, settlement: Settlement) {
      const at = task.chain.indexOf(me);
      if (at > 0) {
        const type = settlement.status === 'completed' ? 'task.completed' : 'task.failed';
        post(system.get(task.chain[at - 1]!)!, { type, task, settlement });
      } else if (at === 0 && task.origin.kind === 'submitter') {
        report({ type: 'task.settled', task, settlement });
      } else if (at === 0 && task.origin.kind === 'subtask' && task.origin.agent === me) {
        report({ type: 'subtask.settled', task, settlement });
        const join = joins[task.origin.parentId];
        if (join !== undefined) ops.progress(task.origin.parentId, env.joinAfter(join, task.id, settlement, task.chain));
      } else if (at === 0 && task.origin.kind === 'escalation') {
        const { escalationId, raisedBy } = task.origin;
        post(system.get(raisedBy)!, { type: 'escalation.resolved', escalationId, resolvedBy: me, settlement });
        report({ type: 'escalation.resolved', escalationId, resolvedBy: me, settlement });
      } else {
        report({
          type: 'agent.fault',
          agent: me,
          task,
          error: { code: 'delegation_loop', message: `${me} received a result for task ${task.id}, whose chain (${task.chain.join(' → ')}) does not include it.` },
        });
      }
    },

    /** Ends a task here (executed, failed or cancelled here) and delivers it. */
    end(task: Task, settlement: Settlement) {
      enqueue(() => env.releaseResources(me, task.id));
      report({ type: 'task.ended', task, agent: me, settlement });
      ops.deliver(task, settlement);
    },

    /** One task came back from `child`: its load drops. */
    release(child: string) {
      const current = load[child] ?? 0;
      load = { ...load, [child]: Math.max(0, current - 1) };
      touch();
    },

    apply(job: Job, step: Exclude<Step, { kind: 'delegate' }>) {
      const { task } = job;
      // A deferred job whose resources are free takes them now, in the same step that routes it,
      // so nobody grabs them between here and the agent that will execute it.
      if (job.mode === 'defer' && step.kind !== 'defer') enqueue(() => env.claimResources(me, task));
      switch (step.kind) {
        case 'assign': {
          const handed: Task = { ...task, chain: [...task.chain, step.childId] };
          load = { ...load, [step.childId]: (load[step.childId] ?? 0) + 1 };
          touch();
          post(system.get(step.childId)!, { type: 'task.assign', task: handed });
          report({ type: 'task.delegated', task: handed, from: me, to: step.childId });
          return;
        }
        case 'execute':
          if (step.approval === undefined) ops.accept(task);
          else ops.park(task, step.approval);
          return;
        case 'escalate':
          ops.escalate(task, step);
          return;
        case 'fanout': {
          const join: Join = {
            task,
            policy: step.join,
            onFailure: step.onFailure,
            parts: step.subtasks.map((part) => ({
              key: part.task.origin.kind === 'subtask' ? part.task.origin.key : part.task.id,
              taskId: part.task.id,
              type: part.task.type,
              chain: part.task.chain,
            })),
          };
          joins = { ...joins, [task.id]: join };
          inbox = [...inbox, ...step.subtasks.map((part): Job => ({ task: part.task, mode: 'route', ...(part.to === undefined ? {} : { to: part.to }) }))];
          touch();
          report({ type: 'task.decomposed', task, agent: me, subtasks: step.subtasks.map((part) => part.task) });
          return;
        }
        case 'defer':
          deferred = [...deferred, job];
          touch();
          report({ type: 'task.deferred', task, agent: me, resources: step.resources });
          return;
        case 'fail':
          ops.end(task, { status: step.status ?? 'failed', error: step.error, attempts: 0, ...(step.executedBy === undefined ? {} : { executedBy: step.executedBy }) });
          return;
      }
    },

    /** Takes a task for execution: now if a slot is free, else at the back of the queue. */
    accept(task: Task) {
      enqueue(() => env.claimResources(me, task));
      if (Object.keys(running).length < env.concurrency(me)) {
        ops.startExecution(task);
      } else {
        queue = [...queue, task];
        touch();
        report({ type: 'task.queued', task, agent: me });
      }
    },

    startExecution(task: Task) {
      let policy: ReturnType<AgentEnvironment['executionPolicy']>;
      try {
        policy = env.executionPolicy(me, task);
      } catch (error) {
        // A policy that cannot be built (bad overrides) fails the task here, never the agent.
        ops.end(task, { status: 'failed', error: taskErrorFromUnknown(error, 'invalid_option'), executedBy: me, attempts: 0 });
        return;
      }
      running = withEntry(running, task.id, task);
      touch();
      enqueue.spawnChild('execution', { id: executionChildId(task.id), input: { task, agentId: me, policy } });
    },

    startQueued() {
      const free = env.concurrency(me) - Object.keys(running).length;
      if (free <= 0 || queue.length === 0) return;
      const next = queue.slice(0, free);
      queue = queue.slice(next.length);
      touch();
      for (const task of next) ops.startExecution(task);
    },

    stopExecution(task: Task) {
      enqueue.stopChild(executionChildId(task.id));
      running = without(running, task.id);
      touch();
    },

    /** Parks a task until an approval settles; fails it when no approval can be requested. */
    park(task: Task, requirement: NonNullable<Extract<Step, { kind: 'execute' }>['approval']>) {
      const approvalId = env.newId('apv');
      const request = env.approvalRequest(me, task, requirement, approvalId);
      if (!('id' in request)) {
        ops.end(task, { status: 'rejected', error: request, attempts: 0 });
        return;
      }
      enqueue(() => env.claimResources(me, task));
      parked = { ...parked, [approvalId]: task };
      touch();
      enqueue.spawnChild('approval', { id: approvalChildId(approvalId), input: { request, timeoutMs: requirement.timeoutMs ?? env.approvalTimeoutMs } });
    },

    escalate(task: Task, step: Extract<Step, { kind: 'escalate' }>) {
      const id = env.newId('esc');
      const excludes = step.reason === 'beyond_capability' || step.reason === 'execution_failed';
      const raised: Task = {
        ...task,
        escalations: [...task.escalations, { id, reason: step.reason, from: me, to: step.to }],
        excluded: excludes && !task.excluded.includes(me) ? [...task.excluded, me] : task.excluded,
        ...(step.error === undefined ? {} : { cause: { error: step.error, by: me } }),
      };
      const escalation: EscalationRequest = {
        id,
        reason: step.reason,
        from: me,
        to: step.to,
        message: step.message,
        task: raised,
        ...(step.error === undefined ? {} : { error: step.error }),
        raisedAt: env.now(),
      };
      escalated = { ...escalated, [id]: raised };
      touch();
      enqueue(() => env.releaseResources(me, task.id));
      if (step.to !== 'human') post(system.get(step.to)!, { type: 'escalation.raised', escalation });
      report({ type: 'escalation.raised', escalation, resolutionTaskId: resolutionTaskId(task.id, id) });
    },

    /** After an execution failed for good (or asked to escalate): escalate, park for approval, or end it here. */
    afterFailure(task: Task, step: Step, error: TaskError | undefined, attempts: number) {
      enqueue(() => env.releaseResources(me, task.id));
      switch (step.kind) {
        case 'escalate':
          ops.escalate(task, step);
          return;
        case 'execute':
          if (step.approval === undefined) ops.accept(task);
          else ops.park(task, step.approval);
          return;
        default:
          ops.end(task, {
            status: step.kind === 'fail' ? step.status ?? 'failed' : 'failed',
            error: step.kind === 'fail' ? step.error : error ?? { code: 'executor_error', message: `${me} could not go on with task ${task.id}.` },
            executedBy: me,
            attempts,
          });
      }
    },

    /** A join moved on: cancel its losers, and deliver the parent once it is done. */
    progress(parentId: string, progress: JoinProgress) {
      if (progress.cancel.length > 0) report({ type: 'tasks.cancel', agent: me, taskIds: progress.cancel, reason: `${parentId} no longer needs it` });
      if (progress.done) {
        const { [parentId]: _, ...rest } = joins;
        joins = rest;
        touch();
        ops.deliver(progress.join.task, env.settleJoin(me, progress.join));
      } else {
        joins = { ...joins, [parentId]: progress.join };
        touch();
      }
    },

    forget(what: 'escalated' | 'parked', id: string) {
      if (what === 'escalated') escalated = without(escalated, id);
      else parked = without(parked, id);
      touch();
    },

    /** Cancels a task wherever it is held here; does nothing when it is not here. */
    cancel(taskId: string, reason: string | undefined) {
      const settlement = cancelled(me, reason);
      const runningTask = running[taskId];
      if (runningTask !== undefined) {
        ops.stopExecution(runningTask);
        ops.end(runningTask, settlement);
        return;
      }
      const queued = queue.find((task) => task.id === taskId);
      if (queued !== undefined) {
        queue = queue.filter((task) => task !== queued);
        touch();
        ops.end(queued, settlement);
        return;
      }
      const approvalId = Object.keys(parked).find((id) => parked[id]!.id === taskId);
      if (approvalId !== undefined) {
        const task = parked[approvalId]!;
        // The approver asked may still be deciding: it need not any more.
        const approver = approverOf(approvalId);
        if (approver !== undefined) post(system.get(approver)!, { type: 'approval.withdrawn', approvalId });
        enqueue.stopChild(approvalChildId(approvalId));
        parked = without(parked, approvalId);
        touch();
        report({ type: 'approval.settled', approvalId, status: 'cancelled' });
        ops.end(task, settlement);
        return;
      }
      const join = joins[taskId];
      if (join !== undefined) {
        ops.progress(taskId, env.cancelJoin(join, settlement.error!));
        return;
      }
      const escalationId = Object.keys(escalated).find((id) => escalated[id]!.id === taskId);
      if (escalationId !== undefined) {
        const task = escalated[escalationId]!;
        escalated = without(escalated, escalationId);
        touch();
        // An agent resolving it is told by the host (its resolution task is cancelled too); a person
        // is not an actor, so the escalation is closed here.
        if (task.escalations.find((hop) => hop.id === escalationId)?.to === 'human') {
          report({ type: 'escalation.resolved', escalationId, resolvedBy: me, settlement });
        }
        ops.end(task, settlement);
        return;
      }
      for (const list of ['inbox', 'deferred'] as const) {
        const jobs = list === 'inbox' ? inbox : deferred;
        const job = jobs.find((candidate) => candidate.task.id === taskId);
        if (job === undefined) continue;
        if (list === 'inbox') inbox = inbox.filter((candidate) => candidate !== job);
        else deferred = deferred.filter((candidate) => candidate !== job);
        touch();
        ops.end(job.task, settlement);
        return;
      }
    },

    /** Writes what the operations changed, plus `extra`, in one assign. */
    commit(extra: Partial<AgentContext> = {}) {
      if (!changed && Object.keys(extra).length === 0) return;
      enqueue.assign({ load, queue, running, parked, escalated, deferred, inbox, joins, ...extra });
    },
  };
  return ops;
}
