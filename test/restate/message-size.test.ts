/**
 * Restate journals each message whole, and one over about 10 MiB never settles (measured: 10 MiB
 * settles, 12 MiB is retried for ever). The limit at 8 MiB as the service process's ports apply it to a
 * split's settlement, which carries the merged result and its parts' results: two parts of 5 MiB
 * each are within the limit, their settlement (20 MiB) is not. Without a server: the ports alone.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import { defineHierarchy } from '../../src/index.js';
import { organisation } from '../../src/restate/organisation.js';
import { MESSAGE_LIMIT_BYTES, oversized } from '../../src/restate/message-size.js';
import { validateTaskInput } from '../../src/task-input.js';
import { invocation, within } from '../../src/restate/scope.js';
import type { Task } from '../../src/types.js';
import type { Join } from '../../src/charts.js';

const hierarchy = () => defineHierarchy({ id: 'cto', role: 'executive', children: [{ id: 'dev', role: 'worker', capabilities: ['code'] }] });
const task = validateTaskInput({ id: 'feature', type: 'feature' }, { entry: 'cto', now: 0, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });
const policy = organisation({ hierarchy: hierarchy(), executors: async () => 'done' }, 'message size test').resolved.policy;

/** A join of two completed parts, each with a result of `mib` MiB. */
const joinOf = (mib: number): Join => ({
  task,
  policy: { kind: 'all' },
  onFailure: 'fail-fast',
  decided: { kind: 'complete' },
  parts: ['a', 'b'].map((key) => ({ key, taskId: `feature.${key}`, type: 'code', chain: ['cto', 'dev'], settlement: { status: 'completed', result: 'x'.repeat(mib * 1024 * 1024), attempts: 1, executedBy: 'dev' } })),
});

describe('echelon/restate: what is too large for one message', () => {
  it('counts bytes of JSON, not characters, and only over the limit', () => {
    expect(oversized('x'.repeat(MESSAGE_LIMIT_BYTES - 2))).toBeUndefined();
    expect(oversized('x'.repeat(MESSAGE_LIMIT_BYTES))).toBe(MESSAGE_LIMIT_BYTES + 2);
    // 3 bytes of UTF-8 a character: 3 MiB of characters is 9 MiB.
    expect(oversized('€'.repeat(3 * 1024 * 1024))).toBe(9 * 1024 * 1024 + 2);
  });

  it('fails a split whose settlement is over 8 MiB with decomposer_error, keeping its tree without results', () => {
    const small = policy.settleJoin('cto', joinOf(1));
    expect(small).toMatchObject({ status: 'completed', result: { a: expect.any(String), b: expect.any(String) } });
    const large = policy.settleJoin('cto', joinOf(5));
    expect(large).toMatchObject({ status: 'failed', splitBy: 'cto', error: { code: 'decomposer_error', message: expect.stringMatching(/^cto settled feature with 20\.0 MiB \([\d,]+ bytes\) of JSON, the task, its merged result and its parts' together; .*at most 8\.0 MiB/) } });
    expect(large.subtasks?.map((node) => [node.taskId, node.status, 'result' in node])).toEqual([
      ['feature.a', 'completed', false],
      ['feature.b', 'completed', false],
    ]);
    expect(oversized(large)).toBeUndefined();
  });

  it('fails a split whose parts are over 8 MiB together (one task.decomposed message carries them all)', async () => {
    const org = organisation({ hierarchy: hierarchy(), executors: async () => 'done', decomposers: { byId: { cto: { name: 'copies', decompose: (parent) => ['a', 'b', 'c'].map((key) => ({ key, type: 'code', payload: parent.payload })) } } } }, 'message size test');
    const big = validateTaskInput({ id: 'big', type: 'feature', payload: 'x'.repeat(3 * 1024 * 1024) }, { entry: 'cto', now: 0, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });
    const control = { signal: new AbortController().signal, reportCost: () => undefined };
    const candidates = [{ id: 'dev', node: hierarchy().get('dev'), capable: true, load: 0 }];
    // Decisions run inside an agent's invocation on Restate: a made-up one here.
    const select = (task: Task) => within(invocation(0, { random: Math.random, uuidv4: () => 'u' }), () => org.resolved.policy.select('cto', { task, mode: 'route' }, candidates, control as never));
    const step = await select(big);
    expect(step).toMatchObject({ kind: 'fail', error: { code: 'decomposer_error', message: expect.stringMatching(/^cto split big into parts that are 9\.0 MiB/) } });
    const small = await select({ ...big, payload: 'x' });
    expect(small).toMatchObject({ kind: 'fanout' });
  });

  it('fails a split whose parts are within 8 MiB but not with the task they split (its task.decomposed report carries both)', async () => {
    // Before: a 7.8 MiB task whose one part copied its payload passed; its case's report (the task three times) was retried for ever and the task never ended.
    const org = organisation({ hierarchy: hierarchy(), executors: async () => 'done', decomposers: { byId: { cto: { name: 'copy', decompose: (parent) => [{ key: 'a', type: 'code', payload: parent.payload }] } } } }, 'message size test');
    const big = validateTaskInput({ id: 'big', type: 'feature', payload: 'x'.repeat(5 * 1024 * 1024) }, { entry: 'cto', now: 0, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });
    const control = { signal: new AbortController().signal, reportCost: () => undefined };
    const candidates = [{ id: 'dev', node: hierarchy().get('dev'), capable: true, load: 0 }];
    const select = (task: Task) => within(invocation(0, { random: Math.random, uuidv4: () => 'u' }), () => org.resolved.policy.select('cto', { task, mode: 'route' }, candidates, control as never));
    expect(await select(big)).toMatchObject({ kind: 'fail', error: { code: 'decomposer_error', details: { limit: MESSAGE_LIMIT_BYTES }, message: expect.stringMatching(/^cto split big into parts that are, with the task, 10\.0 MiB \([\d,]+ bytes\) of JSON \(the split's report carries both\); on Restate that is at most 8\.0 MiB/) } });
    expect(await select({ ...big, payload: 'x'.repeat(3 * 1024 * 1024) })).toMatchObject({ kind: 'fanout' });
  });
});
