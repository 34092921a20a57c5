/**
 * Fan-in decisions, settlement by settlement: when each join policy waits, completes or fails,
 * what it cancels, and what its outcome says — through the pure join functions, and for the
 * partial policy also through an organisation, whatever order the parts settle in.
 */
import { describe, expect, it } from 'vitest';
import { decomposeWith, defineHierarchy, joinAny, joinQuorum, type Decomposer, type Settlement } from '../../src/index.js';
import { cancelJoin, failuresOf, joinAfter, needed, resultsOf, treeOf, type Join } from '../../src/delegation/join.js';
import type { JoinPolicy, PartialFailurePolicy } from '../../src/types.js';
import { deferred, flush, makeTask, orchestrators } from '../support/helpers.js';

const parent = makeTask({ id: 'p', type: 'batch' });
const joinOf = (policy: JoinPolicy, onFailure: PartialFailurePolicy = 'fail-fast', keys = ['a', 'b', 'c']): Join => ({
  task: parent,
  policy,
  onFailure,
  parts: keys.map((key) => ({ key, taskId: `p.${key}`, type: key, chain: ['lead'] })),
});
const ok = (result: unknown): Settlement => ({ status: 'completed', result, attempts: 1, executedBy: 'w' });
const broke = (message: string): Settlement => ({ status: 'failed', error: { code: 'executor_error', message }, attempts: 1 });

/** Settles the parts in order; returns each step's [decided kind or 'waiting', cancelled ids, done]. */
function run(join: Join, ...steps: Array<[key: string, settlement: Settlement]>) {
  const trace: Array<[string, string[], boolean]> = [];
  for (const [key, settlement] of steps) {
    const progress = joinAfter(join, `p.${key}`, settlement, ['lead', `w-${key}`]);
    join = progress.join;
    trace.push([join.decided?.kind ?? 'waiting', [...progress.cancel], progress.done]);
  }
  return { join, trace };
}

describe('needed', () => {
  it('all needs every part, any one, a quorum its n', () => {
    expect([needed({ kind: 'all' }, 4), needed({ kind: 'any' }, 4), needed({ kind: 'quorum', n: 3 }, 4)]).toEqual([4, 1, 3]);
  });
});

