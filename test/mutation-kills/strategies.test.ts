/**
 * The built-in strategies' choices, case by case: only capable children are chosen, ties go
 * where each strategy's documentation says, and skill scores come from the right place.
 */
import { describe, expect, it } from 'vitest';
import { capabilityMatching, defineHierarchy, delegateWith, loadBalancing, skillBased, type Task } from '../../src/index.js';
import type { Candidate } from '../../src/delegation/types.js';
import { requiredSkills } from '../../src/delegation/strategies.js';
import { delegationContext, makeTask } from '../support/helpers.js';

/** boss with three workers: a (rust 0.3), b (rust 0.8, below it b1 with go 0.9), c (rust 0.8). */
const team = defineHierarchy({
  id: 'boss',
  role: 'manager',
  children: [
    { id: 'a', role: 'worker', capabilities: ['x'], skills: { rust: 0.3 } },
    { id: 'b', role: 'manager', capabilities: ['x'], skills: { rust: 0.8 }, children: [{ id: 'b1', role: 'worker', capabilities: ['x'], skills: { go: 0.9 } }] },
    { id: 'c', role: 'worker', capabilities: ['x'], skills: { rust: 0.8 } },
  ],
});
const context = delegationContext(team);
const task = (fields: Partial<Task> = {}) => makeTask({ id: 't', type: 'x', chain: ['boss'], ...fields });
/** The boss's children as candidates, with the loads given and only `capable` capable (all by default). */
const candidates = (load: Record<string, number> = {}, capable = ['a', 'b', 'c']): Candidate[] =>
  team.children('boss').map((node) => ({ id: node.id, node, load: load[node.id] ?? 0, capable: capable.includes(node.id) }));

describe('skillBased', () => {
  it('never picks an incapable child, however well it scores', () => {
    expect(skillBased().select(task({ requiredSkills: ['rust'] }), candidates({}, ['a']), context)).toBe('a');
    expect(skillBased().select(task({ requiredSkills: ['rust'] }), candidates({}, []), context)).toBeUndefined();
  });

  it('breaks a tie on score with the less loaded child, wherever it is in hierarchy order', () => {
    const strategy = skillBased();
    expect(strategy.select(task({ requiredSkills: ['rust'] }), candidates({ b: 2, c: 1 }), context)).toBe('c');
    expect(strategy.select(task({ requiredSkills: ['rust'] }), candidates({ b: 1, c: 2 }), context)).toBe('b');
    // A tie on score and load goes to the first; a lower score loses whatever its load.
    expect(strategy.select(task({ requiredSkills: ['rust'] }), candidates({ b: 1, c: 1 }), context)).toBe('b');
    expect(strategy.select(task({ requiredSkills: ['rust'] }), candidates({ a: 0, b: 5, c: 5 }), context)).toBe('b');
  });

  it('scores a child by the best of its subtree, adding up the required skills', () => {
    const strategy = skillBased();
    expect(strategy.select(task({ requiredSkills: ['go'] }), candidates(), context)).toBe('b');
    // a: 0.3 + 0; b: 0.8 + 0.9 (from b1); c: 0.8 + 0.
    expect(strategy.select(task({ requiredSkills: ['rust', 'go'] }), candidates({ b: 9 }), context)).toBe('b');
  });

  it('takes scores given to it over the skills in the hierarchy, and counts a negative score as none', () => {
    const given = skillBased({ c: { rust: 0.1 }, a: { go: -5 } });
    expect(given.select(task({ requiredSkills: ['rust'] }), candidates({ b: 1 }), context)).toBe('b');
    // a: rust 0.3 + go -5 counted as 0 = 0.3; c: rust 0.1 (given, over its 0.8) = 0.1.
    expect(given.select(task({ requiredSkills: ['rust', 'go'] }), candidates({}, ['a', 'c']), context)).toBe('a');
    const negative = skillBased({ a: { rust: -1 }, c: { rust: -3 } });
    // Both count 0 on rust: a tie, which the less loaded wins.
    expect(negative.select(task({ requiredSkills: ['rust'] }), candidates({ a: 2, c: 1 }, ['a', 'c']), context)).toBe('c');
  });

  it('without required skills every capable child scores 0: the less loaded wins', () => {
    expect(skillBased().select(task(), candidates({ a: 3, b: 1, c: 2 }), context)).toBe('b');
  });

  it('reads the skills from requiredSkills first, else payload.required_skills (strings only)', () => {
    const strategy = skillBased();
    expect(strategy.select(task({ requiredSkills: ['go'], payload: { required_skills: ['rust'] } }), candidates({}, ['a', 'c']), context)).toBe('a');
    expect(strategy.select(task({ payload: { required_skills: [7, 'rust', null] } }), candidates({}, ['a', 'c']), context)).toBe('c');
    expect(strategy.select(task({ payload: { required_skills: 'rust' } }), candidates({ c: 1 }, ['a', 'c']), context)).toBe('a');
    expect(strategy.select(task({ payload: null }), candidates({ a: 1 }, ['a', 'c']), context)).toBe('c');
  });

  it('one strategy serves several hierarchies, each scored on its own agents', () => {
    const strategy = skillBased();
    const other = defineHierarchy({
      id: 'boss',
      role: 'manager',
      children: [
        { id: 'a', role: 'worker', capabilities: ['x'], skills: { rust: 0.9 } },
        { id: 'c', role: 'worker', capabilities: ['x'], skills: { rust: 0.1 } },
      ],
    });
    const pair = (hierarchy: typeof team) => hierarchy.children('boss').filter((node) => node.id !== 'b').map((node) => ({ id: node.id, node, load: 0, capable: true }));
    expect(strategy.select(task({ requiredSkills: ['rust'] }), pair(team), context)).toBe('c');
    expect(strategy.select(task({ requiredSkills: ['rust'] }), pair(other), delegationContext(other))).toBe('a');
    expect(strategy.select(task({ requiredSkills: ['rust'] }), pair(team), context)).toBe('c');
  });
});

describe('requiredSkills', () => {
  it('is requiredSkills when there are some, else the strings of payload.required_skills, else none', () => {
    expect(requiredSkills(task({ requiredSkills: ['go'], payload: { required_skills: ['rust'] } }))).toEqual(['go']);
    expect(requiredSkills(task({ payload: { required_skills: [7, 'rust', null] } }))).toEqual(['rust']);
    expect(requiredSkills(task({ payload: { required_skills: 'rust' } }))).toEqual([]);
    expect(requiredSkills(task({ payload: null }))).toEqual([]);
  });
});

describe('capabilityMatching, loadBalancing, delegateWith', () => {
  it('loadBalancing skips incapable children, even idle ones, and ties go to the first', () => {
    expect(loadBalancing().select(task(), candidates({ a: 0, b: 4, c: 2 }, ['b', 'c']), context)).toBe('c');
    expect(loadBalancing().select(task(), candidates({ b: 2, c: 2 }, ['b', 'c']), context)).toBe('b');
    expect(loadBalancing().select(task(), candidates({}, []), context)).toBeUndefined();
  });

  it('the strategies say who they are', () => {
    expect([capabilityMatching().name, loadBalancing().name, skillBased().name]).toEqual(['capability-matching', 'load-balancing', 'skill-based']);
    const select = () => 'c';
    expect(delegateWith('always-c', select)).toEqual({ name: 'always-c', select });
  });
});
