import { describe, expect, it } from 'vitest';
import { emptyContext } from '../../machines/agent.machine.js';
import { enlist, table } from '../../machines/core/tables.js';
import { splitRestored } from '../../machines/reports.js';

describe("an agent's tables, made when first written", () => {
  it('fresh agents share frozen empty tables; a write gives the agent its own and leaves the others empty', () => {
    const a = emptyContext('a');
    const b = emptyContext('b');
    expect(a.held).toBe(b.held);
    expect(Object.isFrozen(a.held) && Object.isFrozen(a.ready)).toBe(true);
    table(a, 'load').kid = 1;
    enlist(a, 'ready', 't1');
    enlist(a, 'ready', 't2');
    expect(a.load).toEqual({ kid: 1 });
    expect(a.ready).toEqual(['t1', 't2']);
    expect(b.load).toEqual({});
    expect(b.ready).toEqual([]);
    expect(table(a, 'load')).toBe(a.load);
    // A write that did not ask for the agent's own table fails loudly instead of writing into every agent.
    expect(() => ((b.held as Record<string, unknown>).x = 1)).toThrow(TypeError);
  });

  it('a copy of one context keeps its fields apart (structuredClone keeps shared references shared)', () => {
    const copy = structuredClone(emptyContext('a'));
    table(copy, 'held').t = {} as never;
    expect(copy.load).toEqual({});
    expect(copy.approvals).toEqual({});
  });

  it('restored agents copied in one batch get their empty tables shared again, so none writes into another', () => {
    const snapshot = (agentId: string, children: Record<string, unknown> = {}) => ({ status: 'active', value: 'receiving', context: emptyContext(agentId), children });
    const nested = structuredClone(snapshot('boss', { 'agent:a': { systemId: 'a', snapshot: snapshot('a') }, 'agent:b': { systemId: 'b', snapshot: snapshot('b') } }));
    // One clone of the whole batch: every agent's `held` is now the same (unfrozen) object.
    expect((nested.children['agent:a'] as { snapshot: typeof nested }).snapshot.context.held).toBe(nested.context.held);
    const { root, reports } = splitRestored(nested, 'boss');
    const contexts = [(root as typeof nested).context, ...reports.map((report) => (report.snapshot as typeof nested).context)];
    table(contexts[1]!, 'held').t = {} as never;
    enlist(contexts[1]!, 'queue', 't');
    expect(contexts[0]!.held).toEqual({});
    expect(contexts[2]!.held).toEqual({});
    expect(contexts[2]!.queue).toEqual([]);
  });
});
