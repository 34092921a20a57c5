/**
 * The executor service's attempts and aborts (src/restate/executor-service.ts), run without a
 * server: its handlers get a made-up context whose journaled step runs at once and whose sends are
 * recorded. Restate orders neither an abort after the attempt it names nor attempts of one task
 * among themselves, so an abort may come after a newer attempt started, and a newer attempt may
 * start before the older one's abort.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import { defineHierarchy } from '../../src/index.js';
import { executorService } from '../../src/restate/executor-service.js';
import { organisation } from '../../src/restate/organisation.js';
import { validateTaskInput } from '../../src/task-input.js';
import { flush } from '../support/helpers.js';

const hierarchy = () => defineHierarchy({ id: 'cto', role: 'executive', children: [{ id: 'dev', role: 'worker', capabilities: ['code'] }] });
const task = validateTaskInput({ id: 'job', type: 'code' }, { entry: 'cto', now: 1_000, newId: () => 'unused', isActive: () => false, defaults: { maxSubtasks: 100, maxDepth: 5 } });

/** The service with an executor that waits until its signal aborts (or returns what `returns` gives); what it sends back, by attempt. */
function harness(returns?: () => unknown) {
  const started: number[] = [];
  const org = organisation(
    {
      hierarchy: hierarchy(),
      executors: (_task, { signal, attempt }) => {
        started.push(attempt);
        if (returns !== undefined) return Promise.resolve(returns());
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    },
    'executor service test',
  );
  const handlers = (executorService(org, 'dev') as unknown as { service: Record<string, (ctx: unknown, input: unknown) => Promise<void>> }).service;
  const told: Array<{ attempt: number; code: string | undefined }> = [];
  const said: string[] = [];
  const ctx = {
    run: async (_name: string, step: () => Promise<unknown>) => step(),
    genericSend: ({ parameter }: { parameter: { type: string; attempt: number; result: { error?: { code: string; message: string } } } }) => {
      const { error } = parameter.result;
      if (parameter.type !== 'echelon.executed') return;
      told.push({ attempt: parameter.attempt, code: error?.code });
      if (error !== undefined) said.push(error.message);
    },
  };
  const attempt = (n: number, given = task) => handlers.attempt!(ctx, { task: given, agentId: 'dev', attempt: n, idempotencyKey: 'job@dev' });
  const abort = (n?: number) => handlers.abort!(ctx, { agentId: 'dev', taskId: 'job', ...(n === undefined ? {} : { attempt: n }) });
  return { started, told, said, attempt, abort };
}

describe('echelon/restate: the executor service, results too large for the journal', () => {
  it('fails an attempt whose result is over 8 MiB of JSON with executor_error, not retried; a smaller one passes', async () => {
    // Restate journals the step's result whole: one of 12 MiB never settled (the invocation retried for ever).
    const large = harness(() => 'x'.repeat(9 * 1024 * 1024));
    await large.attempt(1);
    expect(large.told).toEqual([{ attempt: 1, code: 'executor_error' }]);
    expect(large.said).toEqual([expect.stringMatching(/returned a result that is, with its task job, 9\.0 MiB \([\d,]+ bytes\) of JSON; on Restate a task and its result together are at most 8\.0 MiB/)]);
    const fine = harness(() => 'x'.repeat(1024 * 1024));
    await fine.attempt(1);
    expect(fine.told).toEqual([{ attempt: 1, code: undefined }]);
    // The result goes up with its task, in one message: a task of 5 MiB and a result of 5 MiB, each within the limit, are not together (the review saw 7.9 + 7.9 MiB never settle).
    const both = harness(() => 'x'.repeat(5 * 1024 * 1024));
    await both.attempt(1, { ...task, payload: 'y'.repeat(5 * 1024 * 1024) });
    expect(both.told).toEqual([{ attempt: 1, code: 'executor_error' }]);
  });
});

describe('echelon/restate: the executor service, attempts and aborts out of order', () => {
  it('drops an abort that names an earlier attempt than the one running', async () => {
    const { started, told, attempt, abort } = harness();
    const first = attempt(1);
    await flush();
    // Attempt 2 reaches the process before attempt 1's abort: attempt 1's step ends, cancelled, instead of waiting for ever.
    const second = attempt(2);
    await flush();
    await first;
    expect(started).toEqual([1, 2]);
    expect(told).toEqual([{ attempt: 1, code: 'cancelled' }]);
    // Attempt 1's abort comes late: attempt 2 runs on.
    await abort(1);
    await flush();
    expect(told).toHaveLength(1);
    // Its own abort stops it.
    await abort(2);
    await second;
    expect(told).toEqual([
      { attempt: 1, code: 'cancelled' },
      { attempt: 2, code: 'cancelled' },
    ]);
  });

  it('an abort naming no attempt (from an older version) stops whatever runs, as before', async () => {
    const { told, attempt, abort } = harness();
    const running = attempt(3);
    await flush();
    await abort();
    await running;
    expect(told).toEqual([{ attempt: 3, code: 'cancelled' }]);
  });
});
