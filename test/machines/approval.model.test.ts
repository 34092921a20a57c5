/**
 * Model-based tests of the approval statechart: decisions with and without authority, a
 * quorum of two, one rejection, expiry moving the request up a level and, at the top,
 * rejecting it — each transition replayed on a live approval actor with a simulated clock.
 */
import { describe, expect, it } from 'vitest';
import { assign, createActor, fromCallback, setup, SimulatedClock, spawnChild, type AnyActorRef } from 'xstate';
import { TestModel } from 'xstate/graph';
import { createApprovalMachine, type ApprovalRequest } from '../../src/index.js';
import { flush } from '../support/helpers.js';
import { testEnvironment } from '../support/environment.js';
import { replayEveryTransition } from '../support/model.js';

const LEVEL: Record<string, number> = { cto: 0, lead: 1 };
const request: ApprovalRequest = {
  id: 'apv',
  taskId: 't',
  taskType: 'deploy',
  requester: 'dev',
  approver: 'lead',
  requiredLevel: 1,
  quorum: 2,
  reason: 'deploy',
  requestedAt: 0,
  payload: undefined,
};
const TIMEOUT = 100;
const input = { request, timeoutMs: TIMEOUT };

const environment = (clock: { now(): number }) =>
  testEnvironment({
    authorize: (current: ApprovalRequest, decisions: readonly { by: string }[], by: string) => {
      if (by === current.requester) return { code: 'self_approval', message: 'own request' };
      if (!(by in LEVEL) || LEVEL[by]! > current.requiredLevel) return { code: 'approval_unauthorized', message: `${by} may not` };
      if (decisions.some((decision) => decision.by === by)) return { code: 'duplicate_decision', message: 'twice' };
      return undefined;
    },
    nextApprover: (current: ApprovalRequest) => (current.approver === 'lead' ? { approver: 'cto', requiredLevel: 0 } : undefined),
    now: () => clock.now(),
  });

type Snap = { value: unknown; context: { request: ApprovalRequest; decisions: readonly { by: string; decision: string }[]; outcome?: { approved: boolean } } };
const key = (snapshot: Snap) =>
  JSON.stringify([snapshot.value, snapshot.context.request.approver, snapshot.context.decisions.map((d) => `${d.by}:${d.decision}`)]);
const EXPIRY = 'xstate.after.expiry.approval.pending.timed';

const chart = createApprovalMachine(environment({ now: () => 0 })).provide({ actions: { notifyApprover: () => undefined, settle: () => undefined } });
const model = new TestModel(chart, {
  input,
  serializeState: (snapshot) => key(snapshot as unknown as Snap),
  serializeEvent: (event) => JSON.stringify(event),
  events: (snapshot) =>
    (snapshot as unknown as { status: string }).status !== 'active' || typeof (snapshot as unknown as Snap).value === 'string'
      ? []
      : ([
          ...['lead', 'cto', 'dev', 'peer'].flatMap((by) => [
            { type: 'approval.granted', approvalId: 'apv', by },
            { type: 'approval.denied', approvalId: 'apv', by, reason: 'no' },
          ]),
          { type: 'approval.expire' },
          { type: EXPIRY },
        ] as never),
});

function liveApproval() {
  const clock = new SimulatedClock();
  // Stand-ins for the approver agents: they pass what they receive on to the parent.
  const approvers = fromCallback(({ receive, sendBack }) => receive((event) => sendBack(event)));
  const parent = setup({
    types: {} as { context: { settled: unknown[]; asked: string[] } },
    actors: { approval: createApprovalMachine(environment(clock)), approvers },
  }).createMachine({
    context: { settled: [], asked: [] },
    entry: [
      spawnChild('approvers', { id: 'lead', systemId: 'lead' }),
      spawnChild('approvers', { id: 'cto', systemId: 'cto' }),
      spawnChild('approval', { id: 'approval', input }),
    ],
    on: {
      'approval.settled': { actions: assign({ settled: ({ context, event }) => [...context.settled, event] }) },
      'approval.requested': { actions: assign({ asked: ({ context, event }) => [...context.asked, (event as unknown as { approval: ApprovalRequest }).approval.approver] }) },
    },
  });
  const actor = createActor(parent, { clock }).start();
  const approval = () => actor.getSnapshot().children.approval as AnyActorRef;
  return { actor, clock, approval };
}
type Live = ReturnType<typeof liveApproval>;

describe('the approval statechart, model-based', () => {
  it('reaches pending (at both levels), approved, rejected and expired', () => {
    const values = new Set(Object.values(model.getAdjacencyMap()).map(({ state }) => JSON.stringify((state as unknown as Snap).value)));
    expect(values).toEqual(new Set(['{"pending":"timed"}', '"approved"', '"rejected"', '"expired"']));
  });

  it('every transition replays on a live approval actor', async () => {
    const replayed = await replayEveryTransition(model, {
      key: (snapshot) => key(snapshot as unknown as Snap),
      start: liveApproval,
      play: async (live: Live, event) => {
        if ((event.type as string) === EXPIRY) live.clock.increment(TIMEOUT);
        else live.approval().send(event);
        await flush(1);
      },
      check: (live, expected) => {
        const snapshot = live.approval().getSnapshot() as unknown as Snap;
        expect(key(snapshot)).toBe(key(expected as unknown as Snap));
        const { settled, asked } = live.actor.getSnapshot().context;
        // Each approver asked got the request, once per time it was asked.
        expect(asked).toEqual((snapshot.context as unknown as { asked: string[] }).asked);
        const done = typeof snapshot.value === 'string';
        expect(settled).toHaveLength(done ? 1 : 0);
        if (done) expect((settled[0] as { approved: boolean }).approved).toBe(snapshot.value === 'approved');
      },
      stop: (live) => live.actor.stop(),
    });
    expect(replayed).toBeGreaterThan(20);
  });
});
