/**
 * A SQLite store this process may not write — a read-only file, or a file in a read-only
 * directory — is refused at the door with `store_read_only`, the file left as it was, and
 * resumes with nothing lost once it is writable again. Permissions mean nothing to root, so
 * as root the store is opened by a child process without root's CAP_DAC_OVERRIDE (through
 * `setpriv`): the permission bits then hold for it as for anyone.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OPENER = join(ROOT, 'test', 'fixtures', 'open-store.ts');
const asRoot = process.getuid?.() === 0;
const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));
/** Dropping capabilities needs setpriv and CAP_SETPCAP (a container run with --cap-drop ALL has neither). */
const canDrop = setpriv !== undefined && spawnSync(setpriv, ['--bounding-set=-dac_override,-dac_read_search', 'true']).status === 0;
/** Windows has no such permissions; root needs setpriv to drop them. */
const unsupported = process.platform === 'win32' || (asRoot && !canDrop);

const dir = mkdtempSync(join(tmpdir(), 'echelon-read-only-'));
chmodSync(dir, 0o755); // the opener, run without root's rights over permissions, must reach the files below
afterAll(() => {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir)) chmodSync(join(dir, entry), 0o755);
  rmSync(dir, { recursive: true, force: true });
});

/** What the opener printed, opening `path` as a user without root's rights. */
function open(path: string, read?: 'read'): { code?: string; message?: string; outcome?: string; pending?: number; read?: string; entries?: number; lock?: string } {
  const node = [process.execPath, '--import', 'tsx', OPENER, path, ...(read === undefined ? [] : [read])];
  // Root keeps its uid (so it still reads a checkout only root may enter, a fresh clone under mktemp -d say) without the capabilities that let it write what it may not.
  const command = asRoot ? [setpriv!, '--bounding-set=-dac_override,-dac_read_search', ...node] : node;
  const run = spawnSync(command[0]!, command.slice(1), { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: tmpdir() } });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

/** A closed echelon file with a finished task "done" and an approval waiting. */
async function stored(path: string) {
  const store = sqliteStore(path);
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
  await org.submit({ id: 'done', type: 'python' });
  void org.submit({ id: 'parked', type: 'python', context: { requiresApproval: true } }).catch(() => undefined);
  await org.flush();
  await org.stop();
  store.close();
  rmSync(`${path}-lock`);
}

/** A folder of `name` anyone may write, holding a closed echelon file `org.db` (see `stored`); its path. */
async function storedIn(name: string): Promise<string> {
  const folder = join(dir, name);
  mkdirSync(folder);
  chmodSync(folder, 0o777);
  await stored(join(folder, 'org.db'));
  return folder;
}

const state = (folder: string, file: string) => ({ sha: createHash('sha256').update(readFileSync(join(folder, file))).digest('hex'), files: readdirSync(folder).sort() });

describe.skipIf(unsupported)('a SQLite store this process may not write', () => {
  it('a read-only file: store_read_only, untouched; once writable, it resumes with nothing lost', async () => {
    const folder = await storedIn('file');
    chmodSync(join(folder, 'org.db'), 0o444);
    const before = state(folder, 'org.db');
    expect(open(join(folder, 'org.db'))).toMatchObject({ code: 'store_read_only', message: expect.stringContaining('the file is read-only for this process') });
    expect(state(folder, 'org.db')).toEqual(before);
    // Opened to read only (echelon replay, a fork's source), it reads, and leaves the file and its folder as they were; nothing can run on it.
    expect(open(join(folder, 'org.db'), 'read')).toEqual({ read: 'completed', entries: expect.any(Number), lock: 'store_read_only' });
    expect(state(folder, 'org.db')).toEqual(before);

    chmodSync(join(folder, 'org.db'), 0o666);
    expect(open(join(folder, 'org.db'))).toEqual({ outcome: 'completed', pending: 1 });
  });

  it('a file in a read-only directory, or a new one there: store_read_only, untouched (was store_corrupt, "restore it from a backup")', async () => {
    const folder = join(dir, 'directory');
    mkdirSync(folder);
    await stored(join(folder, 'org.db'));
    chmodSync(join(folder, 'org.db'), 0o666);
    chmodSync(folder, 0o555);
    const before = state(folder, 'org.db');
    expect(open(join(folder, 'org.db'))).toMatchObject({ code: 'store_read_only', message: expect.stringContaining(`its directory ${folder} is read-only`) });
    expect(open(join(folder, 'new.db'))).toMatchObject({ code: 'store_read_only' });
    // To read only: the file alone is read from a copy, so SQLite needs no -shm in the directory (it was store_read_only, "copy it").
    expect(open(join(folder, 'org.db'), 'read')).toEqual({ read: 'completed', entries: expect.any(Number), lock: 'store_read_only' });
    expect(state(folder, 'org.db')).toEqual(before);
    // With a -wal beside it (what SQLite's reader used to leave), SQLite must read it, through a -shm it may not make there: said so, not corrupt.
    chmodSync(folder, 0o777);
    writeFileSync(join(folder, 'org.db-wal'), '');
    chmodSync(folder, 0o555);
    expect(open(join(folder, 'org.db'), 'read')).toMatchObject({ code: 'store_read_only', message: expect.stringContaining('its directory is read-only') });
    chmodSync(folder, 0o777);
    rmSync(join(folder, 'org.db-wal'));
    expect(state(folder, 'org.db')).toEqual(before);

    chmodSync(folder, 0o777);
    expect(open(join(folder, 'org.db'))).toEqual({ outcome: 'completed', pending: 1 });
  });

  it('a file this process may not read (chmod 000), or a -wal it may not: invalid_option saying so, to run or to read (it was EACCES with its stack, and "read-only" to run)', async () => {
    const folder = await storedIn('unreadable');
    chmodSync(join(folder, 'org.db'), 0o000);
    const before = readdirSync(folder).sort();
    const refused = { code: 'invalid_option', message: `Cannot open ${join(folder, 'org.db')} as a SQLite store: this process may not read it (permission denied). Give it read permission, or choose another file; it was left as it is.` };
    expect(open(join(folder, 'org.db'))).toEqual(refused);
    expect(open(join(folder, 'org.db'), 'read')).toEqual(refused);
    chmodSync(join(folder, 'org.db'), 0o666);
    writeFileSync(join(folder, 'org.db-wal'), '', { mode: 0o000 });
    chmodSync(join(folder, 'org.db-wal'), 0o000);
    expect(open(join(folder, 'org.db'), 'read')).toMatchObject({ code: 'invalid_option', message: expect.stringContaining(`may not read ${join(folder, 'org.db-wal')}`) });
    rmSync(join(folder, 'org.db-wal'));
    expect(readdirSync(folder).sort()).toEqual(before);
    expect(open(join(folder, 'org.db'))).toEqual({ outcome: 'completed', pending: 1 });
  });

  it('a read-only lock file beside a writable one: store_read_only, naming it', async () => {
    const folder = await storedIn('lock');
    chmodSync(join(folder, 'org.db'), 0o666);
    copyFileSync(join(folder, 'org.db'), join(folder, 'org.db-lock')); // any file will do: only its lock counts
    chmodSync(join(folder, 'org.db-lock'), 0o444);
    expect(open(join(folder, 'org.db'))).toMatchObject({ code: 'store_read_only', message: expect.stringContaining('org.db-lock is read-only') });
  });
});
