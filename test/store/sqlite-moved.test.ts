/**
 * The SQLite files removed or replaced under a running organisation (rm, mv, a restore over
 * them, the directory removed): SQLite would go on writing to the files it holds open, which
 * nobody finds again, and every submit would resolve. The next write is refused instead, and
 * the organisation stops with `store_write_failed`.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, EchelonError } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';

const root = mkdtempSync(join(tmpdir(), 'echelon-moved-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const changes: Record<string, (dir: string, file: string) => void> = {
  'the database removed': (_, file) => rmSync(file),
  'its -wal removed': (_, file) => rmSync(`${file}-wal`),
  'its -lock removed': (_, file) => rmSync(`${file}-lock`),
  'the database replaced': (_, file) => {
    renameSync(file, `${file}.old`);
    writeFileSync(file, '');
  },
  'its directory removed': (dir) => rmSync(dir, { recursive: true }),
};

describe('the store’s files removed or replaced while an organisation runs', () => {
  for (const [what, change] of Object.entries(changes)) {
    it(`${what}: the next write is refused with store_write_failed and the organisation stops`, async () => {
      const dir = join(root, what.replace(/\W+/g, '-'));
      mkdirSync(dir);
      const file = join(dir, 'org.db');
      const store = sqliteStore(file);
      const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
      try {
        expect((await org.submit({ id: 'before', type: 'python' })).status).toBe('completed');
        change(dir, file);
        const refused = await org.submit({ id: 'after', type: 'python' }).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(EchelonError);
        expect(refused).toMatchObject({ code: 'store_write_failed' });
        expect((refused as Error).message).toMatch(/was (removed|replaced by another file) while the store had it open/);
        if (!org.signal.aborted) await new Promise((stopped) => org.signal.addEventListener('abort', stopped, { once: true }));
        expect(org.signal.reason).toMatchObject({ code: 'store_write_failed' });
      } finally {
        await org.stop();
        store.close();
      }
    });
  }

  it('a file left in place is written as ever', async () => {
    const file = join(root, 'kept.db');
    const store = sqliteStore(file);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
    for (let i = 0; i < 3; i++) expect((await org.submit({ type: 'python' })).status).toBe('completed');
    expect(org.signal.aborted).toBe(false);
    await org.stop();
    store.close();
  });

  it('a store opened by a relative path is written as ever after the process changes its working directory', async () => {
    const dir = join(root, 'relative');
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    const before = process.cwd();
    process.chdir(dir);
    try {
      const store = sqliteStore('org.db');
      // Moved before the organisation starts: its lock is taken beside the file, not in the new directory.
      process.chdir(join(dir, 'elsewhere'));
      const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
      expect((await org.submit({ type: 'python' })).status).toBe('completed');
      process.chdir(dir);
      expect((await org.submit({ type: 'python' })).status).toBe('completed');
      expect(org.signal.aborted).toBe(false);
      const second = sqliteStore(join(dir, 'org.db'));
      expect(() => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: second, resume: true })).toThrow(expect.objectContaining({ code: 'store_locked' }));
      second.close();
      await org.stop();
      store.close();
      expect(existsSync(join(dir, 'elsewhere', 'org.db-lock'))).toBe(false);
    } finally {
      process.chdir(before);
    }
  });
});
