/**
 * The people's desk refuses what it cannot use with an `EchelonError` — a missing or malformed
 * second argument, an id that is not a string — never a `TypeError`, and changes nothing.
 */
import { describe, expect, it, vi } from 'vitest';
import { developmentTeam, EchelonError, memoryStore } from '../../src/index.js';
import { flush, orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });

/** The error `fn` throws, whatever it is. */
const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe("the people's desk, given arguments it cannot use", () => {
  it.each<[string, unknown[], RegExp]>([
    ['no decision', [], /the second argument says who decides: approvals\.approve\(id, \{ by: 'agent_id' \}\)/],
    ['null', [null], /got null/],
    ['a string', ['cto'], /got string/],
    ['no by', [{ comment: 'fine' }], /say who decides/],
    ['an empty by', [{ by: '' }], /say who decides/],
    ['a by that is not a string', [{ by: 7 }], /by must be a string/],
    ['an unknown key', [{ by: 'cto', reasn: 'x' }], /unknown option "reasn"/],
  ])('approve with %s throws invalid_option and leaves the approval pending', async (_case, rest, message) => {
    const org = start();
    const deploy = org.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
    await flush();
    const [pending] = org.approvals.pending();
    const error = thrown(() => (org.approvals.approve as (...args: unknown[]) => void)(pending!.id, ...rest));
    expect(error).toBeInstanceOf(EchelonError);
    expect(error).toMatchObject({ code: 'invalid_option', message: expect.stringMatching(message) });
    expect(org.approvals.pending()).toHaveLength(1);
    org.approvals.approve(pending!.id, { by: 'cto' });
    expect(await deploy).toMatchObject({ status: 'completed' });
  });

  it('reject without a decision, and either with an id that is not a string, throw invalid_option', async () => {
    const org = start();
    void org.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
    await flush();
    const [pending] = org.approvals.pending();
    for (const call of [
      () => (org.approvals.reject as (id: string) => void)(pending!.id),
      () => org.approvals.reject(pending!.id, { by: 'cto', comment: 'no' } as never),
      () => org.approvals.approve(undefined as never, { by: 'cto' }),
      () => org.approvals.reject(42 as never, { by: 'cto' }),
    ]) {
      expect(thrown(call)).toMatchObject({ name: 'EchelonError', code: 'invalid_option' });
    }
    expect(org.approvals.pending()).toHaveLength(1);
  });

  it.each<[string, unknown[], RegExp]>([
    ['no resolution', [], /the second argument says how/],
    ['an empty resolution', [{}], /exactly one of result, fail or assignTo .*got none/],
    ['two resolutions', [{ result: 1, fail: 'x' }], /got result and fail/],
    ['a fail that is not a string', [{ fail: 3 }], /fail must be a string/],
    ['a misspelt key', [{ result: 1, bye: 'alice' }], /unknown option "bye" — did you mean "by"\?/],
    ['a result that is not JSON data', [{ result: { n: 1n } }], /result\.n is a BigInt/],
  ])('escalations.resolve with %s throws invalid_option and the escalation keeps waiting', async (_case, rest, message) => {
    const org = start({ executors: async () => Promise.reject(new Error('broken')), onEscalation: () => undefined });
    const outcome = org.submit({ id: 't', type: 'python' });
    await flush(20);
    const [waiting] = org.escalations.active().filter((escalation) => escalation.to === 'human');
    const error = thrown(() => (org.escalations.resolve as (...args: unknown[]) => void)(waiting!.id, ...rest));
    expect(error).toBeInstanceOf(EchelonError);
    expect(error).toMatchObject({ code: 'invalid_option', message: expect.stringMatching(message) });
    org.escalations.resolve(waiting!.id, { result: 'fixed by hand', by: 'alice' });
    expect(await outcome).toMatchObject({ status: 'completed', result: 'fixed by hand' });
  });
});

describe("the people's desk after the organisation stopped", () => {
  it('an onEscalation that answers after the stop is not taken: the escalation stays open in the store for a resume', async () => {
    const store = memoryStore();
    let answer!: (resolution: { result: string }) => void;
    const org = start({ store, onEscalation: () => new Promise((resolve) => (answer = resolve)) });
    void org.submit({ id: 'nobody', type: 'cobol' }).catch(() => undefined);
    await flush();
    const [escalation] = org.escalations.active();
    await org.stop();
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      answer({ result: 'too late' });
      await flush();
      expect(String(error.mock.calls[0]?.[0])).toContain(`onEscalation answered escalation ${escalation!.id} after the organisation stopped`);
    } finally {
      error.mockRestore();
    }
    expect(org.escalations.get(escalation!.id)).toMatchObject({ status: 'active' });
    const resumed = start({ store, resume: true, onEscalation: () => ({ result: 'by the resumed one' }) });
    expect(await resumed.outcome('nobody')).toMatchObject({ status: 'completed', result: 'by the resumed one' });
  });

  it('refuses approvals, rejections and resolutions with orchestrator_stopped, and the store keeps the request pending for a resume', async () => {
    const store = memoryStore();
    const org = start({ store, onEscalation: () => {} });
    void org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true } }).catch(() => undefined);
    void org.submit({ id: 'nobody', type: 'cobol' }).catch(() => undefined);
    await flush();
    const [approval] = org.approvals.pending();
    const [escalation] = org.escalations.active();
    await org.stop();
    for (const [method, decide] of [
      ['approvals.approve', () => org.approvals.approve(approval!.id, { by: 'cto' })],
      ['approvals.reject', () => org.approvals.reject(approval!.id, { by: 'cto' })],
      ['escalations.resolve', () => org.escalations.resolve(escalation!.id, { result: 'by hand' })],
    ] as const) {
      expect(thrown(decide)).toMatchObject({ code: 'orchestrator_stopped', message: expect.stringContaining(`${method}: this orchestrator is stopped`) });
    }
    const resumed = start({ store, resume: true, onEscalation: () => {} });
    expect(resumed.approvals.pending().map((pending) => [pending.id, pending.status])).toEqual([[approval!.id, 'pending']]);
    resumed.approvals.approve(approval!.id, { by: 'cto' });
    expect((await resumed.outcome('risky')).status).toBe('completed');
  });
});
