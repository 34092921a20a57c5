/**
 * A split on Restate whose parts are within the message limit but not with the task they split:
 * the split's `task.decomposed` report carries both, and the agent files it with the task's case
 * in one message with its other reports of that turn. A 7.8 MiB task whose one part copied its
 * payload sent its case 23.3 MiB (the task three times): the case's invocation was retried for
 * ever and the task never ended. Now the split fails with `decomposer_error`, and the agent goes on.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import { defineHierarchy } from '../../src/index.js';
import { restateOrg } from './support.js';

describe('echelon/restate: a split too large for its report', () => {
  it('fails with decomposer_error instead of a case retried for ever, and the agent takes the next task', async () => {
    const org = await restateOrg({
      hierarchy: defineHierarchy({ id: 'cto', role: 'executive', children: [{ id: 'dev', role: 'worker', capabilities: ['code'] }] }),
      executors: async () => 'done',
      decomposers: { byId: { cto: { name: 'copy', decompose: (parent) => (parent.type === 'feature' ? [{ key: 'a', type: 'code', payload: parent.payload }] : []) } } },
    });
    await org.submit({ id: 'big', type: 'feature', payload: 'x'.repeat(7.8 * 1024 * 1024) });
    expect(await org.outcome('big')).toMatchObject({ status: 'failed', error: { code: 'decomposer_error', message: expect.stringMatching(/^cto split big into parts that are, with the task, 15\.6 MiB .*at most 8\.0 MiB/) } });
    await org.submit({ id: 'next', type: 'code' });
    expect(await org.outcome('next')).toMatchObject({ status: 'completed', result: 'done', executedBy: 'dev' });
  }, 60_000);
});
