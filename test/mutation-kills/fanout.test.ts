/**
 * The fan-out's limits and budgets, on the function that turns a decomposer's answer into
 * subtasks: the decomposition depth, the fan-out and subtask budgets, the cost a decomposer
 * may hand out, malformed answers, and how each subtask's id, key and budget share are made.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, developmentTeam, joinAny, joinQuorum, type SubtaskSpec, type Task } from '../../src/index.js';
import { fanoutStep, joinSettlement } from '../../src/delegation/fanout.js';
import type { Join } from '../../src/delegation/join.js';
import { makeTask } from '../support/helpers.js';

const team = developmentTeam();
const limits = { maxFanout: 4, maxDecompositionDepth: 2 };
const decomposer = decomposeWith('split', () => undefined);
const task = (fields: Partial<Task> = {}) => makeTask({ id: 'p', type: 'feature', chain: ['cto'], rootId: 'p', submittedAt: 7, ...fields });
const step = (answer: Parameters<typeof fanoutStep>[5], fields: Partial<Task> = {}, spent = 0, by = decomposer) => fanoutStep(team, limits, 'cto', task(fields), by, answer, spent);
const specs = (...types: string[]): SubtaskSpec[] => types.map((type) => ({ type }));
const subtasksOf = (result: ReturnType<typeof step>) => {
  if (result?.kind !== 'fanout') throw new Error(`expected a fan-out, got ${JSON.stringify(result)}`);
  return result.subtasks;
};

describe('limits', () => {
  it('splits up to the decomposition depth limit and no further', () => {
    expect(subtasksOf(step(specs('a'), { depth: 1 }))[0]!.task.depth).toBe(2);
    expect(step(specs('a'), { id: 'deep', depth: 2 })).toEqual({
      kind: 'fail',
      error: { code: 'depth_exceeded', message: 'Task deep cannot be split further: it is 2 level(s) deep and the limit allows no more.', details: { taskId: 'deep', depth: 2 } },
    });
  });

  it("a budget's maxDepth of 0 allows no split, 1 one more level, and each level takes one off", () => {
    expect(step(specs('a'), { budget: { account: 'p', maxDepth: 0 } })).toMatchObject({ kind: 'fail', error: { code: 'depth_exceeded' } });
    expect(subtasksOf(step(specs('a'), { budget: { account: 'p', maxDepth: 1 } }))[0]!.task.budget).toEqual({ account: 'p.a', maxDepth: 0 });
  });

  it('allows maxFanout subtasks, or fewer when the budget says so', () => {
    expect(subtasksOf(step(specs('a', 'b', 'c', 'd')))).toHaveLength(4);
    expect(step(specs('a', 'b', 'c', 'd', 'e'))).toEqual({
      kind: 'fail',
      error: { code: 'fanout_exceeded', message: 'Decomposer "split" at cto split p into 5 subtasks; at most 4 are allowed here.', details: { taskId: 'p', subtasks: 5, allowed: 4 } },
    });
    expect(step(specs('a', 'b', 'c'), { budget: { account: 'p', maxSubtasks: 2 } })).toMatchObject({ kind: 'fail', error: { code: 'fanout_exceeded', details: { allowed: 2 } } });
    // What is left of maxSubtasks after this split is shared among the subtasks, rounded down.
    expect(subtasksOf(step(specs('a', 'b'), { budget: { account: 'p', maxSubtasks: 7 } })).map((s) => s.task.budget)).toEqual([
      { account: 'p.a', maxSubtasks: 2 },
      { account: 'p.b', maxSubtasks: 2 },
    ]);
  });

  it('refuses cost given out beyond what the budget has left, saying what was spent', () => {
    const given = [{ type: 'a', cost: 6 }, { type: 'b', cost: 5 }];
    expect(step(given, { budget: { account: 'p', cost: 10 } })).toEqual({
      kind: 'fail',
      error: { code: 'budget_exceeded', message: 'Decomposer "split" gave p\'s subtasks 11 of cost, more than its budget has left: 10 (10).', details: { taskId: 'p', given: 11, left: 10 } },
    });
    expect(step(given, { budget: { account: 'p', cost: 14 } }, 4)).toMatchObject({
      error: { message: 'Decomposer "split" gave p\'s subtasks 11 of cost, more than its budget has left: 10 (14, of which 4 was already spent).' },
    });
    expect(step(given, { budget: { account: 'p', cost: 3 } }, 9)).toMatchObject({ error: { details: { left: 0 } } });
    expect(subtasksOf(step(given, { budget: { account: 'p', cost: 11 } })).map((s) => s.task.budget?.cost)).toEqual([6, 5]);
  });

  it('shares what the given costs leave among the subtasks without one', () => {
    const shares = subtasksOf(step([{ type: 'a', cost: 4 }, { type: 'b' }, { type: 'c' }], { budget: { account: 'p', cost: 20 } }, 6)).map((s) => s.task.budget?.cost);
    expect(shares).toEqual([4, 5, 5]);
    expect(subtasksOf(step(specs('a'), { budget: { account: 'p', deadline: 99 } }))[0]!.task.budget).toEqual({ account: 'p.a', deadline: 99 });
    expect(subtasksOf(step(specs('a')))[0]!.task.budget).toEqual({ account: 'p.a' });
  });
});

describe('the answer', () => {
  it('nothing, or no subtasks, is a decline', () => {
    expect(step(undefined)).toBeUndefined();
    expect(step(null as never)).toBeUndefined();
    expect(step([])).toBeUndefined();
    expect(step({ subtasks: [] })).toBeUndefined();
  });

  it.each([
    [{ subtasks: 'a' }, 'expected subtasks (an array, or a decomposition { subtasks }), got "a".'],
    // Answered a string, not an object: before, its missing `subtasks` was shown ("got undefined").
    ['ab' as never, 'expected subtasks (an array, or a decomposition { subtasks }), got "ab".'],
    [{ parts: [{ type: 'a' }] } as never, 'expected subtasks (an array, or a decomposition { subtasks }), got undefined.'],
    [[{ type: '' }], 'subtask 0 needs a type, got {"type":""}.'],
    [[{ type: '  ' }], 'subtask 0 needs a type, got {"type":"  "}.'],
    // A function is no spec, even one carrying a type.
    [[Object.assign(() => undefined, { type: 'a' })], 'subtask 0 needs a type, got undefined.'],
    [[{ type: 'a' }, null], 'subtask 1 needs a type, got null.'],
    [[{ type: 'a' }, { type: 3 }], 'subtask 1 needs a type, got {"type":3}.'],
    [[{ type: 'a', context: { teams: 'backend_lead' } }], 'subtask 0\'s context.teams must be an array of agent ids (strings), got "backend_lead".'],
    [[{ type: 'a', context: { teams: ['backend_lead', 7] } }], 'subtask 0\'s context.teams must be an array of agent ids (strings), got ["backend_lead",7].'],
    // An empty team, resource or skill names nothing; a string where a list goes was taken letter by letter.
    [[{ type: 'a', context: { teams: [''] } }], 'subtask 0\'s context.teams[0] is "": a name may not be empty.'],
    [[{ type: 'a', resources: 'gpu' }], 'subtask 0\'s resources must be an array of strings, got "gpu".'],
    [[{ type: 'a', resources: ['gpu', ''] }], 'subtask 0\'s resources[1] is "": a name may not be empty.'],
    [[{ type: 'a', requiredSkills: [3] }], 'subtask 0\'s requiredSkills must be an array of strings, got [3].'],
    [[{ type: 'a', requiredSkills: [' '] }], 'subtask 0\'s requiredSkills[0] is " ": a name may not be empty.'],
    // A cost that is no amount made every share NaN (no limit at all); a negative one gave the others more than the budget held.
    [[{ type: 'a', cost: Number.NaN }, { type: 'b' }], 'subtask 0\'s cost must be a finite number ≥ 0 (its cost limit), got NaN.'],
    [[{ type: 'a' }, { type: 'b', cost: -50 }], 'subtask 1\'s cost must be a finite number ≥ 0 (its cost limit), got -50.'],
    [[{ type: 'a', cost: '3' }], 'subtask 0\'s cost must be a finite number ≥ 0 (its cost limit), got "3".'],
    // A store keeps Infinity as null: read back after a restart, the part's limit was nothing.
    [[{ type: 'a', cost: Infinity }], 'subtask 0\'s cost must be a finite number ≥ 0 (its cost limit), got Infinity.'],
    [[{ type: 'a', to: 'backend_dev_1' }], 'subtask 0 is addressed to "backend_dev_1", which is not a child of cto.'],
    [[{ type: 'a', key: 'x' }, { type: 'b', key: 'x' }], 'subtask 1 has key "x": keys must be unique non-empty strings without control characters.'],
    [[{ type: 'a', key: '' }], 'subtask 0 has key "": keys must be unique non-empty strings without control characters.'],
    [[{ type: 'a', key: 4 }], 'subtask 0 has key 4: keys must be unique non-empty strings without control characters.'],
    [{ subtasks: specs('a', 'b'), join: joinQuorum(3) }, 'join {"kind":"quorum","n":3} needs a quorum between 1 and the 2 subtasks.'],
    [{ subtasks: specs('a'), join: { kind: 'quorum', n: 0 } }, 'join {"kind":"quorum","n":0} needs a quorum between 1 and the 1 subtasks.'],
    [{ subtasks: specs('a', 'b'), join: { kind: 'quorum', n: 1.5 } }, 'join {"kind":"quorum","n":1.5} needs a quorum between 1 and the 2 subtasks.'],
    [{ subtasks: specs('a'), join: { kind: 'most' } }, 'join {"kind":"most"} needs a quorum between 1 and the 1 subtasks.'],
    [{ subtasks: specs('a'), onFailure: 'ignore' }, 'onFailure must be \'fail-fast\' or \'partial\', got "ignore".'],
  ])('refuses %j as a decomposer_error', (answer, message) => {
    expect(step(answer as never)).toEqual({ kind: 'fail', error: { code: 'decomposer_error', message: `Decomposer "split" at cto: ${message}`, details: { decomposer: 'split', agentId: 'cto' } } });
  });

  it('a quorum of every subtask, or of one, is accepted', () => {
    expect(step({ subtasks: specs('a', 'b'), join: joinQuorum(2) })).toMatchObject({ kind: 'fanout', join: { kind: 'quorum', n: 2 } });
    expect(step({ subtasks: specs('a', 'b'), join: joinQuorum(1) })).toMatchObject({ kind: 'fanout', join: { kind: 'quorum', n: 1 } });
  });

  it('the join and onFailure come from the decomposition, else the decomposer, else all and fail-fast', () => {
    expect(step(specs('a'))).toMatchObject({ join: { kind: 'all' }, onFailure: 'fail-fast' });
    const own = decomposeWith('own', () => undefined, { join: joinAny(), onFailure: 'partial' });
    expect(step(specs('a'), {}, 0, own)).toMatchObject({ join: { kind: 'any' }, onFailure: 'partial' });
    expect(step({ subtasks: specs('a'), join: joinQuorum(1), onFailure: 'fail-fast' }, {}, 0, own)).toMatchObject({ join: { kind: 'quorum', n: 1 }, onFailure: 'fail-fast' });
  });
});

describe('the subtasks', () => {
  it('get ids and keys from the parent and their type, numbering repeats, and skipping keys taken', () => {
    const made = subtasksOf(step([{ type: 'a' }, { type: 'a' }, { type: 'b', key: 'a-3' }, { type: 'a' }]));
    expect(made.map((s) => [s.task.id, s.task.origin])).toEqual([
      ['p.a', { kind: 'subtask', agent: 'cto', parentId: 'p', key: 'a' }],
      ['p.a-2', { kind: 'subtask', agent: 'cto', parentId: 'p', key: 'a-2' }],
      ['p.a-3', { kind: 'subtask', agent: 'cto', parentId: 'p', key: 'a-3' }],
      ['p.a-3-3', { kind: 'subtask', agent: 'cto', parentId: 'p', key: 'a-3-3' }],
    ]);
  });

  it('carry what the spec says and what the parent passes down, addressed where the spec says', () => {
    const [made] = subtasksOf(
      step([{ type: 'a', to: 'backend_lead', payload: { n: 1 }, context: { isEmergency: true }, resources: ['db'], requiredSkills: ['go'] }], {
        execution: { timeoutMs: 5 },
        escalations: [{ id: 'e', reason: 'emergency', from: 'x', to: 'cto' }],
        depth: 1,
      }),
    );
    expect(made).toEqual({
      to: 'backend_lead',
      task: {
        id: 'p.a',
        type: 'a',
        payload: { n: 1 },
        context: { isEmergency: true },
        resources: ['db'],
        requiredSkills: ['go'],
        execution: { timeoutMs: 5 },
        rootId: 'p',
        parentId: 'p',
        origin: { kind: 'subtask', agent: 'cto', parentId: 'p', key: 'a' },
        chain: ['cto'],
        escalations: [],
        excluded: [],
        approvedBy: [],
        submittedAt: 7,
        depth: 2,
        budget: { account: 'p.a' },
      },
    });
    const [plain] = subtasksOf(step(specs('b')));
    expect(plain).toEqual({ task: expect.objectContaining({ context: {}, resources: [], requiredSkills: [] }) });
    expect('execution' in plain!.task).toBe(false);
    expect('to' in plain!).toBe(false);
  });
});

describe('joinSettlement', () => {
  const join = (decided: Join['decided']): Join => ({
    task: task(),
    policy: { kind: 'all' },
    onFailure: 'partial',
    parts: [
      { key: 'a', taskId: 'p.a', type: 'a', chain: ['cto', 'x'], settlement: { status: 'completed', result: 1, attempts: 1 } },
      { key: 'b', taskId: 'p.b', type: 'b', chain: ['cto'], settlement: { status: 'failed', error: { code: 'executor_error', message: 'no' }, attempts: 1 } },
    ],
    ...(decided === undefined ? {} : { decided }),
  });
  const tree = [
    { taskId: 'p.a', key: 'a', type: 'a', status: 'completed', result: 1, delegationChain: ['cto', 'x'] },
    { taskId: 'p.b', key: 'b', type: 'b', status: 'failed', error: { code: 'executor_error', message: 'no' }, delegationChain: ['cto'] },
  ];
  const failures = [{ key: 'b', taskId: 'p.b', status: 'failed', error: { code: 'executor_error', message: 'no' } }];

  it('completes with the results (merged when the decomposer merges), fails or cancels with the decision\'s error', () => {
    expect(joinSettlement('cto', join({ kind: 'complete' }), undefined)).toEqual({ status: 'completed', result: { a: 1 }, splitBy: 'cto', attempts: 0, subtasks: tree, failures });
    const merging = decomposeWith('m', () => undefined, { merge: (results, context) => ({ sum: Object.keys(results), failed: context.failures.length, of: context.task.id }) });
    expect(joinSettlement('cto', join({ kind: 'complete' }), merging).result).toEqual({ sum: ['a'], failed: 1, of: 'p' });
    const error = { code: 'subtask_failed' as const, message: 'x' };
    expect(joinSettlement('cto', join({ kind: 'fail', error }), merging)).toEqual({ status: 'failed', error, splitBy: 'cto', attempts: 0, subtasks: tree, failures });
    expect(joinSettlement('cto', join({ kind: 'cancel', error }), undefined)).toMatchObject({ status: 'cancelled', error });
  });

  it('a merge that throws fails the parent with decomposer_error', () => {
    const broken = decomposeWith('m', () => undefined, { merge: () => { throw new Error('bad merge'); } });
    expect(joinSettlement('cto', join({ kind: 'complete' }), broken)).toMatchObject({ status: 'failed', error: { code: 'decomposer_error', message: 'Merging the subtasks of p failed: bad merge' }, subtasks: tree });
  });

  it('names failures only when there are some', () => {
    const clean: Join = { ...join({ kind: 'complete' }), parts: [join(undefined).parts[0]!] };
    expect('failures' in joinSettlement('cto', clean, undefined)).toBe(false);
  });
});
