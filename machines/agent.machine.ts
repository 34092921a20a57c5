/**
 * The agent statechart: one machine for every agent in the organisation.
 *
 * `receiving` waits for messages; each task (or escalation to resolve) goes through
 * `evaluatingEscalation` (the policy: escalate, or go on) and then `delegating` (the strategy
 * picks a child: the agent hands off and is back in `receiving` at once), or is accepted for
 * execution (`executing`, one execution actor per running task, a queue beyond the agent's
 * concurrency) or parked in `awaitingApproval` (one approval actor per request). Results,
 * escalations and approvals arrive as typed events in any state. Decisions are synchronous
 * microsteps; a strategy or policy that returns a promise keeps the agent in that state
 * until it answers, with new messages queued in its inbox — never dropped.
 */
import { assign, enqueueActions, fromCallback, fromPromise, not, setup, type ActorRefFrom, type AnyActorRef, type EventObject } from 'xstate';
import { taskErrorFromUnknown, type TaskError } from '../src/errors.js';
import type { ApproverDecision } from '../src/approval/approvers.js';
import type { Candidate } from '../src/delegation/types.js';
import type { AgentMessage, ApprovalRequest, EscalationRequest, Settlement, Task } from '../src/types.js';
import { createApprovalMachine, type ApprovalSettled } from './approval.machine.js';
import type { Join, JoinProgress } from '../src/delegation/join.js';
import type { AgentEnvironment, Job, Step } from './environment.js';
import { delivery } from './delivery.js';
import { createExecutionMachine, type ExecutionReport } from './execution.machine.js';

export interface AgentInput {
  readonly agentId: string;
}

/** A decision still being made (a strategy or policy returned a promise). */
export type PendingStep = {
  readonly kind: 'pending';
  readonly key: string;
  readonly phase: 'evaluate' | 'select';
  /** The candidates the strategy is choosing among (phase `select`). */
  readonly candidates: readonly Candidate[];
};

export interface AgentContext {
  readonly agentId: string;
  /** Tasks handed to each child that have not come back. */
  readonly load: Readonly<Record<string, number>>;
  /** Jobs waiting for the pipeline (only non-empty while a decision is pending). */
  readonly inbox: readonly Job[];
  /** The job in the pipeline, and what was decided for it. */
  readonly job: Job | null;
  readonly step: Step | PendingStep | null;
  /** Tasks accepted for execution, waiting for a free slot. */
  readonly queue: readonly Task[];
  /** Tasks executing now, by task id (each has an `exec:<taskId>` child). */
  readonly running: Readonly<Record<string, Task>>;
  /** Tasks awaiting approval, by approval id (each has an `approval:<approvalId>` child). */
  readonly parked: Readonly<Record<string, Task>>;
  /** Tasks this agent escalated, by escalation id, until the escalation resolves. */
  readonly escalated: Readonly<Record<string, Task>>;
  /** Jobs waiting for resources to be released. */
  readonly deferred: readonly Job[];
  /** Tasks this agent split, by task id, until their subtasks join. */
  readonly joins: Readonly<Record<string, Join>>;
}

/** What an agent's own helpers tell it. */
export type AgentInternalEvent =
  | ExecutionReport
  | ApprovalSettled
  | { readonly type: 'approver.decided'; readonly request: ApprovalRequest; readonly decision: ApproverDecision | undefined; readonly error?: TaskError }
  | { readonly type: 'resource.released'; readonly resources: readonly string[] };

/** Every event an agent handles: the messages between agents, and its helpers' reports. */
export type AgentEvent = AgentMessage | AgentInternalEvent;

/** The five states every agent moves through (part of the API: tests and inspectors show them). */
export const AGENT_STATES = ['receiving', 'evaluatingEscalation', 'delegating', 'executing', 'awaitingApproval'] as const;
export type AgentStateName = (typeof AGENT_STATES)[number];

