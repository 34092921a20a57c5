/**
 * Organisations of shapes that used to break XState's own children: 10,000 reports under one
 * manager (stopping them one `stopChild` at a time is quadratic) and a chain 2,000 agents deep
 * (spawning from entry actions nests each level in its parent's construction, and overflows the
 * stack a few hundred levels down). Each starts, routes a task root → leaf and back, and stops,
 * fresh and restored from a store.
 * No timing is asserted: the figures come from `npm run bench -- --only=scale`.
 */
import { describe, expect, it } from 'vitest';
import type { AnyActorRef } from 'xstate';
import { createOrchestrator, hierarchyFromList, memoryStore, type FlatAgentSpec, type Hierarchy, type Orchestrator } from '../src/index.js';

const work = (type: string) => ({ type });

function manager(reports: number) {
  const agents: FlatAgentSpec[] = [{ id: 'boss', role: 'executive', capabilities: ['coordination'] }];
  for (let i = 0; i < reports; i++) agents.push({ id: `r${i}`, role: 'worker', parent: 'boss', capabilities: [i === reports - 1 ? 'the_last_one' : 'filing'] });
  return hierarchyFromList(agents);
}

function chain(depth: number) {
  return hierarchyFromList(
    Array.from({ length: depth }, (_, level): FlatAgentSpec => ({
      id: `l${level}`,
      role: level === 0 ? 'executive' : level === depth - 1 ? 'worker' : 'manager',
      capabilities: level === depth - 1 ? ['bottom_work'] : ['coordination'],
      ...(level === 0 ? {} : { parent: `l${level - 1}` }),
    })),
  );
}

/** Every agent's actor, checked to be running, addressable by its id and a child of its manager's. */
function agentsOf(org: Orchestrator): AnyActorRef[] {
  return org.hierarchy.nodes().map((node) => {
    const ref = org.actor.system.get(node.id) as (AnyActorRef & { _parent?: AnyActorRef }) | undefined;
    expect(ref?.getSnapshot().status, node.id).toBe('active');
    expect(ref!._parent, node.id).toBe(node.parentId === undefined ? undefined : org.actor.system.get(node.parentId));
    return ref!;
  });
}

/** After stopping: every agent stopped and gone from the actor system. */
function expectStopped(org: Orchestrator, refs: readonly AnyActorRef[]) {
  expect(refs.filter((ref) => ref.getSnapshot().status !== 'stopped')).toEqual([]);
  expect(org.hierarchy.nodes().filter((node) => org.actor.system.get(node.id) !== undefined)).toEqual([]);
}

describe('scale without cliffs', () => {
  it('10,000 reports under one manager start, take a task and stop', { timeout: 120_000 }, async () => {
    const org = createOrchestrator({ hierarchy: manager(10_000), executors: { default: (task, { agent }) => ({ did: task.type, by: agent.id }) } });
    const refs = agentsOf(org);
    expect(refs).toHaveLength(10_001);

    const outcome = await org.submit(work('the_last_one'));
    expect(outcome).toMatchObject({ status: 'completed', executedBy: 'r9999', delegationChain: ['boss', 'r9999'], result: { by: 'r9999' } });
    const filed = await Promise.all([org.submit(work('filing')), org.submit(work('filing'))]);
    expect(filed.map((done) => done.status)).toEqual(['completed', 'completed']);
    expect(org.agentState('boss')).toMatchObject({ state: 'receiving', queued: 0, running: [] });

    await org.stop();
    expectStopped(org, refs);
  });

  it('a chain 2,000 agents deep starts, routes a task to its leaf and back, and stops', { timeout: 120_000 }, async () => {
    const org = createOrchestrator({ hierarchy: chain(2_000), executors: { default: (task, { agent }) => ({ by: agent.id }) }, limits: { maxDepth: 2_000 } });
    const refs = agentsOf(org);

    const outcome = await org.submit(work('bottom_work'));
    expect(outcome.status).toBe('completed');
    expect(outcome.executedBy).toBe('l1999');
    expect(outcome.delegationChain).toEqual(Array.from({ length: 2_000 }, (_, level) => `l${level}`));
    expect(org.agentState('l1000')).toMatchObject({ state: 'receiving', queued: 0, running: [] });

    await org.stop();
    expectStopped(org, refs);
  });

  it.each([
    ['a manager of 5,000 reports', manager(5_000), 'the_last_one', 'r4999'],
    ['a chain 2,000 deep', chain(2_000), 'bottom_work', 'l1999'],
  ] as Array<[string, Hierarchy, string, string]>)('%s restored from a store comes back whole, takes a task and stops', { timeout: 120_000 }, async (_, hierarchy, type, leaf) => {
    const options = { hierarchy, executors: { default: () => 'done' }, store: memoryStore(), limits: { maxDepth: 2_000 } };
    const first = createOrchestrator(options);
    expect((await first.submit(work(type))).executedBy).toBe(leaf);
    await first.stop();

    const again = createOrchestrator({ ...options, resume: true });
    const refs = agentsOf(again);
    expect(refs).toHaveLength(hierarchy.size);
    expect((await again.submit(work(type))).executedBy).toBe(leaf);
    await again.stop();
    expectStopped(again, refs);
  });

  it('stopping the root actor itself (as a fatal store error does) stops every report with it', async () => {
    const org = createOrchestrator({ hierarchy: chain(500), executors: { default: () => 'done' }, limits: { maxDepth: 500 } });
    const refs = agentsOf(org);
    org.actor.stop();
    expectStopped(org, refs);
    await org.stop();
  });
});
