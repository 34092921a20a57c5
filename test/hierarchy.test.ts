import { describe, expect, it } from 'vitest';
import { checkSpans, defineHierarchy, developmentTeam, hierarchyFromList, hierarchyMetrics, type AgentSpec } from '../src/index.js';
import { errorOf } from './support/helpers.js';

describe('the reference development team', () => {
  const team = developmentTeam();

  it('has exactly the reference agents, roles, levels and capabilities', () => {
    expect(team.nodes().map((node) => [node.id, node.role, node.level])).toEqual([
      ['cto', 'executive', 0],
      ['backend_lead', 'manager', 1],
      ['api_specialist', 'specialist', 2],
      ['backend_dev_1', 'worker', 3],
      ['db_specialist', 'specialist', 2],
      ['frontend_lead', 'manager', 1],
      ['react_specialist', 'specialist', 2],
      ['frontend_dev_1', 'worker', 3],
    ]);
    expect(team.get('cto').capabilities).toEqual(['strategy', 'architecture', 'resource_allocation']);
    expect(team.get('backend_lead').capabilities).toEqual(['backend', 'api', 'database', 'coordination']);
    expect(team.get('frontend_lead').capabilities).toEqual(['frontend', 'ui', 'ux', 'coordination']);
    expect(team.get('api_specialist').capabilities).toEqual(['api_design', 'rest', 'graphql']);
    expect(team.get('db_specialist').capabilities).toEqual(['database', 'sql', 'optimization']);
    expect(team.get('react_specialist').capabilities).toEqual(['react', 'typescript', 'components']);
    expect(team.get('backend_dev_1').capabilities).toEqual(['python', 'coding']);
    expect(team.get('frontend_dev_1').capabilities).toEqual(['javascript', 'css', 'coding']);
  });

  it("matches the reference's metrics: depth 4, 8 nodes, breadth 1/2/3/2, spans", () => {
    const metrics = hierarchyMetrics(team);
    expect(metrics.depth).toBe(4);
    expect(metrics.totalNodes).toBe(8);
    expect(metrics.breadthByLevel).toEqual([1, 2, 3, 2]);
    expect(metrics.spanOfControl).toEqual({ avg: 7 / 5, max: 2, min: 1 });
  });

  it('warns (not fails) where spans are outside the typical table', () => {
    const warnings = checkSpans(team);
    expect(warnings.map((warning) => [warning.agentId, warning.span, warning.expected])).toEqual([
      ['backend_lead', 2, { min: 3, max: 7 }],
      ['api_specialist', 1, { min: 2, max: 4 }],
      ['frontend_lead', 1, { min: 3, max: 7 }],
      ['react_specialist', 1, { min: 2, max: 4 }],
    ]);
    expect(warnings[0]!.message).toMatch(/manager "backend_lead" has 2 direct report\(s\); a manager typically has 3–7/);
  });

  it('finds paths, ancestors, subtree capabilities and common ancestors', () => {
    expect(team.pathToRoot('backend_dev_1').map((node) => node.id)).toEqual(['backend_dev_1', 'api_specialist', 'backend_lead', 'cto']);
    expect(team.ancestors('react_specialist').map((node) => node.id)).toEqual(['frontend_lead', 'cto']);
    expect(team.isAncestor('cto', 'frontend_dev_1')).toBe(true);
    expect(team.isAncestor('backend_lead', 'frontend_dev_1')).toBe(false);
    expect(team.isAncestor('cto', 'cto')).toBe(false);
    expect([...team.subtreeCapabilities('api_specialist')].sort()).toEqual(['api_design', 'coding', 'graphql', 'python', 'rest']);
    expect(team.canHandle('cto', 'css')).toBe(true);
    expect(team.canHandle('backend_lead', 'css')).toBe(false);
    expect(team.nearestCommonAncestor('backend_dev_1', 'db_specialist').id).toBe('backend_lead');
    expect(team.nearestCommonAncestor('backend_dev_1', 'frontend_dev_1').id).toBe('cto');
    expect(team.nearestCommonAncestor('api_specialist', 'backend_dev_1').id).toBe('api_specialist');
    expect(team.subtree('frontend_lead').map((node) => node.id)).toEqual(['frontend_lead', 'react_specialist', 'frontend_dev_1']);
    expect(team.find('nobody')).toBeUndefined();
    expect(errorOf(() => team.get('nobody')).code).toBe('unknown_agent');
  });

  it('is immutable', () => {
    const node = team.get('cto');
    expect(Object.isFrozen(node)).toBe(true);
    expect(Object.isFrozen(node.capabilities)).toBe(true);
    expect(() => (node.capabilities as string[]).push('x')).toThrow();
  });
});

