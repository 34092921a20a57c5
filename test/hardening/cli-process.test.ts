/**
 * The `echelon` program as a shell runs it: what it prints reaches a pipe whole, and a scenario's
 * own copy of echelon (a TypeScript file is loaded through tsx, which gives it one) fails with
 * echelon's one-line errors and codes.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { hierarchyToMermaid } from '../../src/diagram/index.js';
import { hierarchyFromList } from '../../src/index.js';
import { agents } from '../fixtures/deep-organisation.js';

const run = promisify(execFile);
/** Runs `echelon args…` (from the sources) with its output into a shell's pipe (`| cat`): Node's own child pipes are sockets, which hide what a pipe shows. */
const echelon = (args: readonly string[], { piped = true, env = {} }: { piped?: boolean; env?: NodeJS.ProcessEnv } = {}) =>
  run('/bin/sh', ['-c', `node node_modules/tsx/dist/cli.mjs src/cli/index.ts "$@"${piped ? ' | cat' : ''}`, 'echelon', ...args], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (thrown: { code: number; stdout: string; stderr: string }) => ({ code: thrown.code, stdout: thrown.stdout, stderr: thrown.stderr }),
  );

describe('the echelon program', () => {
  it('writes all of a long output into a pipe before it exits (past the pipe’s 64 KiB)', async () => {
    const expected = hierarchyToMermaid(hierarchyFromList(agents));
    expect(expected.length).toBeGreaterThan(128 * 1024);
    const { code, stdout } = await echelon(['diagram', 'test/fixtures/deep-organisation.ts', '--hierarchy']);
    expect(code).toBe(0);
    expect(stdout.length).toBe(expected.length + 1);
    expect(stdout).toBe(`${expected}\n`);
  });

  it('a TypeScript scenario refused by its own copy of echelon fails with that refusal, in one line with its code', async () => {
    const refused = (refuse: string) => echelon(['run', 'test/fixtures/refused-by-its-echelon.ts'], { piped: false, env: { REFUSE: refuse } });
    const task = await refused('task');
    expect(task).toMatchObject({ code: 1, stderr: 'echelon: A task needs a type (the capability it asks for), got 42. [invalid_task]\n' });
    const option = await refused('option');
    expect(option).toMatchObject({ code: 1, stderr: expect.stringMatching(/^echelon: createOrchestrator: unknown option "colour" \(the options are [^\n]*\)\. \[invalid_option\]\n$/) });
    const shape = await refused('shape');
    expect(shape).toMatchObject({ code: 1, stderr: expect.stringMatching(/^echelon: [^\n]*It has "organization" — did you mean "organisation"\? \[invalid_scenario\]\n$/) });
  });

  it('refuses an --auto pace longer than a timer can wait (Node would warn and step every millisecond), before loading anything', async () => {
    for (const command of ['step', 'view', 'replay']) {
      await expect(main([command, 'test/fixtures/no-such-file.ts', '--auto', '99999999999'])).rejects.toMatchObject({
        code: 'invalid_option',
        message: expect.stringContaining('--auto needs a whole number from 0 to 2147483647 (ms), got "99999999999"'),
      });
    }
    await expect(main(['step', 'test/fixtures/no-such-file.ts', '--auto', '2147483647'])).rejects.toMatchObject({ code: 'invalid_scenario' }); // the longest is taken: the file is looked for
  });
});
