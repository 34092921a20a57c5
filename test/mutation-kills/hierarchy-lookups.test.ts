/**
 * Hierarchy lookups at their edges, routing by subtree with exclusions, and the seed
 * decomposer's choices: what each answers for the root, a leaf, an unknown agent, an agent
 * listing a capability twice, and subtrees small and large next to the capabilities they hold.
 */
import { describe, expect, it } from 'vitest';
import { defineHierarchy, developmentTeam, fullStackFeature, hierarchyFromList, type Task } from '../../src/index.js';
import { candidatesFor, canExecuteHere, routeOf } from '../../src/delegation/route.js';
import { CapabilityIndex } from '../../src/hierarchy/capability-index.js';
import type { AgentNode } from '../../src/hierarchy/types.js';
import type { DecompositionContext } from '../../src/delegation/decomposition.js';
import { errorOf, makeTask } from '../support/helpers.js';

const team = developmentTeam();

describe('lookups', () => {
  it('each agent keeps the skills, capabilities and description it was given, frozen', () => {
    const org = defineHierarchy({ id: 'r', role: 'executive', description: 'runs it', children: [{ id: 'w', role: 'worker', capabilities: ['python'], skills: { python: 0.9, sql: 0.2 } }] });
    expect(org.get('w')).toEqual({ id: 'w', role: 'worker', level: 1, capabilities: ['python'], skills: { python: 0.9, sql: 0.2 }, description: undefined, parentId: 'r', childIds: [] });
    expect(org.get('r')).toMatchObject({ description: 'runs it', skills: {}, childIds: ['w'], level: 0 });
    expect(Object.isFrozen(org.get('w').skills)).toBe(true);
  });

  it('parent, children, path and ancestors of the root and of a leaf', () => {
    expect(team.parent('cto')).toBeUndefined();
    expect(team.parent('backend_dev_1')?.id).toBe('api_specialist');
    expect(team.children('backend_dev_1')).toEqual([]);
    expect(team.children('cto').map((node) => node.id)).toEqual(['backend_lead', 'frontend_lead']);
    expect(team.pathToRoot('cto').map((node) => node.id)).toEqual(['cto']);
    expect(team.ancestors('cto')).toEqual([]);
    expect(team.ancestors('backend_dev_1').map((node) => node.id)).toEqual(['api_specialist', 'backend_lead', 'cto']);
  });

  it('isAncestor is strict and directional, and false for unknown agents; inSubtree counts the agent itself', () => {
    expect(team.isAncestor('cto', 'backend_dev_1')).toBe(true);
    expect(team.isAncestor('backend_dev_1', 'cto')).toBe(false);
    expect(team.isAncestor('cto', 'cto')).toBe(false);
    expect(team.isAncestor('backend_lead', 'frontend_dev_1')).toBe(false);
    // The last agent of a subtree is inside it; the first agent after it is not.
    const order = team.nodes().map((node) => node.id);
    const last = team.subtree('backend_lead').at(-1)!.id;
    expect(team.isAncestor('backend_lead', last)).toBe(true);
    expect(team.isAncestor('backend_lead', order[order.indexOf(last) + 1]!)).toBe(false);
    expect(team.isAncestor('ghost', 'cto')).toBe(false);
    expect(team.isAncestor('cto', 'ghost')).toBe(false);
    expect(team.inSubtree('api_specialist', 'api_specialist')).toBe(true);
    expect(team.inSubtree('api_specialist', 'backend_dev_1')).toBe(true);
    expect(team.inSubtree('api_specialist', 'backend_lead')).toBe(false);
    expect([team.has('cto'), team.has('ghost'), team.find('ghost')]).toEqual([true, false, undefined]);
    expect(team.find('db_specialist')).toBe(team.get('db_specialist'));
    expect(team.find('db_specialist')?.parentId).toBe('backend_lead');
  });

  it('an unknown agent is refused naming the first twelve agents and how many more there are', () => {
    const big = hierarchyFromList(Array.from({ length: 15 }, (_, at) => ({ id: `a${at}`, role: at === 0 ? 'executive' : 'worker', ...(at === 0 ? {} : { parent: 'a0' }) })));
    const error = errorOf(() => big.get('ghost'));
    expect(error).toMatchObject({ code: 'unknown_agent', message: 'No agent "ghost" in this hierarchy (agents: a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, … 3 more).', details: { agentId: 'ghost' } });
    expect(errorOf(() => team.subtree('ghost')).message).toBe(
      'No agent "ghost" in this hierarchy (agents: cto, backend_lead, api_specialist, backend_dev_1, db_specialist, frontend_lead, react_specialist, frontend_dev_1).',
    );
    expect(errorOf(() => team.nearestCommonAncestor('cto', 'ghost')).code).toBe('unknown_agent');
    expect(errorOf(() => team.parent('ghost')).code).toBe('unknown_agent');
  });

  it('subtree capabilities, in first-appearance order, for subtrees smaller and larger than the capabilities held', () => {
    // Six agents, two distinct capabilities: most subtrees are larger than the number of capabilities.
    const few = defineHierarchy({
      id: 'r',
      role: 'executive',
      capabilities: ['y'],
      children: [
        { id: 'm', role: 'manager', capabilities: ['x', 'x'], children: [{ id: 'w1', role: 'worker', capabilities: ['y'] }, { id: 'w2', role: 'worker', capabilities: ['x'] }] },
        { id: 'n', role: 'manager', children: [{ id: 'w3', role: 'worker' }] },
      ],
    });
    expect([...few.subtreeCapabilities('r')]).toEqual(['y', 'x']);
    expect([...few.subtreeCapabilities('m')]).toEqual(['x', 'y']);
    expect([...few.subtreeCapabilities('n')]).toEqual([]);
    expect([...few.subtreeCapabilities('w1')]).toEqual(['y']);
    expect([few.canHandle('m', 'y'), few.canHandle('n', 'x'), few.canHandle('w2', 'x'), few.canHandle('w2', 'y'), few.canHandle('r', 'z')]).toEqual([true, false, true, false, false]);
    // Many capabilities, few agents: every subtree is smaller than the number of capabilities.
    expect([...team.subtreeCapabilities('backend_lead')]).toEqual([...new Set(team.subtree('backend_lead').flatMap((node) => node.capabilities))]);
    expect(team.canHandle('frontend_lead', 'python')).toBe(false);
    expect(team.canHandle('backend_lead', 'python')).toBe(true);
  });

  it('each child in order, with whether its subtree has the capability, read from the preorder (deep and uneven subtrees between siblings)', () => {
    const uneven = defineHierarchy({
      id: 'r',
      role: 'executive',
      children: [
        { id: 'a', role: 'manager', children: [{ id: 'a1', role: 'specialist', children: [{ id: 'a11', role: 'worker', capabilities: ['x'] }] }, { id: 'a2', role: 'worker' }] },
        { id: 'b', role: 'worker', capabilities: ['y'] },
        { id: 'c', role: 'manager', children: [{ id: 'c1', role: 'worker', capabilities: ['x', 'y'] }] },
      ],
    });
    const seen = (id: string, capability?: string) => {
      const visits: Array<[string, boolean]> = [];
      uneven.eachChild(id, capability, (node, capable) => void visits.push([node.id, capable]));
      return visits;
    };
    expect(seen('r', 'x')).toEqual([['a', true], ['b', false], ['c', true]]);
    expect(seen('r', 'y')).toEqual([['a', false], ['b', true], ['c', true]]);
    // Without a capability nobody is capable; a leaf has no children; the deepest child ends its parent's subtree.
    expect(seen('r')).toEqual([['a', false], ['b', false], ['c', false]]);
    expect(seen('a', 'x')).toEqual([['a1', true], ['a2', false]]);
    expect(seen('a1', 'x')).toEqual([['a11', true]]);
    expect(seen('b', 'y')).toEqual([]);
    expect(uneven.children('r').map((node) => node.id)).toEqual(['a', 'b', 'c']);
    expect(uneven.children('c').map((node) => node.id)).toEqual(['c1']);
    expect(errorOf(() => uneven.eachChild('ghost', 'x', () => undefined)).code).toBe('unknown_agent');
    expect(errorOf(() => uneven.children('ghost')).code).toBe('unknown_agent');
    expect(errorOf(() => uneven.canHandle('ghost', 'x')).code).toBe('unknown_agent');
  });
});

