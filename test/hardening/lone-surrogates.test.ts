/**
 * Half of a UTF-16 surrogate pair on its own (what cutting a string inside an emoji leaves) has no
 * encoding: SQLite kept U+FFFD in its place, so a task submitted as "a\ud800b" came back from the
 * journal as "a\ufffd\ufffd\ufffdb" — another id, which the live view, replay and a person's query no
 * longer matched. Ids, types, capabilities and subtask keys refuse one at the door now; a whole pair
 * (an emoji) is text like any other, and reads back as it went in. So are ids "." and "..", which
 * no URL path carries (the live view's page could not open such a task).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, decomposeWith, defineHierarchy, developmentTeam, hierarchyFromList } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { errorOf, orchestrators, rejectionOf } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async () => 'done' });
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a lone surrogate', () => {
  it.each([
    ['a task id', { id: 'deploy-\ud83d', type: 'python' }, 'A task id'],
    ['a task id, a low half first', { id: '\ude00-deploy', type: 'python' }, 'A task id'],
    ['a task type', { type: 'pyth\udbffon' }, 'A task type'],
  ])('in %s is refused with invalid_task, and the organisation goes on', async (_case, task, what) => {
    const org = start();
    const error = await rejectionOf(org.submit(task));
    expect(error).toMatchObject({ code: 'invalid_task', message: expect.stringContaining(`${what} may not hold a lone surrogate`) });
    expect(org.status().activeTasks).toBe(0);
    expect(await org.submit({ type: 'python' })).toMatchObject({ status: 'completed' });
  });

  it('in an agent id or a capability is refused with invalid_spec, nested or flat', () => {
    expect(errorOf(() => defineHierarchy({ id: 'boss\ud800', role: 'executive' }))).toMatchObject({ code: 'invalid_spec', message: expect.stringContaining('which holds a lone surrogate') });
    expect(errorOf(() => hierarchyFromList([{ id: 'boss', role: 'executive', capabilities: ['plan\udc00'] }]))).toMatchObject({
      code: 'invalid_spec',
      message: expect.stringContaining('without control characters or lone surrogates'),
    });
  });

  it('in a subtask type or key fails the split task with decomposer_error', async () => {
    const org = start({
      decomposers: {
        byType: {
          typed: decomposeWith('typed', () => [{ type: 'pyth\ud800on' }]),
          keyed: decomposeWith('keyed', () => [{ key: 'part\udfff', type: 'python' }]),
        },
      },
    });
    expect(await org.submit({ type: 'typed' })).toMatchObject({ status: 'failed', error: { code: 'decomposer_error', message: expect.stringContaining('which holds a lone surrogate') } });
    expect(await org.submit({ type: 'keyed' })).toMatchObject({ status: 'failed', error: { code: 'decomposer_error', message: expect.stringContaining('or a lone surrogate') } });
  });

  it('is no whole pair: an emoji in an id reads back from SQLite as it went in, in the outcome and the journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echelon-surrogates-'));
    dirs.push(dir);
    const id = 'ship-🚀';
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: sqliteStore(join(dir, 'org.db')) });
    try {
      expect(await org.submit({ id, type: 'python' })).toMatchObject({ taskId: id, status: 'completed' });
      await org.drain();
      const ids = new Set(org.journal({ taskId: id }).map((entry) => entry.taskId));
      expect([...ids]).toEqual([id]);
    } finally {
      await org.stop();
    }
  });
});

describe('"." and ".." as ids', () => {
  it('are refused: no URL path can carry them (the live view\'s, Restate\'s ingress)', async () => {
    const org = start();
    for (const id of ['.', '..']) {
      expect(await rejectionOf(org.submit({ id, type: 'python' }))).toMatchObject({ code: 'invalid_task', message: expect.stringContaining(`A task id may not be "${id}": a URL path`) });
      expect(errorOf(() => defineHierarchy({ id, role: 'executive' }))).toMatchObject({ code: 'invalid_spec', message: expect.stringContaining(`has the id "${id}", which an agent may not have`) });
    }
    // Dots elsewhere are ids like any other.
    expect(await org.submit({ id: '...', type: 'python' })).toMatchObject({ taskId: '...', status: 'completed' });
    expect(await org.submit({ id: 'v1.2', type: 'python' })).toMatchObject({ status: 'completed' });
  });
});
