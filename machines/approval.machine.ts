/**
 * One approval request's life: ask the approver, collect decisions from those with authority
 * until the quorum approves or one rejects, and move the request one level up each time it
 * expires undecided (at the root it is rejected as expired). Spawned by the requesting agent,
 * which parks the task until this actor reports `approval.settled`.
 */
import { assign, enqueueActions, sendParent, setup, type EventObject } from 'xstate';
import type { TaskError } from '../src/errors.js';
import type { ApprovalDecision, ApprovalRequest } from '../src/types.js';
import type { AgentEnvironment } from './environment.js';
import { delivery } from './delivery.js';

export interface ApprovalInput {
  readonly request: ApprovalRequest;
  /** How long each approver has before the request moves up; absent: no expiry. */
  readonly timeoutMs: number | undefined;
}

export interface ApprovalContext extends ApprovalInput {
  readonly decisions: readonly ApprovalDecision[];
  readonly asked: readonly string[];
  readonly outcome: { readonly approved: boolean; readonly error?: TaskError } | undefined;
}

export type ApprovalEvent =
  | { readonly type: 'approval.granted'; readonly approvalId: string; readonly by: string; readonly comment?: string }
  | { readonly type: 'approval.denied'; readonly approvalId: string; readonly by: string; readonly reason?: string }
  /** Expire now: sent on restore when the deadline passed while the process was down. */
  | { readonly type: 'approval.expire' };

/** What the approval tells its requesting agent when it is decided. */
export interface ApprovalSettled {
  readonly type: 'approval.settled';
  readonly approvalId: string;
  readonly approved: boolean;
  readonly decisions: readonly ApprovalDecision[];
  readonly error?: TaskError;
}

/**
 * The approval statechart: `pending` (asking the current approver, expiring after its timeout)
 * → `approved`, `rejected` or `expired`; each expiry moves the request one level up.
 *
 * @example
 * ```ts
 * // The agent statechart spawns one per parked task; alone, replace what talks to other actors:
 * const approval = createApprovalMachine(environment).provide({ actions: { notifyApprover: () => undefined, settle: () => undefined } });
 * ```
 */
export function createApprovalMachine(env: AgentEnvironment) {
  const by = (event: ApprovalEvent) => (event.type === 'approval.expire' ? '' : event.by);
  const refusal = (context: ApprovalContext, event: ApprovalEvent) => env.authorize(context.request, context.decisions, by(event));
  const decision = (event: ApprovalEvent): ApprovalDecision =>
    event.type === 'approval.granted'
      ? { by: event.by, decision: 'approved', ...(event.comment === undefined ? {} : { note: event.comment }), at: env.now() }
      : { by: by(event), decision: 'rejected', ...(event.type === 'approval.denied' && event.reason !== undefined ? { note: event.reason } : {}), at: env.now() };

  return setup({
    types: {} as { context: ApprovalContext; input: ApprovalInput; events: ApprovalEvent },
    guards: {
      refused: ({ context, event }) => refusal(context, event) !== undefined,
      reachesQuorum: ({ context }) => context.decisions.filter((d) => d.decision === 'approved').length + 1 >= context.request.quorum,
      hasDeadline: ({ context }) => context.timeoutMs !== undefined,
      canMoveUp: ({ context }) => env.nextApprover(context.request) !== undefined,
    },
    actions: {
      refuse: ({ context, event }) =>
        env.report({ type: 'approval.refused', approvalId: context.request.id, by: by(event), error: refusal(context, event)! }),
      record: assign({ decisions: ({ context, event }) => [...context.decisions, decision(event)] }),
      reportDecision: ({ context }) =>
        env.report({ type: 'approval.decision', approvalId: context.request.id, decision: context.decisions[context.decisions.length - 1]! }),
      /** Stamps the current approver's deadline and remembers who was asked. */
      ask: assign(({ context }) => ({
        request: context.timeoutMs === undefined ? context.request : { ...context.request, expiresAt: env.now() + context.timeoutMs },
        asked: context.asked.at(-1) === context.request.approver ? context.asked : [...context.asked, context.request.approver],
      })),
      /** Sends the request to the current approver (tests of the chart alone replace it). */
      notifyApprover: enqueueActions(({ context, enqueue, system }) => {
        enqueue.sendTo(system.get(context.request.approver), { type: 'approval.requested', approval: context.request } as EventObject, delivery(env));
        enqueue(() => env.report({ type: 'approval.requested', approval: context.request, asked: context.asked }));
      }),
      /** The approver asked now need not decide any more (a decision ended it, or it moved up). */
      withdraw: enqueueActions(({ context, enqueue, system }) => {
        const approver = system.get(context.request.approver);
        if (approver !== undefined) enqueue.sendTo(approver, { type: 'approval.withdrawn', approvalId: context.request.id } as EventObject, delivery(env));
      }),
      moveUp: assign({
        request: ({ context }) => ({ ...context.request, ...env.nextApprover(context.request)! }),
      }),
      settle: sendParent(
        ({ context }): ApprovalSettled => ({
          type: 'approval.settled',
          approvalId: context.request.id,
          approved: context.outcome!.approved,
          decisions: context.decisions,
          ...(context.outcome!.error === undefined ? {} : { error: context.outcome!.error }),
        }),
        delivery(env),
      ),
    },
    delays: {
      expiry: ({ context }) => context.timeoutMs ?? 0,
    },
  }).createMachine({
    id: 'approval',
    context: ({ input }) => ({ ...input, decisions: [], asked: [], outcome: undefined }),
    initial: 'pending',
    states: {
      pending: {
        entry: ['ask', 'notifyApprover'],
        initial: 'open',
        states: {
          open: { always: { guard: 'hasDeadline', target: 'timed' } },
          timed: { after: { expiry: '#approval.expiring' } },
        },
        on: {
          'approval.granted': [
            { guard: 'refused', actions: 'refuse' },
            { guard: 'reachesQuorum', target: 'approved', actions: ['record', 'reportDecision'] },
            { actions: ['record', 'reportDecision'] },
          ],
          'approval.denied': [
            { guard: 'refused', actions: 'refuse' },
            {
              target: 'rejected',
              actions: [
                'record',
                'reportDecision',
                assign({
                  outcome: ({ context, event }) => ({
                    approved: false,
                    error: {
                      code: 'rejected' as const,
                      message: `${by(event)} rejected approval ${context.request.id}${event.type === 'approval.denied' && event.reason ? `: ${event.reason}` : '.'}`,
                    },
                  }),
                }),
              ],
            },
          ],
          'approval.expire': '#approval.expiring',
        },
      },
      expiring: {
        always: [
          { guard: 'canMoveUp', target: 'pending', actions: ['withdraw', 'moveUp'] },
          {
            target: 'expired',
            actions: assign({
              outcome: ({ context }) => ({
                approved: false,
                error: {
                  code: 'approval_expired' as const,
                  message: `Approval ${context.request.id} expired undecided; nobody above ${context.request.approver} is left to ask.`,
                },
              }),
            }),
          },
        ],
      },
      approved: { entry: [assign({ outcome: { approved: true } }), 'settle', 'withdraw'] },
      rejected: { entry: ['settle', 'withdraw'] },
      expired: { entry: ['settle', 'withdraw'] },
    },
  });
}

