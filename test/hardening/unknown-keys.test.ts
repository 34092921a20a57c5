/**
 * Options and tasks are not taken on trust: an unknown key anywhere — at the top of the options,
 * inside a per-agent setting, in limits, approvals, decomposers, a task, its budget, or submit's
 * options — is refused with a typed error, and with "did you mean" when a known key is close.
 */
import { describe, expect, it } from 'vitest';
import { capabilityMatching, createOrchestrator, developmentTeam, fullStackFeature, memoryStore, type EchelonError, type OrchestratorOptions } from '../../src/index.js';
import { errorOf, orchestrators, rejectionOf } from '../support/helpers.js';

const executors = async () => 'done';
const start = orchestrators({ hierarchy: developmentTeam(), executors });
const refusal = (options: Record<string, unknown>): EchelonError => errorOf(() => createOrchestrator({ hierarchy: developmentTeam(), executors, ...options } as OrchestratorOptions));

describe('unknown options of createOrchestrator', () => {
  it.each<[string, Record<string, unknown>, string, string | undefined]>([
    ['a misspelt top-level option', { concurency: 5 }, 'concurency', 'concurrency'],
    ['an agent beside default, instead of in byId', { executors: { default: executors, db_specialist: executors } }, 'executors.db_specialist', 'executors.byId.db_specialist'],
    ['an agent instead of byId', { executors: { db_specialist: executors } }, 'executors.db_specialist', 'executors.byId.db_specialist'],
    ['a role instead of byRole', { concurrency: { worker: 2 } }, 'concurrency.worker', 'concurrency.byRole.worker'],
    ['a misspelt byRole', { strategy: { byrole: { executive: capabilityMatching() } } }, 'strategy.byrole', 'strategy.byRole'],
    ['a policy field beside byRole', { execution: { byRole: { worker: { timeoutMs: 10 } }, timeoutMs: 5 } }, 'execution.timeoutMs', 'execution.default.timeoutMs'],
    ['a misspelt execution field', { execution: { timeoutMS: 5 } }, 'execution.timeoutMS', 'execution.timeoutMs'],
    ['a plural for a singular field', { execution: { retries: 2 } }, 'execution.retries', 'execution.retry'],
    ['a misspelt retry field inside byId', { execution: { byId: { cto: { retry: { attempt: 2 } } } } }, 'execution.byId.cto.retry.attempt', 'execution.byId.cto.retry.attempts'],
    ['a misspelt limit', { limits: { maxDepht: 3 } }, 'limits.maxDepht', 'limits.maxDepth'],
    ['a misspelt approvals option', { approvals: { timeout: 5 } }, 'approvals.timeout', 'approvals.timeoutMs'],
    ['an unknown decomposers key', { decomposers: { bytype: { full_stack_feature: fullStackFeature() } } }, 'decomposers.bytype', 'decomposers.byType'],
    ['an option nothing is close to', { frobnicate: true }, 'frobnicate', undefined],
  ])('refuses %s with invalid_option and a suggestion', (_case, options, path, suggestion) => {
    const error = refusal(options);
    expect(error.code).toBe('invalid_option');
    expect(error.details).toEqual({ path, ...(suggestion === undefined ? {} : { suggestion }) });
    expect(error.message).toContain(`"${path}"`);
    if (suggestion !== undefined) expect(error.message).toContain(`did you mean "${suggestion}"?`);
  });

  it('refuses a byId naming an agent that is not in the hierarchy with unknown_agent, and a byRole naming no role with invalid_role', () => {
    expect(refusal({ executors: { default: executors, byId: { db_specalist: executors } } })).toMatchObject({
      code: 'unknown_agent',
      details: { path: 'executors.byId.db_specalist', suggestion: 'executors.byId.db_specialist' },
    });
    expect(refusal({ concurrency: { byRole: { workers: 2 } } })).toMatchObject({ code: 'invalid_role', details: { path: 'concurrency.byRole.workers', suggestion: 'concurrency.byRole.worker' } });
  });

  it('refuses values of the wrong kind by their path, before the store is touched', () => {
    const store = memoryStore();
    expect(refusal({ store, strategy: { byId: { cto: { name: 'mine' } } } })).toMatchObject({ code: 'invalid_option', details: { path: 'strategy.byId.cto' } });
    expect(refusal({ store, limits: { maxDepth: '3' } })).toMatchObject({ code: 'invalid_option', details: { path: 'limits.maxDepth' } });
    expect(refusal({ store: { ...memoryStore(), lock: undefined } })).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('with a lock() method') });
    expect(start({ store }).status().totalAgents).toBe(8); // the store was left free
  });

  it('accepts every option it knows, and keys it does not own (a custom store’s or clock’s own members)', () => {
    const store = { ...memoryStore(), extra: 'mine' };
    const org = start({ store, concurrency: { byRole: { worker: 2 }, default: 1 }, execution: { default: { timeoutMs: 1_000, retry: { attempts: 2 } }, byId: { cto: { retryable: () => false } } }, limits: { maxDepth: 10 }, approvals: { timeoutMs: 100 }, resume: false, retain: 10 });
    expect(org.status().totalAgents).toBe(8);
  });
});

