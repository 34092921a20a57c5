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
 * until it answers, with new messages queued in its inbox — never dropped. A task whose
 * cancellation overtook it on the way (the host marked it) ends in `evaluatingEscalation`,
 * before any decision.
 */
import { assign, enqueueActions, fromPromise, not, setup, type ActorRefFrom } from 'xstate';
import { taskErrorFromUnknown } from '../src/errors.js';
import { createApprovalMachine } from './approval.machine.js';
import { decisionActors } from './agent.decisions.js';
import { afterDecision, cancelled, decisionMessage, hasAny, operations } from './agent.operations.js';
import {
  agentChildId,
  approvalChildId,
  approverChildId,
  NONE,
  NOTHING,
  resolutionTaskId,
  type AgentContext,
  type AgentEvent,
  type AgentInput,
  type AgentStateName,
  type PendingStep,
} from './agent.types.js';
import { delivery } from './delivery.js';
import type { AgentEnvironment, Job, Step } from './environment.js';
import type { Task } from '../src/types.js';
import { createExecutionMachine, type ExecutionReport } from './execution.machine.js';

export {
  AGENT_STATES,
  agentChildId,
  approvalChildId,
  executionChildId,
  resolutionTaskId,
  type AgentContext,
  type AgentEvent,
  type AgentInput,
  type AgentInternalEvent,
  type AgentStateName,
  type PendingStep,
} from './agent.types.js';

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
  const { attempt, decide, consult, approver } = decisionActors(env);

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

      enqueueResolution: enqueueActions(({ context, enqueue, system, event }) => {
        if (event.type !== 'escalation.raised') return;
        const { escalation } = event;
        const task: Task = {
          ...escalation.task,
          id: resolutionTaskId(escalation.task.id, escalation.id),
          parentId: escalation.task.id,
          origin: { kind: 'escalation', escalationId: escalation.id, raisedBy: escalation.from },
          chain: [context.agentId],
        };
        let mode: Job['mode'];
        try {
          mode = env.resolutionMode(escalation.reason);
        } catch (error) {
          // A policy that cannot say how to resolve fails the escalation (and so the task), not this agent.
          const ops = operations(env, enqueue, context, system);
          ops.end(task, { status: 'failed', error: taskErrorFromUnknown(error, 'policy_error'), attempts: 0 });
          ops.commit();
          return;
        }
        enqueue.assign({ inbox: [...context.inbox, { task, mode }] });
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
        const result = attempt(key, (control) => env.decideApproval(context.agentId, request, control));
        if ('pending' in result) {
          enqueue.spawnChild('approver', { id: approverChildId(request.id), input: { key, agentId: context.agentId, request } });
        } else if ('error' in result) {
          enqueue(() => env.report({ type: 'agent.fault', agent: context.agentId, error: taskErrorFromUnknown(result.error, 'policy_error') }));
        } else if (result.value !== undefined) {
          enqueue.sendTo(system.get(request.requester), decisionMessage(request, context.agentId, result.value), delivery(env));
        }
      }),

      /** A request this agent was deciding needs no decision any more: stop (and so abort) the decision. */
      stopDeciding: enqueueActions(({ enqueue, event }) => {
        if (event.type !== 'approval.withdrawn') return;
        enqueue.stopChild(approverChildId(event.approvalId));
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
      'approval.withdrawn': { actions: 'stopDeciding' },
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
