import { afterEach, describe, expect, it, vi } from 'vitest';
import { type Scenario } from '../../src/index.js';
import { runScenario } from '../../src/scenario/index.js';

const saved = process.env.OPENAI_API_KEY;
afterEach(() => {
  vi.restoreAllMocks();
  if (saved === undefined) delete process.env.OPENAI_API_KEY;
  else process.env.OPENAI_API_KEY = saved;
});

describe('examples/llm-team.ts', () => {
  it('runs offline without a provider: explains what to set, then the team works through scripted models', async () => {
    delete process.env.OPENAI_API_KEY;
    const lines: string[] = [];
    const { default: scenario } = (await import('../../examples/llm-team.js')) as { default: Scenario };
    await runScenario(scenario, { log: (line) => void lines.push(...line.split('\n')) });
    const output = lines.join('\n');
    expect(output).toContain('No OPENAI_API_KEY set: running with scripted mock models (offline).');
    expect(output).toContain('set OPENAI_API_KEY, and OPENAI_BASE_URL / OPENAI_MODEL');
    const outcomes = lines.filter((line) => /^ {2}[✓✗] /.test(line)).map((line) => line.replace(/apv_\S+/, 'apv'));
    expect(outcomes.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      '  ✓ signup-form completed by frontend_dev_1',
      '  ✓ auth-api completed by api_specialist',
      '  ✓ password-reset completed, split by cto',
      '  ✓ billing-refactor completed by backend_dev_1',
      '  ✗ purge-customers rejected',
      '  ✓ deploy-auth completed by backend_dev_1',
      '  ✓ drop-users completed by backend_lead',
    ]);
    expect(output).toContain('↑ db_specialist escalates to backend_lead (policy_decision)');
    expect(output).toContain("api_specialist's model: defer — Production deployments go to a person.");
    // The working models stream (the example listens to progress): each turn under its agent and place in the tree.
    expect(output).toContain('💬 backend_lead › password-reset › password-reset.backend: backend_lead: done — password reset.');
    expect(output).toContain('💬 backend_dev_1 › deploy-auth calls requestApproval({"reason":"Production deployment."})');
  });
});