describe('unknown keys in a task and in submit’s options', () => {
  it('refuses an option of submit put in the task, saying it is submit’s second argument', async () => {
    const error = await rejectionOf(start().submit({ type: 'python', at: 'cto' } as never));
    expect(error).toMatchObject({ code: 'invalid_task', details: { path: 'at' } });
    expect(error.message).toContain("submit(task, { at: 'agent_id' })");
  });

  it('lists a task\'s fields in plain words when nothing is close', async () => {
    const error = await rejectionOf(start().submit({ type: 'python', colour: 'red' } as never));
    // Before: '(the field of a tasks are id, type, …)'.
    expect(error.message).toBe('submit: unknown field of a task "colour" (a task\'s fields are id, type, payload, context, resources, requiredSkills, execution, approval, budget).');
  });

  it.each<[string, Record<string, unknown>, string, string | undefined]>([
    ['a misspelt field', { type: 'python', paylod: {} }, 'paylod', 'payload'],
    ['a context flag beside the fields', { type: 'python', requiresApproval: true }, 'requiresApproval', undefined],
    ['a misspelt budget limit', { type: 'python', budget: { timeMS: 10 } }, 'budget.timeMS', 'budget.timeMs'],
    ['a misspelt approval field', { type: 'python', approval: { quorm: 2 } }, 'approval.quorm', 'approval.quorum'],
    ['a misspelt execution field', { type: 'python', execution: { retry: { jiter: 0 } } }, 'execution.retry.jiter', 'execution.retry.jitter'],
  ])('refuses %s with invalid_task', async (_case, task, path, suggestion) => {
    const org = start();
    const error = await rejectionOf(org.submit(task as never));
    expect(error).toMatchObject({ code: 'invalid_task', details: { path, ...(suggestion === undefined ? {} : { suggestion }) } });
    if (path === 'requiresApproval') expect(error.message).toContain('{ context: { requiresApproval: … } }');
    expect(org.status().activeTasks).toBe(0);
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed' });
  });

  it('refuses unknown submit options with invalid_option, and a task field given there', async () => {
    const org = start();
    expect(await rejectionOf(org.submit({ type: 'python' }, { att: 'cto' } as never))).toMatchObject({ code: 'invalid_option', details: { path: 'att', suggestion: 'at' } });
    const misplaced = await rejectionOf(org.submit({ type: 'python' }, { at: 'cto', payload: {} } as never));
    expect(misplaced).toMatchObject({ code: 'invalid_option', details: { path: 'payload' } });
    expect(misplaced.message).toContain("a field of the task, submit's first argument");
    for (const options of [null, 'cto']) expect(await rejectionOf(org.submit({ type: 'python' }, options as never))).toMatchObject({ code: 'invalid_option', name: 'EchelonError' });
    expect(await org.submit({ type: 'python' }, { at: 'backend_lead' })).toMatchObject({ status: 'completed', delegationChain: ['backend_lead', 'api_specialist', 'backend_dev_1'] });
  });
});
