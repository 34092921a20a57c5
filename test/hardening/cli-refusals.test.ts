/**
 * What the CLI says when a user's file or choice fails it: one line with a code, never a stack —
 * a scenario whose run() throws, a file that does not compile, a port in use, a host that is no
 * address of this machine — and nothing left running behind the refusal.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { createOrchestrator, developmentTeam, type Orchestrator } from '../../src/index.js';
import { serveLiveView, serveReplay } from '../../src/inspect/index.js';
import { createStepper } from '../../src/scenario/index.js';
import { loadScenario } from '../../src/cli/load.js';

let dir: string;
beforeAll(() => void (dir = mkdtempSync(join(tmpdir(), 'echelon-refusals-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A scenario file whose run() does `body` after one task. */
function scenarioFile(name: string, body: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    `import { createOrchestrator, developmentTeam } from '${resolve('src/index.ts')}';\nimport { defineScenario } from '${resolve('src/scenario/index.ts')}';\n` +
      `export default defineScenario({ description: '${name}', organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, ...host }), run: async (org) => { await org.submit({ type: 'css' }); ${body} } });\n`,
  );
  return file;
}

const refusal = (args: string[]) =>
  main(args, { out: () => {}, input: new PassThrough() as unknown as NodeJS.ReadStream }).then(
    (code) => ({ code: `exit ${code}`, message: '' }),
    (error: { code?: string; message?: string }) => ({ code: error.code, message: error.message ?? String(error) }),
  );

/** A port something else listens on. */
async function taken(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((closed) => server.close(() => closed())) };
}

describe('the CLI refusing what a user gave it', () => {
  it("says what a scenario's run() threw in one line, with invalid_scenario (before: its stack, through tsx a data: URL as long as the file)", async () => {
    const thrown = scenarioFile('throws-error.mjs', "throw new TypeError('run exploded\\n  on two lines');");
    for (const args of [['run', thrown], ['step', thrown, '--steps', '100']]) {
      expect(await refusal(args)).toEqual({
        code: 'invalid_scenario',
        message: `The scenario's run() threw: TypeError: run exploded on two lines. Run ${thrown} on its own (node or npx tsx) to see where.`,
      });
    }
    // A thrown string (before: printed bare, without echelon's prefix or a code).
    expect(await refusal(['run', scenarioFile('throws-string.mjs', "throw 'boom';")])).toMatchObject({ code: 'invalid_scenario', message: expect.stringMatching(/^The scenario's run\(\) threw: boom\. /) });
    // echelon's own refusals, from the scenario's calls, stay as they are.
    expect(await refusal(['run', scenarioFile('refused.mjs', 'await org.submit({ type: 42 });')])).toMatchObject({ code: 'invalid_task' });
  });

  it('says a default export that is a promise is one (before: "a scenario needs a description", of a promise)', async () => {
    const file = join(dir, 'promised.mjs');
    writeFileSync(file, `import { defineScenario } from '${resolve('src/scenario/index.ts')}';\nexport default (async () => defineScenario({ description: 'later', organisation: () => undefined, run: () => {} }))();\n`);
    expect(await refusal(['run', file])).toMatchObject({
      code: 'invalid_scenario',
      message: expect.stringContaining('does not export a scenario as its default export: A scenario is an object { description, organisation, run }, got a promise: export the scenario itself'),
    });
  });

  it('says in one line why a file did not compile (before: the compiler’s lines, the refusal cut in two)', async () => {
    const file = join(dir, 'syntax.ts');
    writeFileSync(file, 'export default {{{;\n');
    const { code, message } = await refusal(['run', file]);
    expect(code).toBe('invalid_scenario');
    expect(message).toMatch(/^Scenario file \S+syntax\.ts threw while loading: TransformError: Transform failed with 1 error: \S+syntax\.ts:1:16: ERROR: Expected identifier but found "\{"\. Run it on its own/);
    expect(message).not.toContain('\n');
  });

  it('refuses a port in use and a host that is no address of this machine with invalid_option (before: the listen error with its stack)', async () => {
    const other = await taken();
    try {
      expect(await refusal(['view', 'test/fixtures/needs-approval.ts', '--port', String(other.port)])).toEqual({
        code: 'invalid_option',
        message: `serveLiveView: port ${other.port} is in use on 127.0.0.1; listen on another (or 0, a free one).`,
      });
      await expect(serveReplay([], { port: other.port })).rejects.toMatchObject({ code: 'invalid_option', message: `serveReplay: port ${other.port} is in use on 127.0.0.1; listen on another (or 0, a free one).` });
    } finally {
      await other.close();
    }
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1 });
    try {
      await expect(serveLiveView(org, { host: '192.0.2.1', token: 'a-token-of-16-chars-or-more' })).rejects.toMatchObject({ code: 'invalid_option', message: 'serveLiveView: cannot listen on 192.0.2.1 (EADDRNOTAVAIL): it is no address of this machine.' });
    } finally {
      await org.stop();
    }
  });

  it('stops the organisation when the stepper cannot prepare it (a live view that could not listen): nothing runs on', async () => {
    const scenario = await loadScenario('test/fixtures/needs-approval.ts');
    let built: Orchestrator | undefined;
    await expect(createStepper(scenario, { log: () => {}, prepare: (org) => ((built = org), Promise.reject(new Error('no view'))) })).rejects.toThrow('no view');
    await expect(built!.submit({ type: 'css' })).rejects.toMatchObject({ code: 'orchestrator_stopped' });
  });

  it('fails, saying why, when what it waits for can never come (before: a file whose top-level await never settles ended the process silently with 0)', async () => {
    const file = join(dir, 'waits-forever.mjs');
    writeFileSync(file, 'await new Promise(() => {});\nexport default 1;\n');
    const run = (command: string) =>
      promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', command, file]).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (thrown: { code: number; stdout: string; stderr: string }) => ({ code: thrown.code, stdout: thrown.stdout, stderr: thrown.stderr }),
      );
    const stalled = /^echelon: The command could not finish: it waits for a promise that nothing is left to settle [^\n]*\[scenario_stalled\]\n$/;
    expect(await run('run')).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(stalled) });
    expect(await run('check')).toEqual({ code: 2, stdout: '', stderr: expect.stringMatching(stalled) });
  }, 60_000);
});
