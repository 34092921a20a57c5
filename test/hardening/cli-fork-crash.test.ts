/**
 * `echelon fork` killed half-way (SIGKILL, as a crash) leaves no half-written target: the fork is
 * written under a name of its own beside the target and takes the target's name once whole, so
 * the same command run again forks, instead of refusing a file a resume would refuse too.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';

const run = promisify(execFile);
const KILL_ON_WRITE = resolve('test/fixtures/kill-on-write.cjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'echelon-fork-crash-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `echelon fork from to`, the process killed at its first write into a file whose path holds `killAt` (none: not killed). */
const fork = (from: string, to: string, killAt?: string) =>
  run('node', ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'fork', from, to], {
    env: { ...process.env, ...(killAt === undefined ? {} : { NODE_OPTIONS: `--require ${KILL_ON_WRITE}`, ECHELON_KILL_WRITING: killAt }) },
  }).then(
    ({ stdout }) => ({ killed: false, stdout }),
    // tsx runs the CLI in a child process and exits as it did: 128 + 9 for SIGKILL.
    (failed: { code?: number; signal?: NodeJS.Signals | null; stdout: string }) => ({ killed: failed.signal === 'SIGKILL' || failed.code === 137, stdout: failed.stdout }),
  );

describe('echelon fork, killed while it writes', () => {
  it('leaves no target behind, and the same fork run again succeeds', async () => {
    const from = join(dir, 'run.db');
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: sqliteStore(from) });
    for (const type of ['python', 'css', 'api_design']) await org.submit({ type });
    await org.stop();
    const to = join(dir, 'what-if.db');

    expect((await fork(from, to, 'what-if.db')).killed).toBe(true);
    expect(existsSync(to)).toBe(false);

    const again = await fork(from, to);
    expect(again).toMatchObject({ killed: false, stdout: expect.stringMatching(/^forked .*run\.db after entry #\d+ into .*what-if\.db\n/) });
    const resumed = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store: sqliteStore(to), resume: true });
    expect(resumed.journal().filter((entry) => entry.type === 'task.submitted')).toHaveLength(3);
    await resumed.stop();
    // The name the fork was written under is gone with this run's fork; the killed one's stays, hidden.
    expect(readdirSync(dir).filter((name) => name.includes('forking')).length).toBe(1);
  }, 60_000);
});