describe('what subtree capabilities cost', () => {
  // Agents in preorder whose capability lists count how often they are read: the work a lookup does.
  const counted = (lists: string[][]) => {
    let reads = 0;
    const preorder = lists.map((capabilities, at) => ({
      id: `a${at}`,
      get capabilities() {
        reads++;
        return capabilities;
      },
    })) as unknown as AgentNode[];
    const index = new CapabilityIndex(preorder);
    return { index, reads: (collect: () => Set<string>) => { reads = 0; const found = [...collect()]; return { found, reads }; } };
  };

  it('a subtree larger than the capabilities held reads only the first holder of each, not every agent', () => {
    // 3 capabilities; 8 agents, x and y held by many, z by one.
    const { index, reads } = counted([['x'], ['y', 'x'], ['x'], ['y'], ['x', 'z'], ['x'], ['y'], ['x']]);
    expect(reads(() => index.collect(0, 8))).toEqual({ found: ['x', 'y', 'z'], reads: 3 });
    expect(reads(() => index.collect(2, 8))).toEqual({ found: ['x', 'y', 'z'], reads: 3 });
  });

  it('a subtree no larger than the capabilities held is walked, one read an agent', () => {
    // 3 capabilities. Exactly 3 agents, one holding all three: a walk reads 3, the first holders 1.
    const { index, reads } = counted([['a', 'b', 'c'], [], [], ['a'], ['a']]);
    expect(reads(() => index.collect(0, 3))).toEqual({ found: ['a', 'b', 'c'], reads: 3 });
    // Two agents further on, both holding a: walked (2 reads) though start + end is past the count.
    expect(reads(() => index.collect(3, 5))).toEqual({ found: ['a'], reads: 2 });
    expect(reads(() => index.collect(1, 3))).toEqual({ found: [], reads: 2 });
  });
});

