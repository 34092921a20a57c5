/**
 * `echelon run … | head -1`: once the reader is gone the CLI stops the organisation it runs (and
 * closes the store it reads) before it exits — with 0, at once, and without a word on stderr.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';

const run = promisify(execFile);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'echelon-closed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `echelon args… | head -1` in a shell (a real pipe), with the CLI's own exit code and stderr. */
async function headOne(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const script = 'node node_modules/tsx/dist/cli.mjs src/cli/index.ts "$@" 2>"$ERR" | head -1; echo "${PIPESTATUS[0]}" >"$CODE"';
  const files = { ERR: join(dir, 'stderr'), CODE: join(dir, 'code') };
  const { stdout } = await run('/bin/bash', ['-c', script, 'echelon', ...args], { env: { ...process.env, ...files, ...env } });
  return { first: stdout, code: Number(readFileSync(files.CODE, 'utf8')), stderr: readFileSync(files.ERR, 'utf8') };
}

describe('the CLI whose output closes', () => {
  it('run stops the organisation before it exits (before: process.exit at the EPIPE, with 200 tasks in flight)', async () => {
    const mark = join(dir, 'stopped');
    const result = await headOne(['run', 'test/fixtures/stop-marker-scenario.ts'], { ECHELON_STOP_MARK: mark });
    expect(result).toEqual({ first: expect.stringMatching(/^scenario test\/fixtures\/stop-marker-scenario\.ts: /), code: 0, stderr: '' });
    // The scenario's tasks were failed by org.stop() (orchestrator_stopped), which wrote the mark.
    expect(existsSync(mark) ? readFileSync(mark, 'utf8') : 'not stopped').toBe('stopped\n');
  }, 60_000);

  it('step, its executors never settling, stops the organisation too', async () => {
    const mark = join(dir, 'stopped');
    const result = await headOne(['step', 'test/fixtures/stop-marker-scenario.ts', '--steps', '100000'], { ECHELON_STOP_MARK: mark, HANG: '1' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(mark) ? readFileSync(mark, 'utf8') : 'not stopped').toBe('stopped\n');
  }, 60_000);

  it('view stops its organisation and its server too (before these stops: process.exit; then: 5 s later, still running)', async () => {
    const mark = join(dir, 'stopped');
    const result = await headOne(['view', 'test/fixtures/stop-marker-scenario.ts', '--port', '0', '--auto', '0'], { ECHELON_STOP_MARK: mark });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(mark) ? readFileSync(mark, 'utf8') : 'not stopped').toBe('stopped\n');
  }, 60_000);

  it('replay --steps stops reading the journal at the failed write (before: it formatted every entry for nobody)', async () => {
    const file = join(dir, 'run.db');
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done`, store: sqliteStore(file) });
    await Promise.all(Array.from({ length: 300 }, (_, index) => org.submit({ type: ['python', 'css', 'sql', 'react'][index % 4]! })));
    await org.flush();
    await org.stop();
    // Counts what the CLI writes once stdout is no longer writable (tsx's own process counts too: the most is the CLI's).
    const counter = join(dir, 'count-writes.cjs');
    const counts = join(dir, 'writes-after');
    writeFileSync(
      counter,
      `const write = process.stdout.write.bind(process.stdout); let after = 0;
process.stdout.write = (chunk, ...rest) => { if (!process.stdout.writable && String(chunk) !== '') after++; return write(chunk, ...rest); };
process.on('exit', () => require('node:fs').appendFileSync(${JSON.stringify(counts)}, after + '\\n'));\n`,
    );
    const result = await headOne(['replay', file, '--steps', '1000000'], { NODE_OPTIONS: `--require ${counter}` });
    expect(result).toEqual({ first: expect.stringMatching(/^replay \S+run\.db: \d+ journal entries, 1 session\(s\)\n$/), code: 0, stderr: '' });
    expect(Math.max(...readFileSync(counts, 'utf8').trim().split('\n').map(Number))).toBe(0);
  }, 60_000);

  it('fails in one line when the output cannot be written (> /dev/full; before: a stack from the stdout error, or 0 and nothing)', async () => {
    const intoFullDisk = (args: readonly string[]) =>
      run('/bin/sh', ['-c', 'node node_modules/tsx/dist/cli.mjs src/cli/index.ts "$@" >/dev/full', 'echelon', ...args]).then(
        ({ stderr }) => ({ code: 0, stderr }),
        (thrown: { code: number; stderr: string }) => ({ code: thrown.code, stderr: thrown.stderr }),
      );
    const said = 'echelon: Could not write the output: ENOSPC: no space left on device, write.\n';
    expect(await intoFullDisk(['run', 'test/fixtures/stop-marker-scenario.ts'])).toEqual({ code: 1, stderr: said });
    expect(await intoFullDisk(['--help'])).toEqual({ code: 1, stderr: said });
    // check's 2: it could not check (its 1 says the organisation has errors).
    expect(await intoFullDisk(['check', 'examples/bottleneck.ts'])).toEqual({ code: 2, stderr: said });
  }, 60_000);
});