describe('joinAfter', () => {
  it('all, fail fast: waits for every part; the first failure decides and cancels the parts still running', () => {
    expect(run(joinOf({ kind: 'all' }), ['a', ok(1)], ['b', ok(2)], ['c', ok(3)]).trace).toEqual([
      ['waiting', [], false],
      ['waiting', [], false],
      ['complete', [], true],
    ]);
    const { join, trace } = run(joinOf({ kind: 'all' }), ['b', broke('b broke')], ['a', { status: 'cancelled', attempts: 0 }], ['c', { status: 'cancelled', attempts: 0 }]);
    expect(trace).toEqual([
      ['fail', ['p.a', 'p.c'], false],
      ['fail', [], false],
      ['fail', [], true],
    ]);
    expect(join.decided).toEqual({
      kind: 'fail',
      error: { code: 'subtask_failed', message: 'Subtask "b" of p failed: b broke', details: { taskId: 'p', failed: ['b'] } },
    });
  });

  it('all, partial: a failure, even the first to settle, waits for the rest; completes with what completed', () => {
    const first = run(joinOf({ kind: 'all' }, 'partial'), ['a', broke('a broke')], ['b', ok(2)], ['c', ok(3)]);
    expect(first.trace).toEqual([
      ['waiting', [], false],
      ['waiting', [], false],
      ['complete', [], true],
    ]);
    expect(resultsOf(first.join)).toEqual({ b: 2, c: 3 });
    expect(failuresOf(first.join)).toEqual([{ key: 'a', taskId: 'p.a', status: 'failed', error: { code: 'executor_error', message: 'a broke' } }]);
  });

  it('all: a part that ended without an error (cancelled) is named with its status', () => {
    const { join } = run(joinOf({ kind: 'all' }, 'fail-fast', ['a', 'b']), ['a', { status: 'cancelled', attempts: 0 }]);
    expect(join.decided).toMatchObject({ kind: 'fail', error: { message: 'Subtask "a" of p cancelled: no reason given' } });
  });

  it('all, partial: fails when nothing completed', () => {
    const { join, trace } = run(joinOf({ kind: 'all' }, 'partial', ['a', 'b']), ['a', broke('a broke')], ['b', { status: 'cancelled', attempts: 0 }]);
    expect(trace).toEqual([
      ['waiting', [], false],
      ['fail', [], true],
    ]);
    expect(join.decided).toMatchObject({ kind: 'fail', error: { message: 'Subtask "a" of p failed: a broke' } });
    expect(failuresOf(join)).toStrictEqual([
      { key: 'a', taskId: 'p.a', status: 'failed', error: { code: 'executor_error', message: 'a broke' } },
      { key: 'b', taskId: 'p.b', status: 'cancelled' },
    ]);
  });

  it('quorum: waits while enough parts can still complete; fails as soon as they cannot', () => {
    const won = run(joinOf({ kind: 'quorum', n: 2 }), ['a', broke('no')], ['b', ok('b')], ['c', ok('c')]);
    expect(won.trace).toEqual([
      ['waiting', [], false],
      ['waiting', [], false],
      ['complete', [], true],
    ]);
    const lost = run(joinOf({ kind: 'quorum', n: 2 }), ['a', ok('a')], ['b', broke('b broke')], ['c', broke('c broke')]);
    expect(lost.trace).toEqual([
      ['waiting', [], false],
      ['waiting', [], false],
      ['fail', [], true],
    ]);
    expect(lost.join.decided).toMatchObject({ kind: 'fail', error: { message: 'Only 1 of the 2 subtasks p needed can complete (b: b broke; c: c broke).' } });
    const early = run(joinOf({ kind: 'quorum', n: 3 }), ['a', broke('a broke')]);
    expect(early.trace).toEqual([['fail', ['p.b', 'p.c'], false]]);
  });

  it('quorum, partial: a lost quorum still completes with what completed, once every part settled', () => {
    const { join, trace } = run(joinOf({ kind: 'quorum', n: 3 }, 'partial'), ['a', broke('a broke')], ['b', ok('b')], ['c', ok('c')]);
    expect(trace).toEqual([
      ['waiting', [], false],
      ['waiting', [], false],
      ['complete', [], true],
    ]);
    expect(resultsOf(join)).toEqual({ b: 'b', c: 'c' });
  });

  it('any: the first completion decides and cancels the rest; the message of a total loss names every reason', () => {
    expect(run(joinOf({ kind: 'any' }), ['b', broke('no')], ['c', ok('c')]).trace).toEqual([
      ['waiting', [], false],
      ['complete', ['p.a'], false],
    ]);
    const lost = run(joinOf({ kind: 'any' }, 'fail-fast', ['a', 'b']), ['a', broke('a broke')], ['b', { status: 'cancelled', attempts: 0 }]);
    expect(lost.join.decided).toMatchObject({ kind: 'fail', error: { message: 'Only 0 of the 1 subtasks p needed can complete (a: a broke; b: cancelled).', details: { failed: ['a', 'b'] } } });
  });

  it('a part that settles again, or a task that is not a part, changes nothing', () => {
    const once = joinAfter(joinOf({ kind: 'all' }, 'partial'), 'p.a', ok(1), ['lead', 'w']);
    const again = joinAfter(once.join, 'p.a', broke('late'), ['lead', 'x']);
    expect(again).toEqual({ join: once.join, cancel: [], done: false });
    expect(again.join).toBe(once.join);
    const stranger = joinAfter(once.join, 'p.z', ok(9), ['lead']);
    expect(stranger.join).toBe(once.join);
    expect(resultsOf(once.join)).toEqual({ a: 1 });
  });

  it('after the decision, later settlements are recorded but decide nothing new nor cancel again', () => {
    const decided = joinAfter(joinOf({ kind: 'any' }), 'p.a', ok('a'), ['lead', 'w']);
    expect(decided.cancel).toEqual(['p.b', 'p.c']);
    const late = joinAfter(decided.join, 'p.b', broke('b broke'), ['lead', 'w']);
    expect(late).toMatchObject({ cancel: [], done: false, join: { decided: { kind: 'complete' } } });
    expect(late.join.parts[1]).toMatchObject({ key: 'b', settlement: { status: 'failed' }, chain: ['lead', 'w'] });
    expect(joinAfter(late.join, 'p.c', { status: 'cancelled', attempts: 0 }, ['lead']).done).toBe(true);
  });
});