/** The id of a child agent's actor in its parent (its `systemId` is the agent id itself). */
export const agentChildId = (agentId: string) => `agent:${agentId}`;
export const executionChildId = (taskId: string) => `exec:${taskId}`;
export const approvalChildId = (approvalId: string) => `approval:${approvalId}`;
const approverChildId = (approvalId: string) => `approver:${approvalId}`;

/** The id of the task an escalation's target works on to resolve it. */
export const resolutionTaskId = (taskId: string, escalationId: string) => `${taskId}!${escalationId}`;

const NOTHING: Readonly<Record<string, never>> = Object.freeze({});
const NONE: readonly never[] = Object.freeze([]);

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * Builds the agent statechart over an environment. Every agent of an organisation runs the
 * same machine; it spawns its children (by `systemId` = agent id) when it starts.
 * `implementations` are passed to `.provide()` — tests swap actors (the executor) this way.
 *
 * @example
 * ```ts
 * const machine = createAgentMachine(environment);
 * const root = createActor(machine, { systemId: 'cto', input: { agentId: 'cto' } }).start();
 * ```
 */
export function createAgentMachine(env: AgentEnvironment, implementations?: Parameters<ReturnType<typeof defineAgentMachine>['provide']>[0]) {
  const machine = defineAgentMachine(env);
  const provided = implementations === undefined ? machine : machine.provide(implementations);
  // Agents spawn agents: the `agent` actor must be this very machine (with whatever was provided),
  // referenced by name so persisted snapshots can restore the children.
  (provided.implementations.actors as Record<string, unknown>).agent = provided;
  return provided;
}

export type AgentMachine = ReturnType<typeof createAgentMachine>;
export type AgentActorRef = ActorRefFrom<AgentMachine>;

