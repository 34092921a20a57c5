import { describe, expect, it } from 'vitest';
import { checkSpans, defineHierarchy, developmentTeam, hierarchyFromList, hierarchyMetrics, type AgentSpec } from '../src/index.js';
import { errorOf, seeded } from './support/helpers.js';

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
    ['invalid_spec', { id: 'two\nlines', role: 'executive' }],
    ['invalid_spec', { id: 'bell\u0007', role: 'executive' }],
    ['invalid_spec', { id: 'a', role: 'executive', capabilities: ['py\tthon'] }],
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

  it('refuses a key an agent does not have, saying the one meant, instead of dropping it (and the agents under it)', () => {
    const nested = errorOf(() => defineHierarchy({ id: 'cto', role: 'executive', reports: [{ id: 'dev', role: 'worker' }] } as unknown as AgentSpec));
    expect(nested).toMatchObject({ code: 'invalid_spec', details: { agentId: 'cto', key: 'reports', suggestion: 'children' } });
    expect(nested.message).toBe('agent "cto" has the key "reports", which an agent does not have — did you mean "children"? (an agent has id, role, capabilities, skills, description, children).');
    expect(errorOf(() => defineHierarchy({ id: 'cto', role: 'executive', capabilites: ['x'] } as unknown as AgentSpec))).toMatchObject({ details: { suggestion: 'capabilities' } });
    const flat = errorOf(() => hierarchyFromList([{ id: 'cto', role: 'executive' }, { id: 'dev', role: 'worker', parentId: 'cto' } as never]));
    expect(flat).toMatchObject({ code: 'invalid_spec', details: { agentId: 'dev', key: 'parentId', suggestion: 'parent' } }); // not multiple_roots
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

  it('each refusal of a tree says what is wrong and names the agents in its details', () => {
    const refusal = (list: unknown[]) => {
      const error = errorOf(() => hierarchyFromList(list as never));
      return { code: error.code, message: error.message, details: error.details };
    };
    expect(refusal([{ id: 'a', role: 'executive' }, { id: 'a', role: 'worker', parent: 'a' }])).toEqual({
      code: 'duplicate_agent',
      message: 'Agent id "a" is used more than once; every agent needs a unique id.',
      details: { agentId: 'a' },
    });
    expect(refusal([{ id: 'r', role: 'executive' }, { id: 'a', role: 'manager', parent: 'a' }])).toEqual({
      code: 'hierarchy_cycle',
      message: 'Agent "a" names itself as its parent.',
      details: { cycle: ['a', 'a'] },
    });
    expect(refusal([{ id: 'a', role: 'executive' }, { id: 'b', role: 'worker', parent: 'ghost' }])).toEqual({
      code: 'unknown_parent',
      message: 'Agent "b" reports to "ghost", which is not in the hierarchy.',
      details: { agentId: 'b', parent: 'ghost' },
    });
    expect(refusal([])).toEqual({ code: 'no_root', message: 'A hierarchy needs at least one agent.', details: undefined });
    expect(refusal([{ id: 'a', role: 'executive' }, { id: 'b', role: 'executive' }, { id: 'c', role: 'worker', parent: 'a' }, { id: 'd', role: 'executive' }])).toEqual({
      code: 'multiple_roots',
      message: 'A hierarchy has exactly one root, but 3 agents have no parent: a, b, d. Give all but one a parent.',
      details: { roots: ['a', 'b', 'd'] },
    });
  });

  it('a cycle is named by its loop alone, without the agents that lead into it', () => {
    // No root at all: x leads into the loop a → b → a.
    const loop = [{ id: 'x', role: 'worker', parent: 'a' }, { id: 'a', role: 'manager', parent: 'b' }, { id: 'b', role: 'manager', parent: 'a' }];
    const noRoot = errorOf(() => hierarchyFromList(loop as never));
    expect([noRoot.code, noRoot.message, noRoot.details]).toEqual([
      'hierarchy_cycle',
      'Every agent has a parent, so the hierarchy is a cycle: a → b → a.',
      { cycle: ['a', 'b', 'a'] },
    ]);
    // A root, and the same loop beside it, out of its reach.
    const stranded = errorOf(() => hierarchyFromList([{ id: 'r', role: 'executive' }, ...loop] as never));
    expect([stranded.code, stranded.message, stranded.details]).toEqual([
      'hierarchy_cycle',
      'Agents form a cycle and cannot be reached from the root: a → b → a.',
      { cycle: ['a', 'b', 'a'] },
    ]);
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

describe('nearest common ancestors', () => {
  const team = developmentTeam();

  it('answers the ancestor itself when one agent is above the other, in either order', () => {
    expect(team.nearestCommonAncestor('backend_dev_1', 'api_specialist').id).toBe('api_specialist');
    expect(team.nearestCommonAncestor('api_specialist', 'backend_dev_1').id).toBe('api_specialist');
    expect(team.nearestCommonAncestor('db_specialist', 'backend_lead').id).toBe('backend_lead');
    expect(team.nearestCommonAncestor('frontend_dev_1', 'cto').id).toBe('cto');
    expect(team.nearestCommonAncestor('backend_dev_1', 'db_specialist', 'backend_lead').id).toBe('backend_lead');
  });

  it('answers the agent for itself, and the root for no agents', () => {
    expect(team.nearestCommonAncestor('react_specialist', 'react_specialist').id).toBe('react_specialist');
    expect(team.nearestCommonAncestor('backend_dev_1').id).toBe('backend_dev_1');
    expect(team.nearestCommonAncestor().id).toBe('cto');
    expect(errorOf(() => team.nearestCommonAncestor('cto', 'nobody')).code).toBe('unknown_agent');
  });
});

describe('subtree capabilities', () => {
  /** A tree of 300 agents with seeded parents and capabilities drawn from a pool of 12. */
  function randomOrganisation(seed: number) {
    const random = seeded(seed);
    const pick = (n: number) => Math.floor(random() * n);
    return hierarchyFromList(
      Array.from({ length: 300 }, (_, index) => ({
        id: `a${index}`,
        role: 'worker' as const,
        // Repeats within one agent's list happen on purpose.
        capabilities: Array.from({ length: pick(3) }, () => `c${pick(12)}`),
        parent: index === 0 ? null : `a${pick(index)}`,
      })),
    );
  }

  it('agree with a walk over the subtree, in first-appearance order, for every agent', () => {
    for (const seed of [1, 2, 3]) {
      const org = randomOrganisation(seed);
      for (const node of org.nodes()) {
        const walked = [...new Set(org.subtree(node.id).flatMap((member) => member.capabilities))];
        expect([...org.subtreeCapabilities(node.id)]).toEqual(walked);
        for (let c = 0; c < 13; c++) expect(org.canHandle(node.id, `c${c}`)).toBe(walked.includes(`c${c}`));
      }
    }
  });

  it('refuse unknown agents', () => {
    const team = developmentTeam();
    expect(errorOf(() => team.subtreeCapabilities('nobody')).code).toBe('unknown_agent');
    expect(errorOf(() => team.canHandle('nobody', 'css')).code).toBe('unknown_agent');
    expect(errorOf(() => team.subtree('nobody')).code).toBe('unknown_agent');
    expect(team.canHandle('cto', 'no_such_capability')).toBe(false);
  });
});

describe('hierarchies of any depth and width', () => {
  const N = 100_000;

  it('builds a 100,000-deep chain and answers its lookups', () => {
    // Listed leaf first, so the builder cannot rely on parents coming before children.
    const chain = hierarchyFromList(
      Array.from({ length: N }, (_, k) => {
        const i = N - 1 - k;
        return { id: `a${i}`, role: 'worker' as const, capabilities: i === N - 1 ? [`c${i}`, 'leafwork'] : [`c${i}`], parent: i === 0 ? null : `a${i - 1}` };
      }),
    );
    expect(chain.size).toBe(N);
    expect(chain.root.id).toBe('a0');
    expect(chain.get('a99999')).toMatchObject({ level: 99_999, parentId: 'a99998', childIds: [] });
    expect(chain.canHandle('a0', 'leafwork')).toBe(true);
    expect(chain.canHandle('a50000', 'c50000')).toBe(true);
    expect(chain.canHandle('a50000', 'c49999')).toBe(false);
    expect(chain.canHandle('a99999', 'c0')).toBe(false);
    expect([...chain.subtreeCapabilities('a99997')]).toEqual(['c99997', 'c99998', 'c99999', 'leafwork']);
    expect(chain.subtreeCapabilities('a0').size).toBe(N + 1);
    expect(chain.nearestCommonAncestor('a99999', 'a50000').id).toBe('a50000');
    expect(chain.nearestCommonAncestor('a50000', 'a99999').id).toBe('a50000');
    expect(chain.isAncestor('a0', 'a99999')).toBe(true);
    expect(chain.isAncestor('a99999', 'a0')).toBe(false);
    expect(chain.isAncestor('a50001', 'a50000')).toBe(false);
    const path = chain.pathToRoot('a99999');
    expect(path.length).toBe(N);
    expect([path[0]!.id, path[1]!.id, path[N - 1]!.id]).toEqual(['a99999', 'a99998', 'a0']);
    expect(chain.subtree('a99990').length).toBe(10);
    const metrics = hierarchyMetrics(chain);
    expect([metrics.depth, metrics.totalNodes, metrics.spanOfControl]).toEqual([N, N, { avg: 1, max: 1, min: 1 }]);
  });

  it('builds a 100,000-wide star and answers its lookups', () => {
    const star = hierarchyFromList([
      { id: 'hub', role: 'executive', capabilities: ['coordination'] },
      ...Array.from({ length: N }, (_, i) => ({ id: `w${i}`, role: 'worker' as const, capabilities: i === N - 1 ? ['rare'] : [`skill${i % 100}`], parent: 'hub' })),
    ]);
    expect(star.size).toBe(N + 1);
    expect(star.children('hub').length).toBe(N);
    expect(star.canHandle('hub', 'rare')).toBe(true);
    expect(star.canHandle('w99999', 'rare')).toBe(true);
    expect(star.canHandle('w99998', 'rare')).toBe(false);
    expect(star.canHandle('w7', 'skill7')).toBe(true);
    expect(star.canHandle('w7', 'skill8')).toBe(false);
    expect(star.canHandle('w7', 'coordination')).toBe(false);
    expect([...star.subtreeCapabilities('hub')]).toEqual(['coordination', ...Array.from({ length: 100 }, (_, i) => `skill${i}`), 'rare']);
    expect([...star.subtreeCapabilities('w42')]).toEqual(['skill42']);
    expect(star.nearestCommonAncestor('w1', 'w99999').id).toBe('hub');
    expect(star.nearestCommonAncestor('w1', 'hub').id).toBe('hub');
    expect(star.isAncestor('hub', 'w99999')).toBe(true);
    expect(star.isAncestor('w1', 'w2')).toBe(false);
    expect(star.pathToRoot('w42').map((node) => node.id)).toEqual(['w42', 'hub']);
    const metrics = hierarchyMetrics(star);
    expect([metrics.depth, metrics.breadthByLevel, metrics.spanOfControl]).toEqual([2, [1, N], { avg: N, max: N, min: N }]);
    expect(checkSpans(star).map((warning) => [warning.agentId, warning.span])).toEqual([['hub', N]]);
  });

  it('builds a nested spec 50,000 deep', () => {
    const depth = 50_000;
    let spec: AgentSpec = { id: `n${depth - 1}`, role: 'worker', capabilities: ['deep'] };
    for (let i = depth - 2; i >= 0; i--) spec = { id: `n${i}`, role: 'manager', children: [spec] };
    const org = defineHierarchy(spec);
    expect(org.size).toBe(depth);
    expect(org.get('n49999')).toMatchObject({ level: 49_999, parentId: 'n49998' });
    expect(org.canHandle('n0', 'deep')).toBe(true);
    expect(org.pathToRoot('n49999').length).toBe(depth);
    expect(hierarchyMetrics(org).depth).toBe(depth);
  });

  it('refuses with EchelonErrors, not RangeErrors, deep in a nested spec', () => {
    const depth = 50_000;
    const bottom: { id: string; role: 'worker'; children: unknown[] } = { id: 'bottom', role: 'worker', children: [] };
    let spec: AgentSpec = bottom as unknown as AgentSpec;
    for (let i = depth - 2; i >= 0; i--) spec = { id: `n${i}`, role: 'manager', children: [spec] };
    bottom.children.push(spec);
    expect(errorOf(() => defineHierarchy(spec)).code).toBe('hierarchy_cycle');
    bottom.children[0] = { id: 'n7', role: 'worker' };
    expect(errorOf(() => defineHierarchy(spec)).code).toBe('duplicate_agent');
    bottom.children[0] = { id: 'last', role: 'boss' };
    expect(errorOf(() => defineHierarchy(spec)).message).toBe('Agent "last" has role "boss"; the roles are executive, manager, specialist, worker.');
  });

  it('reports a cycle of 100,000 agents with its whole loop', () => {
    const error = errorOf(() =>
      hierarchyFromList([
        { id: 'root', role: 'executive' },
        ...Array.from({ length: N }, (_, i) => ({ id: `a${i}`, role: 'worker' as const, parent: `a${(i + 1) % N}` })),
      ]),
    );
    expect(error.code).toBe('hierarchy_cycle');
    const cycle = error.details?.cycle as string[];
    expect([cycle.length, cycle[0], cycle[1], cycle[N]]).toEqual([N + 1, 'a0', 'a1', 'a0']);
  });
});
