/**
 * A strategy or decomposer is quoted by its name in every message about it (`Decomposer "review"
 * at backend_lead failed: …`). One built by hand without a name — easy from JavaScript — used to
 * be taken, and its failures read `Decomposer "undefined"`. It is refused at the door now, with
 * where it sits and how to make a named one; the organisation and the static check agree.
 */
import { describe, expect, it } from 'vitest';
import { checkOrganisation } from '../../src/check/index.js';
import { createOrchestrator, decomposeWith, delegateWith, developmentTeam, type OrchestratorOptions } from '../../src/index.js';
import { errorOf } from '../support/helpers.js';

const executors = async () => 'done';
const refusal = (options: Record<string, unknown>) => errorOf(() => createOrchestrator({ hierarchy: developmentTeam(), executors, ...options } as OrchestratorOptions));
const split = () => [{ key: 'a', type: 'python' }];

describe('a strategy or decomposer without a name', () => {
  it.each<[string, Record<string, unknown>, string, string]>([
    ['a strategy with no name', { strategy: { select: () => undefined } }, 'strategy', "delegateWith('name', select)"],
    ['a strategy with an empty name', { strategy: { byId: { cto: { name: '', select: () => undefined } } } }, 'strategy.byId.cto', "delegateWith('name', select)"],
    ['a strategy whose name is a number', { strategy: { byRole: { manager: { name: 7, select: () => undefined } } } }, 'strategy.byRole.manager', "delegateWith('name', select)"],
    ['a decomposer by type with no name', { decomposers: { byType: { feature: { decompose: split } } } }, 'decomposers.byType.feature', "decomposeWith('name', decompose)"],
    ['a decomposer for an agent with no name', { decomposers: { byId: { backend_lead: { decompose: split } } } }, 'decomposers.byId.backend_lead', "decomposeWith('name', decompose)"],
  ])('refuses %s with invalid_option, saying where and how to name it', (_case, options, path, how) => {
    const error = refusal(options);
    expect(error.code).toBe('invalid_option');
    expect(error.message).toContain(`${path} must be a`);
    expect(error.message).toContain('with a name its messages can quote');
    expect(error.message).toContain(how);
    // The static check refuses the same design with the same words.
    const checked = errorOf(() => checkOrganisation({ hierarchy: developmentTeam(), executors, ...options } as never));
    expect(checked).toMatchObject({ code: 'invalid_option', message: expect.stringContaining(`${path} must be a`) });
  });

  it('refuses a name over the text bound, and takes a named one built by hand or by the helpers', async () => {
    expect(refusal({ strategy: { name: 'x'.repeat(65_537), select: () => undefined } })).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('strategy.name must be at most 65,536 characters') });
    const org = createOrchestrator({
      hierarchy: developmentTeam(),
      executors,
      strategy: { byId: { cto: { name: 'by hand', select: (_task: unknown, candidates: readonly { id: string; capable: boolean }[]) => candidates.find((c) => c.capable)?.id } }, default: delegateWith('helper', (_task, candidates) => candidates.find((c) => c.capable)?.id) },
      decomposers: { byType: { pair: decomposeWith('pair', () => [{ key: 'a', type: 'python' }, { key: 'b', type: 'python' }]) } },
    });
    try {
      const outcome = await org.submit({ type: 'pair' });
      expect(outcome, JSON.stringify(outcome.error)).toMatchObject({ status: 'completed' });
    } finally {
      await org.stop();
    }
  });
});
