/**
 * Results come back as executors returned them — never frozen — whether the task ran whole or
 * was split into subtasks and merged.
 */
import { describe, expect, it } from 'vitest';
import { developmentTeam, fullStackFeature } from '../../src/index.js';
import { orchestrators } from '../support/helpers.js';

const start = orchestrators({
  hierarchy: developmentTeam(),
  executors: async (task, { agent }) => ({ by: agent.id, files: [`${task.type}.txt`] }),
  decomposers: { byType: { full_stack_feature: fullStackFeature() } },
});

describe('results', () => {
  it('of a split task are merged from its parts’ results, none of them frozen, like a plain result', async () => {
    const org = start();
    const plain = await org.submit<{ by: string; files: string[] }>({ type: 'python' });
    const split = await org.submit<Record<string, { by: string; files: string[] }>>({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'login' } });
    expect(split.status).toBe('completed');
    for (const result of [plain.result!, split.result!, ...Object.values(split.result!), split.result!.backend!.files, ...split.subtasks!.map((part) => part.result)]) {
      expect(Object.isFrozen(result)).toBe(false);
    }
    split.result!.backend!.files.push('more.txt'); // the caller's to change, as a plain result is
    expect(split.result!.backend!.files).toHaveLength(2);
  });
});
