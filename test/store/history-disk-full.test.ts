/**
 * A history whose disk fills while a forget's line is written (ENOSPC half-way through the append):
 * the forget is refused and its half line taken back, so the organisation goes on — its next write
 * is no longer refused as a history "changed by someone else", which stopped the organisation.
 */
import * as fs from 'node:fs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { developmentTeam, keepHistory, memoryStore } from '../../src/index.js';
import { readHistory } from '../../src/store/index.js';
import { orchestrators } from '../support/helpers.js';

/** When set, the next append to a history writes half of what it is given and fails as a full disk does. */
const full = vi.hoisted(() => ({ next: false }));
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return {
    ...real,
    appendFileSync(path: fs.PathOrFileDescriptor, data: string | Uint8Array, options?: fs.WriteFileOptions) {
      if (!full.next || typeof data !== 'string' || data === '') return real.appendFileSync(path, data, options);
      full.next = false;
      real.appendFileSync(path, data.slice(0, Math.floor(data.length / 2)), options);
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'echelon-history-disk-full-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => ({ done: task.id }) });

it("a forget whose line the disk could not take is refused, its half line taken back, and the organisation goes on", async () => {
  const history = join(dir, 'run.jsonl');
  const store = memoryStore();
  const org = start({ store: keepHistory(store, history), resume: true });
  await org.submit({ id: 'a', type: 'python' });
  const before = readFileSync(history, 'utf8');

  full.next = true;
  await expect(org.forget({ settledBefore: Number.MAX_SAFE_INTEGER })).rejects.toMatchObject({ code: 'store_write_failed', message: expect.stringContaining('no space left') });
  expect(readFileSync(history, 'utf8')).toBe(before);
  expect(store.outcome('a')).toBeDefined();

  await expect(org.submit({ id: 'b', type: 'sql' })).resolves.toMatchObject({ status: 'completed' });
  expect((await org.forget({ settledBefore: Number.MAX_SAFE_INTEGER })).tasks).toBe(2);
  await org.stop();
  expect(readHistory(history).flatMap((kept) => kept.forgets ?? [])).toHaveLength(1);
});