describe('defineHierarchy', () => {
  it('derives levels from nesting', () => {
    const org = defineHierarchy({ id: 'a', role: 'executive', children: [{ id: 'b', role: 'manager', children: [{ id: 'c', role: 'worker' }] }] });
    expect(org.get('c').level).toBe(2);
    expect(org.get('c').parentId).toBe('b');
    expect(org.root.id).toBe('a');
  });

  it.each([
    ['empty_id', { id: '', role: 'executive' }],
    ['empty_id', { id: '   ', role: 'executive' }],
    ['empty_id', { role: 'executive' }],
    ['invalid_role', { id: 'a', role: 'boss' }],
    ['duplicate_agent', { id: 'a', role: 'executive', children: [{ id: 'a', role: 'worker' }] }],
    ['invalid_spec', { id: 'a', role: 'executive', children: 'b' }],
    ['invalid_spec', { id: 'a', role: 'executive', capabilities: 'python' }],
    ['invalid_spec', { id: 'a', role: 'executive', skills: { python: 'high' } }],
    ['invalid_spec', null],
  ])('rejects %s: %j', (code, spec) => {
    expect(errorOf(() => defineHierarchy(spec as AgentSpec)).code).toBe(code);
  });

  it('rejects a spec nested inside itself as a cycle', () => {
    const a: { id: string; role: 'manager'; children: unknown[] } = { id: 'a', role: 'manager', children: [] };
    a.children.push(a);
    const error = errorOf(() => defineHierarchy(a as unknown as AgentSpec));
    expect(error.code).toBe('hierarchy_cycle');
  });

  it('says which agent is wrong and how to fix it', () => {
    const error = errorOf(() => defineHierarchy({ id: 'cto', role: 'executive', children: [{ id: 'x', role: 'chief' as never }] }));
    expect(error.message).toBe('Agent "x" has role "chief"; the roles are executive, manager, specialist, worker.');
  });
});

describe('hierarchyFromList', () => {
  it('builds the same tree from a flat list in any order', () => {
    const flat = developmentTeam()
      .nodes()
      .map((node) => ({ id: node.id, role: node.role, capabilities: node.capabilities, parent: node.parentId ?? null }))
      .reverse();
    const org = hierarchyFromList(flat);
    expect(hierarchyMetrics(org)).toEqual(hierarchyMetrics(developmentTeam()));
    expect(org.root.id).toBe('cto');
  });

  it('reports cycles with the loop', () => {
    const error = errorOf(() =>
      hierarchyFromList([
        { id: 'root', role: 'executive' },
        { id: 'a', role: 'manager', parent: 'c' },
        { id: 'b', role: 'manager', parent: 'a' },
        { id: 'c', role: 'manager', parent: 'b' },
      ]),
    );
    expect(error.code).toBe('hierarchy_cycle');
    expect(error.details?.cycle).toEqual(['a', 'c', 'b', 'a']);
  });

  it.each([
    ['hierarchy_cycle', [{ id: 'a', role: 'manager', parent: 'b' }, { id: 'b', role: 'manager', parent: 'a' }]],
    ['hierarchy_cycle', [{ id: 'a', role: 'manager', parent: 'a' }]],
    ['multiple_roots', [{ id: 'a', role: 'executive' }, { id: 'b', role: 'executive' }]],
    ['no_root', []],
    ['unknown_parent', [{ id: 'a', role: 'executive' }, { id: 'b', role: 'worker', parent: 'ghost' }]],
    ['duplicate_agent', [{ id: 'a', role: 'executive' }, { id: 'a', role: 'worker', parent: 'a' }]],
    ['empty_id', [{ id: '', role: 'executive' }]],
    ['invalid_role', [{ id: 'a', role: 'ceo' }]],
    ['invalid_spec', [{ id: 'a', role: 'executive' }, { id: 'b', role: 'worker', parent: 7 }]],
    ['invalid_spec', [42]],
  ])('rejects %s', (code, list) => {
    expect(errorOf(() => hierarchyFromList(list as never)).code).toBe(code);
  });

  it('rejects a list that is not an array', () => {
    expect(errorOf(() => hierarchyFromList({} as never)).code).toBe('invalid_spec');
  });
});

describe('metrics of other shapes', () => {
  it('handles a lone root', () => {
    expect(hierarchyMetrics(defineHierarchy({ id: 'solo', role: 'worker' }))).toEqual({
      depth: 1,
      totalNodes: 1,
      breadthByLevel: [1],
      spanOfControl: { avg: 0, max: 0, min: 0 },
    });
  });

  it('warns about workers with reports and accepts a custom span table', () => {
    const org = defineHierarchy({ id: 'w', role: 'worker', children: [{ id: 'x', role: 'worker' }] });
    expect(checkSpans(org)[0]).toMatchObject({ agentId: 'w', expected: null });
    expect(checkSpans(org, { executive: null, manager: null, specialist: null, worker: { min: 1, max: 1 } })).toEqual([]);
  });
});
