/**
 * A SQLite file whose rows are not what the store wrote — a journal line or a header that is no
 * JSON, a header without the agents, a table changed under it — is refused with `store_corrupt`
 * (so `echelon replay` and `echelon fork` print one line), not a SyntaxError, a TypeError or
 * SQLite's "no such column" with their stacks; the file is left as it was.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { createOrchestrator, developmentTeam } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { APPLICATION_ID, inspect, type Database as SchemaDatabase } from '../../src/store/sqlite/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-damaged-'));
const base = join(dir, 'base.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  const store = sqliteStore(base);
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
  await org.submit({ id: 'done', type: 'python' });
  await org.stop();
  store.close();
});

/** A copy of the stored run with `sql` run on it. */
function damaged(name: string, sql: string): string {
  const file = join(dir, `${name}.db`);
  copyFileSync(base, file);
  const db = new Database(file);
  db.exec(sql);
  db.close();
  return file;
}

const digest = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const quiet = { out: () => undefined, input: process.stdin };

const cases: Array<[string, string, (store: ReturnType<typeof sqliteStore>) => unknown, RegExp]> = [
  ['a journal line that is no JSON', "UPDATE journal SET data = '{not json' WHERE seq = 2", (store) => store.journal(), /in JSON/],
  ['a header that is no JSON', "UPDATE meta SET value = '{bad' WHERE key = 'header'", (store) => store.header(), /in JSON/],
  ['a header without the agents', `UPDATE meta SET value = '{"snapshotFormat":2}' WHERE key = 'header'`, (store) => store.header(), /its header does not list the agents/],
  ['a header whose agents are a string', `UPDATE meta SET value = '{"snapshotFormat":2,"agents":"cto"}' WHERE key = 'header'`, (store) => store.header(), /its header does not list the agents/],
  ['a header without its snapshot format', `UPDATE meta SET value = json_remove(value, '$.snapshotFormat') WHERE key = 'header'`, (store) => store.header(), /its header does not say the format of its agent snapshots/],
  ['a header whose snapshot format is a string', `UPDATE meta SET value = json_set(value, '$.snapshotFormat', '2') WHERE key = 'header'`, (store) => store.header(), /its header does not say the format of its agent snapshots/],
  ['a task row that is no JSON', "UPDATE tasks SET record = 'x'", (store) => store.outcome('done'), /JSON/],
];

describe('a SQLite store whose rows are not what it wrote', () => {
  for (const [what, sql, read, reason] of cases) {
    it(`refuses ${what} with store_corrupt, in replay and fork too, and leaves the file as it was`, async () => {
      const file = damaged(what.replace(/\W+/g, '-'), sql);
      const before = digest(file);
      const store = sqliteStore(file, { readOnly: true });
      expect(() => read(store)).toThrow(expect.objectContaining({ code: 'store_corrupt', message: expect.stringMatching(reason) }));
      store.close();
      if (!what.startsWith('a task row')) {
        await expect(main(['replay', file, '--steps', '1'], quiet)).rejects.toMatchObject({ code: 'store_corrupt' });
        await expect(main(['fork', file, join(dir, `${what.length}-fork.db`)], quiet)).rejects.toMatchObject({ code: 'store_corrupt' });
      }
      expect(digest(file)).toBe(before);
    });
  }

  it('refuses a journal table without the columns it made (store_corrupt), opened to read or to run', () => {
    const file = damaged('columns', 'DROP TABLE journal; CREATE TABLE journal (seq INTEGER PRIMARY KEY, stuff TEXT)');
    const before = digest(file);
    expect(() => sqliteStore(file, { readOnly: true })).toThrow(expect.objectContaining({ code: 'store_corrupt', message: expect.stringContaining('no column named at') }));
    expect(() => sqliteStore(file)).toThrow(expect.objectContaining({ code: 'store_corrupt' }));
    expect(digest(file)).toBe(before);
  });

  it('refuses tables without a schema version (store_corrupt), opened to read or to run: it told readers to open it to run, which failed with "table meta already exists"', () => {
    const file = damaged('no-version', 'PRAGMA user_version = 0');
    const before = digest(file);
    expect(() => sqliteStore(file, { readOnly: true })).toThrow(expect.objectContaining({ code: 'store_corrupt', message: expect.stringContaining('no schema version') }));
    expect(() => sqliteStore(file)).toThrow(expect.objectContaining({ code: 'store_corrupt', message: expect.stringContaining('no schema version') }));
    expect(digest(file)).toBe(before);
  });

  it("says what SQLite's check found on one line, without its banner (a damaged page printed four lines, the first '*** in database main ***')", () => {
    // What PRAGMA quick_check answered for a file with 64 bytes overwritten in a page of its journal.
    const report = ['*** in database main ***\nTree 14 page 1001 cell 42: invalid page number 2035185713', 'Tree 14 page 1001 cell 41: Rowid 15092 out of order', 'Multiple uses for byte 233 of page 1001', 'Fragmentation of 12 bytes reported as 0 on page 1001'];
    const answers: Record<string, unknown[]> = {
      "SELECT name FROM sqlite_master WHERE type = 'table'": ['meta', 'agents', 'parts', 'tasks', 'escalations', 'approvals', 'journal'],
      'PRAGMA quick_check': report,
    };
    const db: SchemaDatabase = {
      pragma: (source) => (source === 'application_id' ? APPLICATION_ID : 1),
      prepare: (source) => ({ pluck: () => ({ all: () => answers[source]! }) }),
      exec: () => undefined,
      transaction: () => Object.assign(() => undefined, { immediate: () => undefined }),
    };
    expect(() => inspect(db, 'run.db')).toThrow(
      expect.objectContaining({
        code: 'store_corrupt',
        message:
          "run.db cannot be read as an echelon store (SQLite's check of it found: Tree 14 page 1001 cell 42: invalid page number 2035185713; Tree 14 page 1001 cell 41: Rowid 15092 out of order; Multiple uses for byte 233 of page 1001 (and 1 more)). Restore it from a backup or start from another file; this one was left as it is.",
      }),
    );
  });
});
