/**
 * An executor result that is not JSON data fails only that attempt, with `invalid_result`: it is
 * retried per policy like any executor failure, the `retryable` option is asked about it, and the
 * organisation — its store included — goes on serving everyone else.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam, EchelonError, memoryStore, type OrchestratorEvent } from '../../src/index.js';
import { orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam() });

const circular: Record<string, unknown> = { name: 'loop' };
circular.self = circular;

const results: Array<[string, unknown, RegExp]> = [
  ['a BigInt', { n: 10n }, /result\.n is a BigInt/],
  ['a circular object', circular, /result\.self refers back to result/],
  ['a toJSON that throws', { at: { toJSON: () => { throw new Error('no clock'); } } }, /result\.at has a toJSON\(\) that throws \(no clock\)/],
  ['a Map', new Map([['a', 1]]), /result is an instance of Map/],
  // Read by JSON.stringify in the store's write, these would throw there; read by the check, they crashed the process.
  ['a getter that throws', { deep: { get secret() { throw new Error('locked'); } } }, /result\.deep\.secret could not be read \(locked\)/],
  ['a getter that throws, at the top', { get total() { throw new Error('not counted'); } }, /result\.total could not be read \(not counted\)/],
  ['a proxy that throws', new Proxy({}, { ownKeys: () => { throw new Error('revoked'); } }), /result could not be read \(revoked\)/],
];

describe('executor results that are not JSON data', () => {
  for (const withStore of [false, true]) {
    it.each(results)(`fail only their task with invalid_result, after the retries (${withStore ? 'with' : 'without'} a store): %s`, async (_case, bad, message) => {
      const store = withStore ? memoryStore() : undefined;
      const org = start({
        ...(store === undefined ? {} : { store }),
        execution: { retry: { attempts: 2, initialDelayMs: 1, jitter: 0 } },
        executors: async (task) => (task.id.startsWith('bad') ? bad : { ok: task.id }),
      });
      const retries: OrchestratorEvent[] = [];
      org.on('task.retrying', (event) => void retries.push(event));
      const outcome = await org.submit({ id: 'bad', type: 'python' });
      expect(outcome).toMatchObject({ status: 'failed', executedBy: 'backend_dev_1', attempts: 2, error: { code: 'invalid_result', details: { taskId: 'bad', agentId: 'backend_dev_1' } } });
      expect(outcome.error?.message).toMatch(message);
      expect(outcome.error?.message).toMatch(/not JSON data/);
      expect(retries).toMatchObject([{ type: 'task.retrying', error: { code: 'invalid_result' } }]);
      // The organisation goes on, its store with it.
      expect(await org.submit({ id: 'next', type: 'python' })).toMatchObject({ status: 'completed', result: { ok: 'next' } });
      if (store !== undefined) {
        expect(store.outcome('bad')).toMatchObject({ status: 'failed', error: { code: 'invalid_result' } });
        expect(store.outcome('next')).toMatchObject({ status: 'completed' });
      }
      expect(org.status().activeTasks).toBe(0);
    });
  }

  it('is asked of the retryable option like any failure, and a good second attempt completes the task', async () => {
    const asked: unknown[] = [];
    const org = start({
      store: memoryStore(),
      execution: {
        retry: { attempts: 3, initialDelayMs: 1, jitter: 0 },
        retryable: (error) => {
          asked.push(error);
          return true;
        },
      },
      executors: async (_task, { attempt }) => (attempt === 1 ? { n: 1n } : { n: '1' }),
    });
    expect(await org.submit({ id: 'flaky', type: 'python' })).toMatchObject({ status: 'completed', attempts: 2, result: { n: '1' } });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toBeInstanceOf(EchelonError);
    expect(asked[0]).toMatchObject({ code: 'invalid_result' });
  });

  it('accepts what JSON keeps, and no result at all', async () => {
    const org = start({ store: memoryStore(), executors: async (task) => (task.id === 'none' ? undefined : { at: new Date(0), left: undefined }) });
    expect(await org.submit({ id: 'none', type: 'python' })).toMatchObject({ status: 'completed' });
    expect((await org.submit({ id: 'date', type: 'python' })).status).toBe('completed');
  });
});