function defineAgentMachine(env: AgentEnvironment) {
  /** Promises of decisions in progress, by key; a restored agent recomputes a missing one. */
  const inflight = new Map<string, Promise<unknown>>();

  const attempt = <T>(key: string, run: () => T | Promise<T>): { value: T } | { pending: true } | { error: unknown } => {
    try {
      const value = run();
      if (!isPromise(value)) return { value };
      inflight.set(key, value);
      return { pending: true };
    } catch (error) {
      return { error };
    }
  };

  const decide = (context: AgentContext, phase: PendingStep['phase']): Step | PendingStep => {
    const job = context.job!;
    const key = `${context.agentId}\u0000${job.task.id}\u0000${phase}`;
    const candidates = phase === 'select' && context.step?.kind === 'delegate' ? context.step.candidates : NONE;
    const run = () => (phase === 'evaluate' ? env.evaluate(context.agentId, job, context.load) : env.select(context.agentId, job, candidates));
    const result = attempt(key, run);
    if ('value' in result) return result.value;
    if ('pending' in result) return { kind: 'pending', key, phase, candidates };
    return { kind: 'fail', error: taskErrorFromUnknown(result.error, phase === 'evaluate' ? 'policy_error' : 'strategy_error') };
  };

  const consult = fromPromise<Step, { key: string; phase: PendingStep['phase']; agentId: string; job: Job; load: Readonly<Record<string, number>>; candidates: readonly Candidate[] }>(
    async ({ input }) => {
      const promise = inflight.get(input.key);
      inflight.delete(input.key);
      if (promise !== undefined) return (await promise) as Step;
      return input.phase === 'evaluate' ? env.evaluate(input.agentId, input.job, input.load) : env.select(input.agentId, input.job, input.candidates);
    },
  );

  const approver = fromCallback<EventObject, { key: string; agentId: string; request: ApprovalRequest }>(({ input, sendBack }) => {
    let live = true;
    const promise = (inflight.get(input.key) ?? Promise.resolve().then(() => env.decideApproval(input.agentId, input.request))) as Promise<
      ApproverDecision | undefined
    >;
    inflight.delete(input.key);
    promise.then(
      (decision) => live && sendBack({ type: 'approver.decided', request: input.request, decision }),
      (error: unknown) =>
        live && sendBack({ type: 'approver.decided', request: input.request, decision: undefined, error: taskErrorFromUnknown(error, 'policy_error') }),
    );
    return () => {
      live = false;
    };
  });

  return setup({
    types: {} as { context: AgentContext; input: AgentInput; events: AgentEvent },
    actors: {
      /** Replaced by the machine itself in `createAgentMachine`. */
      agent: fromPromise<never, AgentInput>(() => Promise.reject(new Error('agent logic not linked'))),
      execution: createExecutionMachine(env),
      approval: createApprovalMachine(env),
      consult,
      approver,
    },
    guards: {
      hasInbox: ({ context }) => context.inbox.length > 0,
      isExecuting: ({ context }) => context.queue.length > 0 || hasAny(context.running),
      isAwaitingApproval: ({ context }) => hasAny(context.parked),
      stepPending: ({ context }) => context.step?.kind === 'pending',
      stepDelegates: ({ context }) => context.step?.kind === 'delegate',
      cancelsCurrentJob: ({ context, event }) => event.type === 'task.cancel' && context.job?.task.id === event.taskId,
    },
    actions: {
      reportState: ({ context }, params: { state: AgentStateName }) => env.report({ type: 'agent.state', agent: context.agentId, state: params.state }),

      spawnChildren: enqueueActions(({ context, enqueue }) => {
        for (const childId of env.childIds(context.agentId)) {
          enqueue.spawnChild('agent', { id: agentChildId(childId), systemId: childId, input: { agentId: childId } });
        }
      }),

      takeJob: assign(({ context }) => ({ job: context.inbox[0]!, inbox: context.inbox.slice(1), step: null })),
      /** An idle agent takes a task straight into the pipeline (its inbox is empty whenever it idles). */
      takeAssigned: assign(({ event }) => (event.type === 'task.assign' ? { job: { task: event.task, mode: event.mode ?? 'route' }, step: null } : {})),

      evaluate: assign(({ context }) => afterDecision(decide(context, 'evaluate'))),
      select: assign(({ context }) => afterDecision(decide(context, 'select'))),
      decided: assign(({ event }) => afterDecision((event as unknown as { output: Step }).output)),
      undecided: enqueueActions(({ context, enqueue, event }) => {
        const code = (context.step as PendingStep).phase === 'evaluate' ? 'policy_error' : 'strategy_error';
        enqueue.assign({ step: { kind: 'fail', error: taskErrorFromUnknown((event as unknown as { error: unknown }).error, code) } });
      }),

      /** Carries out the decided step for the job in the pipeline, and empties the pipeline. */
      applyStep: enqueueActions(({ context, enqueue, system }) => {
        const { job, step } = context;
        const ops = operations(env, enqueue, context, system);
        if (step?.kind === 'delegate' || step?.kind === 'pending' || step === null) {
          ops.end(job!.task, {
            status: 'failed',
            error: { code: 'strategy_error', message: `${context.agentId} reached the end of delegating without a decision.` },
            attempts: 0,
          });
        } else {
          ops.apply(job!, step);
        }
        ops.commit({ job: null, step: null });
      }),

      cancelCurrentJob: enqueueActions(({ context, enqueue, system, event }) => {
        const ops = operations(env, enqueue, context, system);
        ops.end(context.job!.task, cancelled(context.agentId, event.type === 'task.cancel' ? event.reason : undefined));
        ops.commit({ job: null, step: null });
      }),

      enqueueTask: enqueueActions(({ context, enqueue, event }) => {
        if (event.type !== 'task.assign') return;
        enqueue.assign({ inbox: [...context.inbox, { task: event.task, mode: event.mode ?? 'route' }] });
      }),

      enqueueResolution: enqueueActions(({ context, enqueue, event }) => {
        if (event.type !== 'escalation.raised') return;
        const { escalation } = event;
        const task: Task = {
          ...escalation.task,
          id: resolutionTaskId(escalation.task.id, escalation.id),
          parentId: escalation.task.id,
          origin: { kind: 'escalation', escalationId: escalation.id, raisedBy: escalation.from },
          chain: [context.agentId],
        };
        enqueue.assign({ inbox: [...context.inbox, { task, mode: env.resolutionMode(escalation.reason) }] });
      }),

      onChildSettled: enqueueActions(({ context, enqueue, system, event }) => {
        if (event.type !== 'task.completed' && event.type !== 'task.failed') return;
        const ops = operations(env, enqueue, context, system);
        const at = event.task.chain.indexOf(context.agentId);
        const child = event.task.chain[at + 1];
        if (at >= 0 && child !== undefined) ops.release(child);
        ops.deliver(event.task, event.settlement);
        ops.commit();
      }),

      onEscalationResolved: enqueueActions(({ context, enqueue, system, event }) => {
        if (event.type !== 'escalation.resolved') return;
        const task = context.escalated[event.escalationId];
        if (task === undefined) return; // cancelled meanwhile: nothing waits for it
        const ops = operations(env, enqueue, context, system);
        ops.forget('escalated', event.escalationId);
        ops.deliver(task, event.settlement);
        ops.commit();
      }),

      onExecutionReport: enqueueActions(({ context, enqueue, system, event }) => {
        if (!event.type.startsWith('execution.')) return;
        const report = event as ExecutionReport;
        const task = context.running[report.taskId];
        if (task === undefined) return; // stopped (cancelled) before its report arrived
        const ops = operations(env, enqueue, context, system);
        ops.stopExecution(task);
        switch (report.type) {
          case 'execution.succeeded':
            ops.end(task, { status: 'completed', result: report.result, executedBy: context.agentId, attempts: report.attempts });
            break;
          case 'execution.failed':
            ops.afterFailure(task, env.escalateAfter(context.agentId, task, 'execution_failed', report.error.message, report.error), report.error, report.attempts);
            break;
          case 'execution.escalate':
            ops.afterFailure(task, env.escalateAfter(context.agentId, task, report.reason, report.message), undefined, report.attempts);
            break;
          case 'execution.approval':
            ops.park(task, report.requirement);
            break;
        }
        ops.startQueued();
        ops.commit();
      }),

      onApprovalSettled: enqueueActions(({ context, enqueue, system, event }) => {
        if (event.type !== 'approval.settled') return;
        const task = context.parked[event.approvalId];
        if (task === undefined) return;
        const ops = operations(env, enqueue, context, system);
        enqueue.stopChild(approvalChildId(event.approvalId));
        ops.forget('parked', event.approvalId);
        const status = event.approved ? 'approved' : event.error?.code === 'approval_expired' ? 'expired' : 'rejected';
        enqueue(() => env.report({ type: 'approval.settled', approvalId: event.approvalId, status }));
        if (event.approved) {
          ops.accept({ ...task, approvedBy: [...task.approvedBy, event.approvalId] });
        } else {
          ops.end(task, { status: 'rejected', error: event.error!, attempts: 0 });
        }
        ops.commit();
      }),

      onApprovalRequested: enqueueActions(({ context, enqueue, system, event }) => {
        if (event.type !== 'approval.requested') return;
        const request = event.approval;
        const key = `${context.agentId}\u0000${request.id}\u0000approve\u0000${request.approver}`;
        const result = attempt(key, () => env.decideApproval(context.agentId, request));
        if ('pending' in result) {
          enqueue.spawnChild('approver', { id: approverChildId(request.id), input: { key, agentId: context.agentId, request } });
        } else if ('error' in result) {
          enqueue(() => env.report({ type: 'agent.fault', agent: context.agentId, error: taskErrorFromUnknown(result.error, 'policy_error') }));
        } else if (result.value !== undefined) {
          enqueue.sendTo(system.get(request.requester), decisionMessage(request, context.agentId, result.value), delivery(env));
        }
      }),

      onApproverDecided: enqueueActions(({ context, enqueue, system, event }) => {
        if (event.type !== 'approver.decided') return;
        enqueue.stopChild(approverChildId(event.request.id));
        if (event.error !== undefined) enqueue(() => env.report({ type: 'agent.fault', agent: context.agentId, error: event.error! }));
        if (event.decision !== undefined) {
          enqueue.sendTo(system.get(event.request.requester), decisionMessage(event.request, context.agentId, event.decision), delivery(env));
        }
      }),

      forwardDecision: enqueueActions(({ context, enqueue, event }) => {
        if (event.type !== 'approval.granted' && event.type !== 'approval.denied') return;
        if (context.parked[event.approvalId] !== undefined) {
          enqueue.sendTo(approvalChildId(event.approvalId), event, delivery(env));
          return;
        }
        enqueue(() =>
          env.report({
            type: 'approval.refused',
            approvalId: event.approvalId,
            by: event.by,
            error: { code: 'unknown_approval', message: `${context.agentId} has no pending approval ${event.approvalId}.` },
          }),
        );
      }),

      onCancel: enqueueActions(({ context, enqueue, system, event }) => {
        if (event.type !== 'task.cancel') return;
        const ops = operations(env, enqueue, context, system);
        ops.cancel(event.taskId, event.reason);
        ops.startQueued();
        ops.commit();
      }),

      onResourcesReleased: enqueueActions(({ context, enqueue }) => {
        if (context.deferred.length === 0) return;
        enqueue.assign({ inbox: [...context.inbox, ...context.deferred], deferred: NONE });
      }),

      onChildFault: enqueueActions(({ context, enqueue, system, event }) => {
        const ops = operations(env, enqueue, context, system);
        const childId = event.type.slice('xstate.error.actor.'.length);
        const error = taskErrorFromUnknown((event as unknown as { error: unknown }).error, 'executor_error');
        const taskId = childId.startsWith('exec:') ? childId.slice('exec:'.length) : undefined;
        const task = taskId === undefined ? undefined : context.running[taskId];
        enqueue(() => env.report({ type: 'agent.fault', agent: context.agentId, error, ...(task === undefined ? {} : { task }) }));
        if (task !== undefined) {
          ops.stopExecution(task);
          ops.end(task, { status: 'failed', error, executedBy: context.agentId, attempts: 1 });
          ops.startQueued();
        }
        ops.commit();
      }),
    },
  }).createMachine({
    id: 'agent',
    context: ({ input }) => ({
      agentId: input.agentId,
      load: NOTHING,
      inbox: NONE,
      job: null,
      step: null,
      queue: NONE,
      running: NOTHING,
      parked: NOTHING,
      escalated: NOTHING,
      deferred: NONE,
      joins: NOTHING,
    }),
    entry: 'spawnChildren',
    initial: 'receiving',
    on: {
      'task.assign': { actions: 'enqueueTask' },
      'escalation.raised': { actions: 'enqueueResolution' },
      'task.completed': { actions: 'onChildSettled' },
      'task.failed': { actions: 'onChildSettled' },
      'escalation.resolved': { actions: 'onEscalationResolved' },
      'execution.succeeded': { actions: 'onExecutionReport' },
      'execution.failed': { actions: 'onExecutionReport' },
      'execution.escalate': { actions: 'onExecutionReport' },
      'execution.approval': { actions: 'onExecutionReport' },
      'approval.requested': { actions: 'onApprovalRequested' },
      'approver.decided': { actions: 'onApproverDecided' },
      'approval.granted': { actions: 'forwardDecision' },
      'approval.denied': { actions: 'forwardDecision' },
      'approval.settled': { actions: 'onApprovalSettled' },
      'task.cancel': { actions: 'onCancel' },
      'resource.released': { actions: 'onResourcesReleased' },
      'xstate.error.actor.*': { actions: 'onChildFault' },
    },
    states: {
      receiving: {
        entry: { type: 'reportState', params: { state: 'receiving' } },
        on: { 'task.assign': { target: 'evaluatingEscalation', actions: 'takeAssigned' } },
        always: [
          { guard: 'hasInbox', target: 'evaluatingEscalation', actions: 'takeJob' },
          { guard: 'isExecuting', target: 'executing' },
          { guard: 'isAwaitingApproval', target: 'awaitingApproval' },
        ],
      },
      evaluatingEscalation: {
        entry: [{ type: 'reportState', params: { state: 'evaluatingEscalation' } }, 'evaluate'],
        initial: 'deciding',
        states: {
          deciding: {
            always: [
              { guard: 'stepPending', target: 'consulting' },
              { guard: 'stepDelegates', target: '#agent.delegating' },
              { target: '#agent.receiving', actions: 'applyStep' },
            ],
          },
          consulting: consulting(),
        },
        on: { 'task.assign': { actions: 'enqueueTask' }, 'task.cancel': cancelInPipeline() },
      },
      delegating: {
        entry: [{ type: 'reportState', params: { state: 'delegating' } }, 'select'],
        initial: 'deciding',
        states: {
          deciding: {
            always: [
              { guard: 'stepPending', target: 'consulting' },
              { target: '#agent.receiving', actions: 'applyStep' },
            ],
          },
          consulting: consulting(),
        },
        on: { 'task.assign': { actions: 'enqueueTask' }, 'task.cancel': cancelInPipeline() },
      },
      executing: {
        entry: { type: 'reportState', params: { state: 'executing' } },
        on: { 'task.assign': { target: 'evaluatingEscalation', actions: 'takeAssigned' } },
        always: [
          { guard: 'hasInbox', target: 'evaluatingEscalation', actions: 'takeJob' },
          { guard: not('isExecuting'), target: 'receiving' },
        ],
      },
      awaitingApproval: {
        entry: { type: 'reportState', params: { state: 'awaitingApproval' } },
        on: { 'task.assign': { target: 'evaluatingEscalation', actions: 'takeAssigned' } },
        always: [
          { guard: 'hasInbox', target: 'evaluatingEscalation', actions: 'takeJob' },
          { guard: 'isExecuting', target: 'executing' },
          { guard: not('isAwaitingApproval'), target: 'receiving' },
        ],
      },
    },
  });

  /** A pipeline state's wait for a decision that returned a promise. */
  function consulting() {
    return {
      invoke: {
        id: 'consult',
        src: 'consult' as const,
        input: ({ context }: { context: AgentContext }) => {
          const pending = context.step as PendingStep;
          return { key: pending.key, phase: pending.phase, agentId: context.agentId, job: context.job!, load: context.load, candidates: pending.candidates };
        },
        onDone: { target: 'deciding', actions: 'decided' as const },
        onError: { target: 'deciding', actions: 'undecided' as const },
      },
    } as const;
  }

  function cancelInPipeline() {
    return [{ guard: 'cancelsCurrentJob' as const, target: '#agent.receiving', actions: 'cancelCurrentJob' as const }, { actions: 'onCancel' as const }];
  }
}