describe('cancelJoin', () => {
  it('cancels what runs, keeps an earlier decision, and is done at once when nothing runs', () => {
    const error = { code: 'cancelled' as const, message: 'stop' };
    const fresh = cancelJoin(joinOf({ kind: 'all' }), error);
    expect(fresh).toMatchObject({ cancel: ['p.a', 'p.b', 'p.c'], done: false, join: { decided: { kind: 'cancel', error } } });
    const decided = joinAfter(joinOf({ kind: 'any' }, 'fail-fast', ['a']), 'p.a', ok('a'), ['lead']);
    expect(cancelJoin(decided.join, error)).toMatchObject({ cancel: [], done: true, join: { decided: { kind: 'complete' } } });
  });
});

describe('treeOf', () => {
  it('reports every part with what it has, and a part that never settled as cancelled', () => {
    const { join } = run(
      joinOf({ kind: 'any' }),
      ['a', { status: 'completed', result: 'r', attempts: 2, executedBy: 'w-a', splitBy: 's', subtasks: [] }],
    );
    // Strict: a part has no `result`, `error`, … key at all when it has none (not one set to undefined).
    expect(treeOf(join)).toStrictEqual([
      { taskId: 'p.a', key: 'a', type: 'a', status: 'completed', result: 'r', executedBy: 'w-a', splitBy: 's', delegationChain: ['lead', 'w-a'], subtasks: [] },
      { taskId: 'p.b', key: 'b', type: 'b', status: 'cancelled', delegationChain: ['lead'] },
      { taskId: 'p.c', key: 'c', type: 'c', status: 'cancelled', delegationChain: ['lead'] },
    ]);
    const failed = run(joinOf({ kind: 'all' }, 'fail-fast', ['a']), ['a', broke('a broke')]).join;
    expect(treeOf(failed)).toStrictEqual([{ taskId: 'p.a', key: 'a', type: 'a', status: 'failed', error: { code: 'executor_error', message: 'a broke' }, delegationChain: ['lead', 'w-a'] }]);
  });
});

describe('a partial join in an organisation', () => {
  const team = () => defineHierarchy({ id: 'lead', role: 'manager', children: ['w1', 'w2', 'w3'].map((id) => ({ id, role: 'worker' as const, capabilities: [id] })) });
  const perWorker = (options: Partial<Decomposer>): Decomposer =>
    decomposeWith('per-worker', (task, { children }) => (task.type === 'batch' ? children.map((child) => ({ key: child.id, type: child.id, to: child.id })) : undefined), options);

  it.each([
    ['the failing part first', ['b.w3', 'b.w1', 'b.w2']],
    ['the failing part last', ['b.w1', 'b.w2', 'b.w3']],
  ])('waits for every part whatever settles first (%s)', async (_order, order) => {
    const gates = new Map<string, ReturnType<typeof deferred>>();
    const org = orchestrators({
      hierarchy: team(),
      decomposers: { byId: { lead: perWorker({ onFailure: 'partial' }) } },
      executors: (task) => {
        const gate = deferred();
        gates.set(task.id, gate);
        return gate.promise;
      },
    })();
    const outcome = org.submit({ id: 'b', type: 'batch' });
    await flush();
    for (const id of order) {
      if (id === 'b.w3') gates.get(id)!.reject(new Error('w3 broke'));
      else gates.get(id)!.resolve(id);
      await flush();
    }
    expect(await outcome).toMatchObject({ status: 'completed', result: { w1: 'b.w1', w2: 'b.w2' }, failures: [{ key: 'w3', status: 'failed' }] });
  });

  it('joinAny and joinQuorum are the policies of those names', () => {
    expect([joinAny(), joinQuorum(2)]).toEqual([{ kind: 'any' }, { kind: 'quorum', n: 2 }]);
  });
});
