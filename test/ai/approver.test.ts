import { afterEach, describe, expect, it } from 'vitest';
import { llmApprover, type ApproverModelDecision, type LlmApproverOptions } from '../../src/ai/index.js';
import { createOrchestrator, developmentTeam, EchelonError, type Approval, type Orchestrator, type TaskError } from '../../src/index.js';
import { flush } from '../support/helpers.js';
import { answer, answerJson, promptText, scripted, unmetered } from '../support/mock-model.js';

const orgs: Orchestrator[] = [];
afterEach(async () => {
  await Promise.all(orgs.splice(0).map((org) => org.stop()));
});

const POLICY = 'Approve routine work that has tests. Reject anything that deletes customer data.';

/** The dev team, with specialists deciding approvals through the model; records decisions and faults. */
const start = (options: Omit<LlmApproverOptions, 'policy'> & { policy?: string }) => {
  const decisions: ApproverModelDecision[] = [];
  const org = createOrchestrator({
    hierarchy: developmentTeam(),
    executors: async (_task, { agent }) => `done by ${agent.id}`,
    approvals: { approvers: { byRole: { specialist: llmApprover({ policy: POLICY, onDecision: (decision) => decisions.push(decision), ...options }) } } },
  });
  orgs.push(org);
  const decided: Approval[] = [];
  const faults: TaskError[] = [];
  org.on('approval.decided', (event) => decided.push(event.approval));
  org.on('agent.fault', (event) => faults.push(event.error));
  return { org, decisions, decided, faults };
};

const risky = { id: 'job', type: 'python', payload: { change: 'refactor billing module', tests: true }, approval: { reason: 'It touches billing.' } } as const;

describe('llmApprover: the model decides, with a stated reason', () => {
  it('approves with its reason as the decision note, and sees the policy and the request', async () => {
    const model = scripted(answerJson({ decision: 'approve', reason: 'Routine refactor, covered by tests.' }));
    const { org, decisions, decided } = start({ model });
    const outcome = await org.submit(risky);
    expect(outcome).toMatchObject({ status: 'completed', result: 'done by backend_dev_1' });
    expect(outcome.approvals[0]).toMatchObject({
      status: 'approved',
      requester: 'backend_dev_1',
      decisions: [{ by: 'api_specialist', decision: 'approved', note: 'Routine refactor, covered by tests.' }],
    });
    expect(decided.at(-1)?.decisions[0]?.note).toBe('Routine refactor, covered by tests.');
    expect(decisions).toEqual([{ approvalId: outcome.approvals[0]!.id, taskId: 'job', agent: 'api_specialist', decision: 'approve', reason: 'Routine refactor, covered by tests.' }]);
    const prompt = promptText(model.doGenerateCalls[0]!);
    expect(prompt).toContain('You are api_specialist (specialist, level 2)');
    expect(prompt).toContain(POLICY);
    expect(prompt).toContain('backend_dev_1 (worker) wants to execute task job of type "python"');
    expect(prompt).toContain('Why approval is needed: It touches billing.');
    expect(prompt).toContain('"change": "refactor billing module"');
  });

  it('rejects with its reason, and the task ends rejected saying why', async () => {
    const model = scripted(answerJson({ decision: 'reject', reason: 'Billing changes need the lead.' }));
    const { org } = start({ model });
    const outcome = await org.submit(risky);
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'rejected', message: expect.stringContaining('api_specialist rejected approval') } });
    expect(outcome.error?.message).toContain('Billing changes need the lead.');
    expect(outcome.approvals[0]?.decisions).toMatchObject([{ by: 'api_specialist', decision: 'rejected', note: 'Billing changes need the lead.' }]);
  });

  it('defers to a person when the model says so (and onDecision hears why)', async () => {
    const model = scripted(answerJson({ decision: 'defer', reason: 'The policy does not cover billing.' }));
    const { org, decisions } = start({ model });
    const outcome = org.submit(risky);
    await flush();
    const [pending] = org.approvals.pending();
    expect(pending).toMatchObject({ status: 'pending', decisions: [] });
    expect(decisions[0]).toMatchObject({ decision: 'defer', reason: 'The policy does not cover billing.' });
    org.approvals.approve(pending!.id, { by: 'backend_lead', comment: 'ok by me' });
    expect((await outcome).status).toBe('completed');
  });
});

describe('llmApprover: a provider that reports no usage', () => {
  const approve = () => unmetered(answerJson({ decision: 'approve', reason: 'Routine refactor, covered by tests.' }));

  it('does not decide for a task with a cost budget (a policy_error saying how to get usage); the request waits for a person', async () => {
    const { org, faults } = start({ model: scripted(approve()) });
    const outcome = org.submit({ ...risky, budget: { cost: 1_000 } });
    await flush();
    expect(faults).toMatchObject([{ code: 'policy_error', message: expect.stringContaining("reported no token usage, so the task's cost budget cannot be counted"), details: { usage: 'missing' } }]);
    const [pending] = org.approvals.pending();
    expect(pending).toMatchObject({ status: 'pending', decisions: [], costBudget: 1_000 });
    org.approvals.approve(pending!.id, { by: 'api_specialist', comment: 'checked by hand' });
    expect(await outcome).toMatchObject({ status: 'completed', budget: { used: { cost: 0 } } });
  });

  it('decides for a task without a budget, or with a cost function that prices the call, as before', async () => {
    const { org } = start({ model: scripted(approve()) });
    expect(await org.submit(risky)).toMatchObject({ status: 'completed' });
    const priced = start({ model: scripted(approve()), cost: () => 7 });
    expect(await priced.org.submit({ ...risky, budget: { cost: 1_000 } })).toMatchObject({ status: 'completed', budget: { used: { cost: 7 } } });
  });
});

describe('llmApprover: an answer that is not a decision never approves', () => {
  it.each([
    ['malformed JSON', answer('Looks fine to me!'), 'is not a decision (malformed)'],
    ['a decision without a reason', answerJson({ decision: 'approve', reason: '  ' }), 'decided "approve" without a reason'],
    ['an unknown decision', answerJson({ decision: 'maybe', reason: 'unsure' }), 'is not a decision (invalid)'],
  ])('%s: reported as a policy_error fault; the request waits for a person', async (_case, turn, message) => {
    const { org, faults } = start({ model: scripted(turn) });
    const outcome = org.submit(risky);
    await flush();
    expect(faults).toHaveLength(1);
    expect(faults[0]).toMatchObject({ code: 'policy_error', message: expect.stringContaining(message) });
    expect(faults[0]!.message).toMatch(/^llmApprover at api_specialist, deciding approval \S+ for "python" \(job\)/);
    const [pending] = org.approvals.pending();
    expect(pending).toMatchObject({ status: 'pending', decisions: [] });
    org.approvals.reject(pending!.id, { by: 'api_specialist', reason: 'decided by hand' });
    expect((await outcome).status).toBe('rejected');
  });

  it('without allowDefer the model must decide: defer is not an answer', async () => {
    const model = scripted(answerJson({ decision: 'defer', reason: 'not sure' }));
    const { org, faults } = start({ model, allowDefer: false });
    void org.submit(risky);
    await flush();
    expect(faults[0]).toMatchObject({ code: 'policy_error', message: expect.stringContaining('(invalid)') });
    expect(promptText(model.doGenerateCalls[0]!)).toContain('"enum":["approve","reject"]');
  });

  it('refuses to be built without a model or a policy', () => {
    expect(() => llmApprover({ policy: POLICY } as never)).toThrow(EchelonError);
    expect(() => llmApprover({ model: scripted(), policy: ' ' })).toThrow(/needs a policy/);
  });
});