/** The context update for a decision: the step, and the job as the step changed it. */
function afterDecision(step: Step | PendingStep): Partial<AgentContext> {
  return step.kind !== 'pending' && step.job !== undefined ? { step, job: step.job } : { step };
}

function hasAny(record: Readonly<Record<string, unknown>>): boolean {
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

function cancelled(agentId: string, reason: string | undefined): Settlement {
  return {
    status: 'cancelled',
    error: { code: 'cancelled', message: reason === undefined ? `Cancelled at ${agentId}.` : `Cancelled at ${agentId}: ${reason}` },
    attempts: 0,
  };
}

function decisionMessage(request: ApprovalRequest, by: string, decision: ApproverDecision): AgentMessage {
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
function operations(env: AgentEnvironment, xstateEnqueue: unknown, context: AgentContext, system: { get(id: string): AnyActorRef | undefined }) {
  const enqueue = xstateEnqueue as Enqueue;
  const me = context.agentId;
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
      running = withEntry(running, task.id, task);
      touch();
      enqueue.spawnChild('execution', { id: executionChildId(task.id), input: { task, agentId: me, policy: env.executionPolicy(me, task) } });
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
      enqueue.spawnChild('approval', { id: approvalChildId(approvalId), input: { request, timeoutMs: requirement.timeoutMs } });
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
