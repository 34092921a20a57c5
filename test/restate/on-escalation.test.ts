/**
 * `onEscalation` on Restate runs inside a journaled step of its task's case, which takes no other
 * message meanwhile. One that never answered left the case waiting for ever — a person's
 * `escalations.resolve` waited behind it, and the task never ended — and one that answered what
 * the journal cannot keep (a BigInt, over 8 MiB) failed the step, asked again for ever. Now the
 * wait is bounded by `decisions.timeoutMs`, such an answer is not taken, and the escalation waits
 * for a person, who can resolve it.
 */
import './quiet.js';
import { describe, expect, it } from 'vitest';
import { defineHierarchy, type Escalation } from '../../src/index.js';
import { restateOrg } from './support.js';
import type { RestateOrchestrator } from '../../src/restate/index.js';

/** The submitted task an escalation is about (the one that reaches a person is about a derived task, `<id>!esc_…`). */
const submitted = (escalation: Escalation) => escalation.taskId.split('!')[0]!;

/** The escalation of submitted task `taskId` that waits for a person, once it is active (reads across keys are polled: README). */
async function activeOf(org: RestateOrchestrator, taskId: string): Promise<Escalation> {
  for (;;) {
    const found = (await org.escalations.active()).find((escalation) => submitted(escalation) === taskId && escalation.to === 'human');
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('echelon/restate: onEscalation that never answers, or answers what the journal cannot keep', () => {
  it('leaves the escalation to a person, who resolves it', async () => {
    const answers: Record<string, () => unknown> = {
      hangs: () => new Promise(() => undefined),
      bigint: () => ({ result: { size: 10n } }),
      huge: () => ({ result: 'x'.repeat(9 * 1024 * 1024) }),
    };
    const asked: string[] = [];
    const org = await restateOrg({
      hierarchy: defineHierarchy({ id: 'cto', role: 'executive', children: [{ id: 'dev', role: 'worker', capabilities: ['code'] }] }),
      executors: async () => {
        throw new Error('broken');
      },
      decisions: { timeoutMs: 300 },
      onEscalation: (escalation) => {
        asked.push(submitted(escalation));
        return answers[submitted(escalation)]!() as never;
      },
    });
    for (const id of Object.keys(answers)) {
      // submit settles with the outcome: it waits for the person.
      const outcome = org.submit({ id, type: 'code' });
      const escalation = await activeOf(org, id);
      await org.escalations.resolve(escalation.id, { fail: `${id}: fixed by hand`, by: 'alice' });
      expect(await outcome).toMatchObject({ status: 'failed', error: { message: expect.stringContaining(`${id}: fixed by hand`) } });
    }
    // Each asked once: no step failed and was asked again.
    expect(asked).toEqual(['hangs', 'bigint', 'huge']);
  }, 60_000);
});
