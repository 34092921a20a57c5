import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_FLAGS, failureCode, main } from '../src/cli/index.js';
import { loadScenario } from '../src/cli/load.js';
import { developmentTeam, EchelonError } from '../src/index.js';
import { AGENT_STATES } from '../src/charts.js';
import { createStepper } from '../src/scenario/index.js';
import { sseFrames } from './support/sse.js';

const run = promisify(execFile);

/** Runs the CLI in this process, collecting its output. */
const cli = async (args: string[], input: NodeJS.ReadStream = new PassThrough() as unknown as NodeJS.ReadStream) => {
  const lines: string[] = [];
  const code = await main(args, { out: (line) => lines.push(...line.split('\n')), input });
  return { code, lines, text: lines.join('\n') };
};

const failure = async (args: string[]) => {
  try {
    await cli(args);
  } catch (error) {
    if (error instanceof EchelonError) return error;
    throw error;
  }
  throw new Error(`echelon ${args.join(' ')} did not fail`);
};

describe('echelon run and step', () => {
  it('run traces a scenario to its end: each receiver, its sender and its states, then the org chart', async () => {
    const { code, lines, text } = await cli(['run', 'examples/dev-team.ts', '--compact']);
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^scenario examples\/dev-team\.ts: The reference development team/);
    expect(text).toMatch(/── start · t=0 ms/);
    expect(text).toMatch(/ {2}cto ← task\.assign api_design task_[\w-]+ \(from outside: the scenario or a person\)\n {6}receiving → evaluatingEscalation → delegating → receiving/);
    expect(text).toMatch(/── step 1 · t=0 ms[^\n]*\n {2}backend_lead ← task\.assign api_design task_[\w-]+ \(from cto\)/);
    expect(text).toMatch(/api_specialist ← echelon\.executed task_[\w-]+ attempt 1 → ok/);
    expect(text).toContain('»   ✓ api_design: completed by api_specialist via cto → backend_lead → api_specialist');
    expect(text).toMatch(/── the scenario is over after \d+ steps/);
    const chartLine = new RegExp(`^ {4}[│├└─ ]*(${developmentTeam().nodes().map((node) => node.id).join('|')}) +(${AGENT_STATES.join('|')})`);
    expect(lines.filter((line) => chartLine.test(line))).toHaveLength(8); // one org chart, at the end (--compact)
    expect(lines.at(-1)).toBe('status: 0 active tasks, 0 pending approvals, 0 active escalations');
  });

  it('step --steps N delivers N messages and prints the org chart with current states after each', async () => {
    const { code, text } = await cli(['step', 'examples/dev-team.ts', '--steps', '3']);
    expect(code).toBe(0);
    expect(text.match(/── step \d+/g)).toEqual(['── step 1', '── step 2', '── step 3']);
    expect(text).toContain('── stopped after 3 steps');
    const chart = text.split('── step 2')[1]!.split('── step 3')[0]!;
    for (const node of developmentTeam().nodes()) expect(chart).toMatch(new RegExp(`${node.id} +(${AGENT_STATES.join('|')})`));
    expect(chart).toMatch(/api_specialist +executing +running 1/);
  });

  it('step waits for input: one message per line, q to quit', async () => {
    const input = new PassThrough();
    const stepping = cli(['step', 'examples/dev-team.ts', '--compact'], input as unknown as NodeJS.ReadStream);
    input.write('\n\nq\n');
    const { code, text } = await stepping;
    expect(code).toBe(0);
    expect(text).toContain('(press a key for the next message; q to quit)');
    expect(text.match(/── step \d+/g)).toEqual(['── step 1', '── step 2']);
    expect(text).toContain('── stopped');
  });

  it('refuses bad input with typed errors', async () => {
    expect((await failure(['frobnicate'])).code).toBe('invalid_option');
    expect((await failure(['step'])).code).toBe('invalid_option');
    expect((await failure(['step', 'examples/dev-team.ts', '--steps', 'many'])).code).toBe('invalid_option');
    expect((await failure(['diagram', '--hierarchy', '--statechart'])).code).toBe('invalid_option');
    expect(await failure(['run', 'examples/no-such-scenario.ts'])).toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('No scenario file') });
    expect(await failure(['run', 'test/fixtures/not-a-scenario.ts'])).toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('organisation(host, context)') });
    expect((await failure(['run', 'test/fixtures/needs-approval.ts'])).code).toBe('scenario_stalled');
    const loading = await failure(['run', 'test/fixtures/throws-on-load.ts']);
    expect(loading).toMatchObject({ code: 'invalid_scenario', message: expect.stringMatching(/^Scenario file \S+throws-on-load\.ts threw while loading: Error: the scenario module exploded at import\. Run it on its own/) });
    expect((await failure(['simulate', 'test/fixtures/throws-on-load.ts'])).code).toBe('invalid_scenario');
    expect((await cli(['--help'])).text).toContain('echelon step <scenario.ts>');
  });

  it('says what a file that is no scenario holds instead: a scenario under a name, or a design (named or the default export)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echelon-misplaced-'));
    try {
      const named = join(dir, 'named.mjs');
      writeFileSync(named, `import { defineScenario } from '${resolve('src/scenario/index.ts')}';\nexport const scenario = defineScenario({ description: 'd', organisation: () => { throw new Error('not built'); }, run: async () => {} });\n`);
      expect(await failure(['run', named])).toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('it exports one as `scenario`: make it the default (export default scenario)') });
      expect(await failure(['run', 'test/fixtures/broken-design.ts'])).toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('it exports a design: check or simulate it with echelon check or echelon simulate') });
      // A design as the default export (which check and simulate take too).
      const byDefault = join(dir, 'default-design.mjs');
      writeFileSync(byDefault, `import { developmentTeam } from '${resolve('src/index.ts')}';\nexport default { organisation: { hierarchy: developmentTeam() } };\n`);
      expect(await failure(['run', byDefault])).toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('it exports a design') });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, before loading anything, a flag the command does not take, a replay server flag without --view and a short --token', async () => {
    // Each of these was ignored (or, for the token, refused only once the scenario's organisation was running).
    const refused = async (args: string[]) => (await failure(args)).message;
    expect(await refused(['run', 'examples/no-such-scenario.ts', '--view'])).toBe('echelon run takes no --view. Run echelon --help for usage.');
    expect(await refused(['diagram', '--json'])).toBe('echelon diagram takes no --json. Run echelon --help for usage.');
    expect(await refused(['check', '--auto', '5', '--port', '80'])).toBe('echelon check takes no --auto, --port. Run echelon --help for usage.');
    expect(await refused(['fork', 'a.db', 'b.db', '--task', 'x'])).toBe('echelon fork takes no --task. Run echelon --help for usage.');
    expect(await refused(['replay', 'no-such.db', '--port', '5000'])).toBe('--port is for the replay page: add --view. Run echelon --help for usage.');
    expect(await refused(['view', 'examples/no-such-scenario.ts', '--host', '0.0.0.0', '--token', 'short'])).toMatch(/^--token needs at least 16 characters/);
    expect(await refused(['replay', 'no-such.db', '--view', '--token', 'short'])).toMatch(/^--token needs at least 16 characters/);
    // node:util's own refusals come out as echelon's, with a code.
    expect(await failure(['check', '--jsn'])).toMatchObject({ code: 'invalid_option', message: "Unknown option '--jsn'. Run echelon --help for usage." });
    // A negative number after a flag is its value, refused by the flag's own rule; other values starting with '-' get one line.
    expect(await failure(['run', 'examples/dev-team.ts', '--steps', '-1'])).toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^--steps needs a whole number ≥ 1, got "-1"/) });
    expect(await failure(['simulate', 'examples/bottleneck.ts', '--seed', '-5'])).toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^--seed needs a whole number ≥ 0, got "-5"/) });
    expect((await failure(['simulate', 'examples/bottleneck.ts', '--seed', '-x'])).message).not.toContain('\n');
    // What each command does take still goes through.
    expect(await cli(['run', 'examples/dev-team.ts', '--steps', '1', '--compact'])).toMatchObject({ code: 0 });
    expect((await cli(['diagram', '--hierarchy', '--help'])).code).toBe(0);
  });

  it("names in each command's usage line exactly the flags that command takes", async () => {
    const usage = (await cli(['--help'])).lines;
    for (const [command, flags] of Object.entries(COMMAND_FLAGS)) {
      const line = usage.find((text) => text.startsWith(`  echelon ${command} `));
      expect(line, command).toBeDefined();
      const named = [...new Set([...(line ?? '').matchAll(/--([a-z-]+)/g)].map((match) => match[1]))];
      expect(named.sort(), command).toEqual([...flags].sort());
    }
  });

  it('prints its version with --version (or -v), as package.json has it, and names the flag in --help', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(await cli(['--version'])).toMatchObject({ code: 0, text: version });
    expect(await cli(['-v'])).toMatchObject({ code: 0, text: version });
    expect((await cli(['--help'])).text).toContain('echelon --version');
  });
});

