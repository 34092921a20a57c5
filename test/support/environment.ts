/** An agent environment for testing one statechart alone: the test gives the parts its chart uses. */
import type { AgentEnvironment } from '../../src/index.js';

/** A part the test did not give: calling it fails the test loudly instead of acting silently. */
const absent = (name: string) => (): never => {
  throw new Error(`This test's environment has no ${name}: give it one.`);
};

/** The parts given, over a quiet clock at 0, reports dropped, no delays, timeouts or cancellations. */
export function testEnvironment(parts: Partial<AgentEnvironment>): AgentEnvironment {
  return {
    childIds: absent('childIds'),
    evaluate: absent('evaluate'),
    select: absent('select'),
    escalateAfter: absent('escalateAfter'),
    cancellation: () => undefined,
    resolutionMode: absent('resolutionMode'),
    concurrency: absent('concurrency'),
    executionPolicy: absent('executionPolicy'),
    execute: absent('execute'),
    retryable: absent('retryable'),
    approvalTimeoutMs: undefined,
    approvalRequest: absent('approvalRequest'),
    authorize: absent('authorize'),
    nextApprover: absent('nextApprover'),
    decideApproval: absent('decideApproval'),
    joinAfter: absent('joinAfter'),
    cancelJoin: absent('cancelJoin'),
    settleJoin: absent('settleJoin'),
    claimResources: absent('claimResources'),
    releaseResources: absent('releaseResources'),
    messageDelayMs: undefined,
    now: () => 0,
    random: absent('random'),
    newId: absent('newId'),
    report: () => undefined,
    ...parts,
  };
}
