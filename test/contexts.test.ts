/**
 * The contexts handed to user code — an executor's, a strategy's, a decomposer's, an approver's —
 * keep their shape: own, enumerable properties in the documented order, a `signal` (and an
 * executor's `streaming`) read when asked. Their getters are one function shared by every
 * context of a kind: an object literal's getter, made per context, gave each context its own
 * hidden class in V8 and kept each hop's garbage alive to the next full collection
 * (src/lazy-signal.ts, bench/README.md "Fifth pass").
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, defineHierarchy, developmentTeam, type ApproverContext, type DecompositionContext, type DelegationContext, type ExecutionContext } from '../src/index.js';
import { flush, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 1 });

/** The getter of an own accessor property, failing the test when the property is anything else. */
function getterOf(context: object, name: string): () => unknown {
  const descriptor = Object.getOwnPropertyDescriptor(context, name);
  expect(descriptor, name).toMatchObject({ enumerable: true, configurable: true });
  expect(typeof descriptor?.get, `${name} is read when asked`).toBe('function');
  return descriptor!.get!;
}

describe('contexts handed to user code', () => {
  it("an executor's: its fields in order, signal and streaming read when asked, one getter for every attempt", async () => {
    const seen: ExecutionContext[] = [];
    const org = start({ executors: (_task, context) => (seen.push(context), 'done') });
    await org.submit({ type: 'python' });
    await org.submit({ type: 'react' });
    const [first, second] = seen as [ExecutionContext, ExecutionContext];
    expect(Object.keys(first)).toEqual(['agent', 'hierarchy', 'signal', 'chain', 'attempt', 'idempotencyKey', 'approved', 'now', 'reportCost', 'progress', 'streaming', 'escalate', 'requestApproval']);
    expect(getterOf(first, 'signal')).toBe(getterOf(second, 'signal'));
    expect(getterOf(first, 'streaming')).toBe(getterOf(second, 'streaming'));
    expect(first.signal).toBeInstanceOf(AbortSignal);
    expect(first.signal).toBe(first.signal);
    expect(first.signal).not.toBe(second.signal);
    expect([first.streaming, first.agent.id, second.agent.id, first.attempt, first.approved]).toEqual([false, 'backend_dev_1', 'react_specialist', 1, false]);
    expect(() => first.escalate('not_a_reason' as never)).toThrow(/is not an escalation reason/);
    expect(() => first.escalate(7n as never)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringMatching(/context.escalate: 7 is not an escalation reason/) }));
    expect(() => first.requestApproval('soon' as never)).toThrow(/takes an approval requirement/);
  });

  it("a strategy's at every hop: agent, hierarchy, signal, reportCost, with one signal getter for all", async () => {
    const seen: DelegationContext[] = [];
    const org = start({ strategy: { name: 'first', select: (_task, candidates, context) => (seen.push(context), candidates.find((candidate) => candidate.capable)?.id) } });
    expect((await org.submit({ type: 'python' })).executedBy).toBe('backend_dev_1');
    expect(seen.map((context) => context.agent.id)).toEqual(['cto', 'backend_lead', 'api_specialist']);
    for (const context of seen) {
      expect(Object.keys(context)).toEqual(['agent', 'hierarchy', 'signal', 'reportCost']);
      expect(getterOf(context, 'signal')).toBe(getterOf(seen[0]!, 'signal'));
    }
    expect(seen[0]!.signal).toBeInstanceOf(AbortSignal);
    expect(seen[0]!.signal.aborted).toBe(false);
  });

  it("a decomposer's: the strategy's with the children, and its signal", async () => {
    const seen: DecompositionContext[] = [];
    const hierarchy = defineHierarchy({ id: 'lead', role: 'manager', children: ['w1', 'w2'].map((id) => ({ id, role: 'worker' as const, capabilities: [id] })) });
    const split = decomposeWith('pair', (task, context) => (seen.push(context), task.type === 'pair' ? context.children.map((child) => ({ key: child.id, type: child.id })) : undefined));
    const org = start({ hierarchy, decomposers: { byId: { lead: split } } });
    expect((await org.submit({ type: 'pair' })).status).toBe('completed');
    const [context] = seen as [DecompositionContext];
    expect(Object.keys(context)).toEqual(['agent', 'hierarchy', 'children', 'signal', 'reportCost']);
    expect(context.children.map((child) => child.id)).toEqual(['w1', 'w2']);
    expect(typeof getterOf(context, 'signal')).toBe('function');
    expect(context.signal).toBeInstanceOf(AbortSignal);
  });

  it("an approver's: approver, hierarchy, signal, reportCost", async () => {
    const seen: ApproverContext[] = [];
    const org = start({ approvals: { approvers: { byId: { api_specialist: (_request, context) => (seen.push(context), { approve: true }) } } } });
    const outcome = org.submit({ type: 'python', context: { requiresApproval: true } });
    await flush();
    expect((await outcome).status).toBe('completed');
    const [context] = seen as [ApproverContext];
    expect(Object.keys(context)).toEqual(['approver', 'hierarchy', 'signal', 'reportCost']);
    expect(context.approver.id).toBe('api_specialist');
    expect(typeof getterOf(context, 'signal')).toBe('function');
    expect(context.signal).toBeInstanceOf(AbortSignal);
  });
  it('answers signal and streaming through a wrapper, a Proxy or an object whose prototype is the context, as a literal did', async () => {
    const org = start({
      executors: (_task, context) => {
        const wrapped = new Proxy(context, {});
        const derived = Object.create(context) as ExecutionContext;
        return [wrapped.signal instanceof AbortSignal, wrapped.streaming, derived.signal instanceof AbortSignal, { ...context }.signal instanceof AbortSignal];
      },
    });
    expect((await org.submit({ type: 'python' })).result).toEqual([true, false, true, true]);
    const seen: unknown[] = [];
    const routed = start({ strategy: { name: 'wrapping', select: (_task, candidates, context) => (seen.push(new Proxy(context, {}).signal), candidates.find((candidate) => candidate.capable)?.id) } });
    expect((await routed.submit({ type: 'python' })).status).toBe('completed');
    expect(seen[0]).toBeInstanceOf(AbortSignal);
  });
});
