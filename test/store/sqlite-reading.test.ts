/**
 * Reading a SQLite store — `sqliteStore(file, { readOnly: true })`, `echelon replay`, a fork's
 * source — leaves the user's files as they are: the file's bytes and the folder's names, with no
 * `-wal` or `-shm` made beside it (SQLite's reader made both, and left them), while a store an
 * organisation is running on is still read as of its last write.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { createOrchestrator, developmentTeam } from '../../src/index.js';
import { SNAPSHOT_FORMAT } from '../../src/runtime/durability/index.js';
import { sqliteStore } from '../../src/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-reading-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = { out: () => undefined, input: process.stdin };

/** A closed store in its own folder (a name with a space and a letter outside ASCII), with a finished task "done". */
async function stored(name: string): Promise<{ folder: string; file: string }> {
  const folder = join(dir, name);
  mkdirSync(folder);
  const file = join(folder, 'run ü.db');
  const store = sqliteStore(file);
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
  await org.submit({ id: 'done', type: 'python' });
  await org.stop();
  store.close();
  rmSync(`${file}-lock`);
  return { folder, file };
}

const state = (folder: string, file: string) => ({ sha: createHash('sha256').update(readFileSync(file)).digest('hex'), files: readdirSync(folder).sort() });

describe('reading a SQLite store', () => {
  let closed: { folder: string; file: string };
  beforeAll(async () => {
    closed = await stored('closed');
  });

  it('readOnly reads a closed store and leaves its folder as it was: no -wal or -shm beside it (SQLite made both)', () => {
    const before = state(closed.folder, closed.file);
    expect(before.files).toEqual(['run ü.db']);
    const store = sqliteStore(closed.file, { readOnly: true });
    expect([store.outcome('done')?.status, store.journal().length > 0, store.header()?.sessions]).toEqual(['completed', true, 1]);
    store.close();
    expect(state(closed.folder, closed.file)).toEqual(before);
  });

  it('echelon replay and echelon fork leave the file they read as it was', async () => {
    const { folder, file } = await stored('cli');
    const before = state(folder, file);
    expect(before.files).toEqual(['run ü.db']);
    await expect(main(['replay', file, '--steps', '3'], quiet)).resolves.toBe(0);
    expect(state(folder, file)).toEqual(before);
    const target = join(dir, 'fork.db');
    await expect(main(['fork', file, target], quiet)).resolves.toBe(0);
    expect(state(folder, file)).toEqual(before);
    const fork = sqliteStore(target, { readOnly: true });
    expect(fork.outcome('done')?.status).toBe('completed');
    fork.close();
  });

  it('a store an organisation is running on is read through SQLite, as of its last write', async () => {
    const { file } = await stored('live');
    const writer = sqliteStore(file);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: writer, resume: true });
    await org.submit({ id: 'later', type: 'python' });
    await org.flush();
    // The write is in the writer's -wal, not yet in the file: a copy of the file alone would miss it.
    const reader = sqliteStore(file, { readOnly: true });
    expect([reader.outcome('done')?.status, reader.outcome('later')?.status]).toEqual(['completed', 'completed']);
    reader.close();
    await org.stop();
    writer.close();
  });

  it('echelon replay refuses a store of another snapshot format, naming the format found and the one it reads, as a resume does (it was replayed as it was)', async () => {
    for (const format of [SNAPSHOT_FORMAT - 1, SNAPSHOT_FORMAT + 1]) {
      const { folder, file } = await stored(`format-${format}`);
      const db = new Database(file);
      db.prepare("UPDATE meta SET value = json_set(value, '$.snapshotFormat', ?) WHERE key = 'header'").run(format);
      db.close();
      const before = state(folder, file);
      const refusal = { code: 'store_version_unsupported', message: expect.stringContaining(`snapshots of format ${format}; this version of echelon reads format ${SNAPSHOT_FORMAT}. Replay it`) };
      await expect(main(['replay', file, '--steps', '1'], quiet)).rejects.toMatchObject(refusal);
      await expect(main(['replay', file, '--view', '--port', '0'], quiet)).rejects.toMatchObject(refusal);
      expect(state(folder, file)).toEqual(before);
      const store = sqliteStore(file);
      expect(() => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store, resume: true })).toThrow(
        expect.objectContaining({ code: 'store_version_unsupported', message: expect.stringContaining(`format ${format}; this version of echelon reads format ${SNAPSHOT_FORMAT}. Resume it`) }),
      );
      store.close();
    }
  });

  it('a store another program holds locked (exclusive locking mode) is store_locked, to read or to run: it was store_corrupt, "restore it from a backup"', async () => {
    const { file } = await stored('locked');
    const other = new Database(file);
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec("BEGIN EXCLUSIVE; INSERT INTO meta (key, value) VALUES ('other', 'program'); COMMIT");
    const locked = { code: 'store_locked', message: expect.stringContaining('is locked by another connection to it (SQLite: database is locked)') };
    try {
      // SQLite waits for the lock (better-sqlite3's five seconds), then gives up.
      expect(() => sqliteStore(file, { readOnly: true })).toThrow(expect.objectContaining(locked));
      expect(() => sqliteStore(file)).toThrow(expect.objectContaining(locked));
    } finally {
      other.close();
    }
    const store = sqliteStore(file, { readOnly: true });
    expect(store.outcome('done')?.status).toBe('completed');
    store.close();
  }, 30_000);
});