describe('routing by subtree', () => {
  const task = (fields: Partial<Task> = {}) => makeTask({ id: 't', type: 'python', chain: ['backend_lead'], ...fields });

  it('a child is capable while someone in its subtree who can is not excluded', () => {
    // coding: backend_dev_1 (under backend_lead) and frontend_dev_1 (under frontend_lead).
    const capable = (excluded: string[]) =>
      candidatesFor(team, 'cto', task({ type: 'coding', chain: ['cto'], excluded }), { frontend_lead: 2 }).map((c) => [c.id, c.capable, c.load]);
    expect(capable([])).toEqual([['backend_lead', true, 0], ['frontend_lead', true, 2]]);
    expect(capable(['backend_lead', 'cto'])).toEqual([['backend_lead', true, 0], ['frontend_lead', true, 2]]);
    expect(capable(['backend_dev_1'])).toEqual([['backend_lead', false, 0], ['frontend_lead', true, 2]]);
    expect(capable(['backend_dev_1', 'frontend_dev_1'])).toEqual([['backend_lead', false, 0], ['frontend_lead', false, 2]]);
  });

  it('delegates to a capable child, else executes when it can itself and is not excluded, else nobody', () => {
    const route = (agentId: string, fields: Partial<Task> = {}) => routeOf(team, agentId, task(fields), candidatesFor(team, agentId, task(fields), {}));
    expect(route('backend_lead')).toBe('delegate');
    expect(route('backend_dev_1')).toBe('execute');
    expect(route('backend_dev_1', { excluded: ['backend_dev_1'] })).toBe('none');
    expect(route('frontend_lead')).toBe('none');
    expect([canExecuteHere(team, 'backend_dev_1', task()), canExecuteHere(team, 'backend_lead', task())]).toEqual([true, false]);
  });
});

describe('fullStackFeature', () => {
  const context = (agentId: string): DecompositionContext => ({
    agent: team.get(agentId),
    hierarchy: team,
    children: team.children(agentId).map((node) => ({ id: node.id, node, load: 0, capabilities: team.subtreeCapabilities(node.id) })),
    signal: new AbortController().signal,
    reportCost: () => undefined,
  });

  it('splits a full_stack_feature for the children with backend and frontend, and nothing else', () => {
    const decomposer = fullStackFeature();
    expect([decomposer.name, decomposer.join]).toEqual(['full-stack-feature', { kind: 'all' }]);
    expect(decomposer.decompose(makeTask({ id: 'f', type: 'full_stack_feature', payload: { feature: 'login' } }), context('cto'))).toEqual([
      { key: 'backend', type: 'backend', payload: { feature: 'login', part: 'backend' }, to: 'backend_lead' },
      { key: 'frontend', type: 'frontend', payload: { feature: 'login', part: 'frontend' }, to: 'frontend_lead' },
    ]);
    expect(decomposer.decompose(makeTask({ id: 'f', type: 'full_stack_feature', payload: null }), context('backend_lead'))).toEqual([]);
    expect(decomposer.decompose(makeTask({ id: 'f', type: 'backend' }), context('cto'))).toBeUndefined();
  });
});
