/**
 * What the CLI prints never hands a terminal a control character from data: an executor's error
 * message, a payload or result, a reason, a person's name, a scenario's description and log lines,
 * an id's bidi override — in run, step, replay, simulate and the one-line refusals on stderr.
 * Before, `\x1b[2J` in an executor's error cleared the screen of whoever ran `echelon run`,
 * `\x1b]0;…\x07` set their window's title, `\x1b]8;;url\x07` hid a link in the text, and U+202E
 * printed the rest of a table's row backwards.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/index.js';
import { terminalText } from '../../src/cli/output.js';
import { runScenario, type ScenarioHost } from '../../src/scenario/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import hostile, { HOSTILE, HOSTILE_ID } from '../fixtures/hostile-text.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-escapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Any character a terminal would obey (the line break and the tab aside), or a lone surrogate. */
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const printed = async (args: string[]) => {
  const lines: string[] = [];
  const code = await main(args, { out: (line) => lines.push(line), input: new PassThrough() as unknown as NodeJS.ReadStream });
  return { code, lines, text: lines.join('\n') };
};

/** The column each line's text starts at after `label` (the org chart's state column, a table's next cell). */
const columnAfter = (lines: readonly string[], labels: readonly string[]) => labels.map((label) => {
  const line = lines.find((candidate) => candidate.includes(label))!;
  return line.indexOf(label) + label.length + (line.slice(line.indexOf(label) + label.length).match(/^ */)![0].length);
});

describe('terminalText', () => {
  it('escapes what a terminal would obey as \\uXXXX, and keeps line breaks, tabs, text and emoji', () => {
    expect(terminalText('a\u001b[2Jb\u0007\r\u0000\u007f\u009b\u202e\u2066x')).toBe('a\\u001b[2Jb\\u0007\\u000d\\u0000\\u007f\\u009b\\u202e\\u2066x');
    expect(terminalText('line\n\ttab — ünïcode 🚀 <b>&amp;</b>')).toBe('line\n\ttab — ünïcode 🚀 <b>&amp;</b>');
    expect(terminalText('lone \ud800 and \udc00 halves')).toBe('lone \\ud800 and \\udc00 halves');
    // Escaped text is plain: escaping again changes nothing; and JSON stays JSON of the same value.
    expect(terminalText(terminalText(HOSTILE))).toBe(terminalText(HOSTILE));
    expect(JSON.parse(terminalText(JSON.stringify({ [HOSTILE]: HOSTILE })))).toEqual({ [HOSTILE]: HOSTILE });
  });
});

describe('the CLI with hostile text in the data', () => {
  it('run: every line shows the escapes rather than sending them, and the org chart keeps its columns', async () => {
    const { code, lines, text } = await printed(['run', 'test/fixtures/hostile-text.ts', '--compact']);
    expect(code).toBe(0);
    expect(lines.filter((line) => RAW.test(line))).toEqual([]);
    // The description, an executor's error, a person's name and the scenario's own lines all came through, shown.
    expect(text).toContain('hostile text </script><script>window.__pwned=1</script>');
    expect(text).toContain('boom </script>');
    expect(text).toContain('\\u001b[2J\\u001b]0;PWNED\\u0007\\u001b]8;;http://evil\\u0007link');
    expect(text).toContain('human:carol </script>');
    expect(text).toMatch(/» done: completed .*\\u202eevil/);
    // The state column lines up under an id with a bidi override (escaped before it was padded).
    const last = lines.slice(lines.findIndex((line) => line.startsWith('── the scenario is over')));
    const columns = columnAfter(last, ['boss', `${terminalText(HOSTILE_ID)}`, 'dev']);
    expect(new Set(columns).size).toBe(1);
  }, 30_000);

  it('replay: a stored run with hostile text replays escaped', async () => {
    const file = join(dir, 'hostile.db');
    const store = sqliteStore(file);
    // The scenario on its own (real time, no step clock: a store takes no message delay).
    const context = { log: () => {}, sleep: async () => {}, waitsForPeople: false };
    const org = hostile.organisation({ store } as unknown as ScenarioHost, context);
    await hostile.run(org, context);
    await org.stop();
    store.close();
    const { code, lines, text } = await printed(['replay', file, '--steps', '1000']);
    expect(code).toBe(0);
    expect(text).toContain('boom </script>');
    expect(lines.filter((line) => RAW.test(line))).toEqual([]);
  }, 30_000);

  it('simulate: a strategy error and hostile ids print escaped, in tables whose columns line up', async () => {
    const { code, lines, text } = await printed(['simulate', 'test/fixtures/hostile-design.ts']);
    expect(code).toBe(0);
    expect(lines.filter((line) => RAW.test(line))).toEqual([]);
    expect(text).toContain('strategy_error, e.g. ');
    expect(text).toContain('\\u001b[2J');
    // A table's rows are all as wide as its columns: the one naming the agent with a bidi override too.
    const agents = lines.slice(lines.indexOf('Busiest agents') + 1);
    const table = agents.slice(0, agents.findIndex((line) => line === '') === -1 ? undefined : agents.findIndex((line) => line === ''));
    expect(table.some((line) => line.includes(terminalText(HOSTILE_ID)))).toBe(true);
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
  }, 30_000);

  it("stderr: a refusal quoting what a scenario's run() threw is one line with the escapes shown", async () => {
    const file = join(dir, 'throws.mjs');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, `import { createOrchestrator, developmentTeam } from '${join(process.cwd(), 'src/index.ts')}';\nimport { defineScenario } from '${join(process.cwd(), 'src/scenario/index.ts')}';\nexport default defineScenario({ description: 'throws', organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, ...host }), run: async () => { throw new Error(${JSON.stringify(`run broke ${HOSTILE}`)}); } });\n`);
    const failed = await promisify(execFile)(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'run', file]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed!.stderr).toMatch(/^echelon: The scenario's run\(\) threw: Error: run broke .*\\u001b\[2J.* \[invalid_scenario\]\n$/);
    expect(RAW.test(failed!.stderr.slice(0, -1))).toBe(false);
  }, 30_000);

  it("a scenario run on its own (runScenario, npx tsx file.ts) prints its log lines escaped as the CLI does", async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      await runScenario(hostile);
      const lines = log.mock.calls.map((call) => String(call[0]));
      expect(lines.some((line) => line.includes('\\u001b[2J'))).toBe(true);
      expect(lines.filter((line) => RAW.test(line))).toEqual([]);
    } finally {
      log.mockRestore();
    }
  });
});
