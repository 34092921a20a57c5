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
    expect(large).toMatchObject({ status: 'failed', splitBy: 'cto', error: { code: 'decomposer_error', message: expect.stringMatching(/^cto settled feature with 20\.0 MiB of JSON .*at most 8\.0 MiB/) } });
    expect(large.subtasks?.map((node) => [node.taskId, node.status, 'result' in node])).toEqual([
      ['feature.a', 'completed', false],
      ['feature.b', 'completed', false],
    ]);
    expect(oversized(large)).toBeUndefined();
  });
});