describe('every example', () => {
  const examples = readdirSync('examples').filter((file) => /\.(ts|js|mjs)$/.test(file));

  it('there is at least the reference scenario', () => {
    expect(examples).toContain('dev-team.ts');
  });

  it.each(examples)('%s is a scenario that steps to its end', async (file) => {
    const scenario = await loadScenario(`examples/${file}`);
    const stepper = await createStepper(scenario, { log: () => {} });
    try {
      let steps = 0;
      while ((await stepper.step()) !== undefined) steps++;
      expect(steps).toBeGreaterThan(0);
      expect(stepper.finished).toBe(true);
      expect(stepper.org.status().activeTasks).toBe(0);
    } finally {
      await stepper.close();
    }
  });
});

describe('echelon diagram', () => {
  it('prints the hierarchy as a Mermaid flowchart', async () => {
    const { text } = await cli(['diagram', '--hierarchy']);
    const team = developmentTeam();
    expect(text.split('\n')[0]).toBe('flowchart TD');
    for (const node of team.nodes()) expect(text).toContain(`"${node.id}<br/><i>${node.role}</i>`);
    expect(text.match(/ --> /g)).toHaveLength(team.size - 1);
  });

  it('prints both diagrams as Markdown, the statechart with every agent state', async () => {
    const { text } = await cli(['diagram']);
    expect(text).toMatch(/^## Hierarchy\n\n```mermaid\nflowchart TD/);
    expect(text).toMatch(/## Agent statechart\n\n```mermaid\nstateDiagram-v2\n {2}\[\*\] --> receiving/);
    for (const state of AGENT_STATES) expect(text).toContain(`state "${state}" as ${state}`);
    expect(text).toContain('receiving --> evaluatingEscalation: [hasReady]');
    expect(text).toContain('executing --> receiving: [restsAt receiving]');
  });

  it('draws a scenario’s own hierarchy', async () => {
    const { text } = await cli(['diagram', 'examples/dev-team.ts', '--hierarchy']);
    expect(text).toContain('"backend_dev_1<br/><i>worker</i>');
  });

  it('draws a design’s hierarchy, as echelon check and simulate read it', async () => {
    const { text } = await cli(['diagram', 'test/fixtures/broken-design.ts', '--hierarchy']);
    expect(text.split('\n')[0]).toBe('flowchart TD');
    expect(text).toContain('"frontend_dev_1<br/><i>worker</i>');
    await expect(cli(['diagram', 'test/fixtures/no-such-design.ts'])).rejects.toMatchObject({ code: 'invalid_scenario' });
  });
});

describe('the CLI as a program', () => {
  // Built into test-results/ (inside the project, so the build finds node_modules) by tsc itself.
  const outDir = 'test-results/cli-build';
  beforeAll(async () => {
    await run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', outDir]);
  }, 120_000);

  it('runs a TypeScript example through tsx’s loader', async () => {
    const { stdout } = await run(process.execPath, [`${outDir}/src/cli/index.js`, 'run', 'examples/dev-team.ts', '--compact']);
    expect(stdout).toMatch(/── the scenario is over after \d+ steps/);
    expect(stdout).toContain('»   ✓ python: completed by backend_dev_1');
  });

  it('runs from the sources too (npx tsx src/cli/index.ts)', async () => {
    const { stdout } = await run(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'step', 'examples/dev-team.ts', '--steps', '1']);
    expect(stdout).toMatch(/── step 1 · t=0 ms[^\n]*\n {2}backend_lead ← task\.assign/);
  });

  it('piped into a reader that stops (| head -1), ends quietly with 0 instead of an EPIPE stack and 1', async () => {
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'run', 'examples/dev-team.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.once('data', () => child.stdout.destroy()); // what head does after its line
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('exits 1 with a one-line error for bad input', async () => {
    const error = await run(process.execPath, [`${outDir}/src/cli/index.js`, 'run', 'test/fixtures/needs-approval.ts']).catch((thrown: { code: number; stderr: string }) => thrown);
    expect(error).toMatchObject({ code: 1, stderr: expect.stringMatching(/^echelon: The scenario is waiting.*\[scenario_stalled\]\n$/) });
  });

  it('check exits 2 when it cannot run (a file it cannot load, a bad flag), 1 only for an organisation with errors', async () => {
    const cli = `${outDir}/src/cli/index.js`;
    const failed = (args: string[]) => run(process.execPath, [cli, ...args]).then(() => ({ code: 0, stderr: '' }), (thrown: { code: number; stderr: string }) => thrown);
    expect(await failed(['check', 'test/fixtures/no-such-design.ts'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^echelon: .*no-such-design/) });
    expect(await failed(['check', '--jsn'])).toMatchObject({ code: 2, stderr: "echelon: Unknown option '--jsn'. Run echelon --help for usage. [invalid_option]\n" });
    // Node's message ending in its own full stop gets one, not two, before the hint, on one line.
    expect(await failed(['step', 'test/fixtures/no-such-design.ts', '--auto', '-x'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^echelon: [^\n]*'--auto=-XYZ'\. Run echelon --help for usage\. \[invalid_option\]\n$/) });
    // A port out of range is refused before the scenario is loaded (this one does not exist).
    expect(await failed(['view', 'test/fixtures/no-such-design.ts', '--port', '99999'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/^echelon: --port needs a port from 0 to 65535, got "99999"/) });
    expect(await failed(['check', 'test/fixtures/misspelt-design.ts'])).toMatchObject({ code: 2, stderr: expect.stringContaining('[invalid_option]') });
    expect(await failed(['check', 'test/fixtures/broken-design.ts'])).toMatchObject({ code: 1 });
    // Other commands keep 1 for every failure.
    expect(await failed(['run', 'test/fixtures/no-such-design.ts'])).toMatchObject({ code: 1 });
    expect(failureCode(['--json', 'check'])).toBe(2);
    expect(failureCode(['--seed', '3', 'check', 'x.ts'])).toBe(2);
    expect(failureCode(['--port', '80', 'check'])).toBe(2);
    expect(failureCode(['--bogus', 'check'])).toBe(2);
    expect(failureCode(['simulate', 'check.ts'])).toBe(1);
  });

  it('without tsx installed, a TypeScript scenario fails with missing_dependency (JavaScript still runs)', async () => {
    // The built package alone in a project that has its dependencies but not tsx.
    // Somewhere with no node_modules/tsx above it (a shared /tmp may have one).
    const project = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'echelon-no-tsx-'));
    try {
      expect(() => createRequire(join(project, 'probe.js')).resolve('tsx/esm/api')).toThrow();
      const installed = join(project, 'node_modules', 'echelon');
      cpSync(outDir, join(installed, 'dist'), { recursive: true });
      cpSync('package.json', join(installed, 'package.json'));
      for (const dependency of ['xstate', 'nanoid']) symlinkSync(resolve('node_modules', dependency), join(project, 'node_modules', dependency));
      writeFileSync(
        join(project, 'scenario.mjs'),
        "import { createOrchestrator, developmentTeam } from 'echelon';\nimport { defineScenario } from 'echelon/scenario';\n" +
          "export default defineScenario({ description: 'js', organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, ...host }), run: async (org, { log }) => log((await org.submit({ type: 'css' })).status) });\n",
      );
      const cliPath = join(installed, 'dist/src/cli/index.js');
      const typescript = await run(process.execPath, [cliPath, 'run', resolve('examples/dev-team.ts')], { cwd: project }).catch((thrown: { code: number; stderr: string }) => thrown);
      expect(typescript).toMatchObject({ code: 1, stderr: expect.stringMatching(/dev-team\.ts \(a TypeScript scenario file\) needs tsx.*\[missing_dependency\]/) });
      const design = await run(process.execPath, [cliPath, 'check', resolve('examples/bottleneck.ts')], { cwd: project }).catch((thrown: { code: number; stderr: string }) => thrown);
      expect(design).toMatchObject({ code: 2, stderr: expect.stringMatching(/bottleneck\.ts \(a TypeScript design or scenario file\) needs tsx: npm install --save-dev tsx.*\[missing_dependency\]/) });
      const { stdout } = await run(process.execPath, [cliPath, 'run', 'scenario.mjs', '--compact'], { cwd: project });
      expect(stdout).toContain('» completed');
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it('view serves the live view of a scenario; a decision made there lets it finish', async () => {
    const child = spawn(process.execPath, [`${outDir}/src/cli/index.js`, 'view', 'test/fixtures/needs-approval.ts', '--port', '0', '--auto', '0', '--exit-when-done']);
    let output = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // A CLI that fails before it serves (a scenario that does not load, say) fails the test with
      // what it said, rather than leaving it waiting for a URL until the test times out.
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', () => {
          const found = /live view: (http:\S+)/.exec(output);
          if (found) resolve(found[1]!);
        });
        void exited.then((code) => reject(new Error(`echelon view exited with ${code} before serving:\n${output}${errors}`)));
      });
      const approvalId = await firstPendingApproval(url);
      const decided = await fetch(`${url}api/approvals/${approvalId}/approve`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'api_specialist', comment: 'from the test' }),
      });
      expect(decided.status).toBe(200);
      expect(await exited).toBe(0);
      expect(output).toContain('» risky: completed by backend_dev_1');
      expect(output).toContain('the scenario is over: 0 active tasks, 0 pending approvals');
    } finally {
      child.kill();
    }
  });
});

/** Reads the live view's event stream until an approval is pending, and returns its id. */
async function firstPendingApproval(url: string): Promise<string> {
  // Frames are read whole: the first one, with the statechart, is tens of kilobytes, and a loaded machine hands it over in parts.
  const stream = sseFrames<{ approvals?: Array<{ id: string }> }>(await fetch(`${url}api/events`));
  const pending = () => stream.frames.find((frame) => (frame.data.approvals?.length ?? 0) > 0)?.data.approvals![0]!.id;
  try {
    await stream.until(() => pending() !== undefined);
    return pending()!;
  } finally {
    await stream.cancel();
  }
}
