/** `echelon check` and `echelon simulate`, in this process: exit codes, text, JSON, the page and the PNG charts. */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { developmentTeam, EchelonError } from '../../src/index.js';
import { defineDesign } from '../../src/simulate/index.js';

const cli = async (args: string[]) => {
  const lines: string[] = [];
  const code = await main(args, { out: (line) => lines.push(...line.split('\n')), input: new PassThrough() as unknown as NodeJS.ReadStream });
  return { code, lines, text: lines.join('\n') };
};
const directory = mkdtempSync(join(tmpdir(), 'echelon-simulate-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('echelon check', () => {
  it('passes the reference development team (exit 0) with its span notes', async () => {
    const { code, text } = await cli(['check']);
    expect(code).toBe(0);
    expect(text).toContain('span_of_control');
    expect(text).toMatch(/✓ 0 error\(s\), 0 warning\(s\), 4 note\(s\)$/);
  });

  it('fails a design with mistakes (exit 1), as lines or as JSON', async () => {
    const { code, text } = await cli(['check', 'test/fixtures/broken-design.ts']);
    expect(code).toBe(1);
    expect(text).toMatch(/error +unroutable_type +Nobody in the organisation can do "deploy"/);
    expect(text).toMatch(/error +unknown_agent +executors\.byId names "qa_bot"/);
    expect(text).toMatch(/error +approval_unsatisfiable .*"backend_lead" is not above "frontend_dev_1"/);
    const json = JSON.parse((await cli(['check', 'test/fixtures/broken-design.ts', '--json'])).text) as { ok: boolean; counts: { error: number }; findings: { code: string }[] };
    expect(json.ok).toBe(false);
    expect(json.findings.filter((finding) => finding.code !== 'span_of_control').map((finding) => finding.code).sort()).toEqual(['approval_unsatisfiable', 'unknown_agent', 'unroutable_type']);
  });

  it('warnings fail only with --strict; a scenario is checked by its hierarchy', async () => {
    expect((await cli(['check', 'examples/bottleneck.ts'])).code).toBe(0);
    const strict = await cli(['check', 'examples/bottleneck.ts', '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.text).toMatch(/warning +unreachable_agent +Nothing reaches be_dev_2/);
    // What CI reads agrees with the exit code (before: "✓ 0 error(s), 3 warning(s)" and "ok": true, exiting 1).
    expect(strict.text).toMatch(/\n✗ 0 error\(s\), \d+ warning\(s\), \d+ note\(s\) \(--strict: warnings fail\)$/);
    const json = JSON.parse((await cli(['check', 'examples/bottleneck.ts', '--strict', '--json'])).text) as { ok: boolean; strict: boolean };
    expect(json).toMatchObject({ ok: false, strict: true });
    expect(JSON.parse((await cli(['check', 'examples/bottleneck.ts', '--json'])).text)).toMatchObject({ ok: true, strict: false });
    expect((await cli(['check', 'examples/escalation.ts'])).text).toContain('only its hierarchy is checked');
  });

  it('refuses a scenario whose organisation() returns no organisation (invalid_scenario: the bin exits 2)', async () => {
    // Before: a TypeError reading the hierarchy of undefined.
    await expect(cli(['check', 'test/fixtures/forgetful-scenario.ts'])).rejects.toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('returned undefined, not an organisation') });
  });

  it('refuses a design with a misspelt option or key instead of passing it (invalid_option: the bin exits 2)', async () => {
    await expect(cli(['check', 'test/fixtures/misspelt-design.ts'])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('did you mean "strategy"') });
    await expect(cli(['check', 'test/fixtures/misspelt-default-design.ts'])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('did you mean "tasks"') });
    expect(() => defineDesign({ organisation: { hierarchy: developmentTeam() }, taks: ['deploy'] } as never)).toThrow(/unknown key "taks" — did you mean "tasks"/);
  });
});

describe('echelon simulate', () => {
  it('prints the report, and names the bottleneck', async () => {
    const { code, text } = await cli(['simulate', 'examples/bottleneck.ts']);
    expect(code).toBe(0);
    expect(text).toMatch(/^echelon simulate: examples\/bottleneck\.ts — seed 42/);
    expect(text).toMatch(/Bottlenecks\n {2}fe_dev_1: busy \d+ % of the time/);
  });

  it('gives the same JSON for the same seed, another for another', async () => {
    const first = (await cli(['simulate', 'examples/bottleneck.ts', '--json', '--seed', '5'])).text;
    expect((await cli(['simulate', 'examples/bottleneck.ts', '--json', '--seed', '5'])).text).toBe(first);
    expect((await cli(['simulate', 'examples/bottleneck.ts', '--json', '--seed', '6'])).text).not.toBe(first);
    expect((JSON.parse(first) as { seed: number }).seed).toBe(5);
  });

  it('compares two designs on the same workload, and writes the page and the PNG charts', async () => {
    const html = join(directory, 'report.html');
    const png = join(directory, 'charts');
    const { text } = await cli(['simulate', 'examples/bottleneck.ts', '--compare', 'examples/bottleneck-balanced.ts', '--html', html, '--png', png]);
    expect(text).toMatch(/examples\/bottleneck\.ts vs examples\/bottleneck-balanced\.ts — the same workload, seed 42/);
    expect(text).toMatch(/bottleneck +fe_dev_1 \(\d+ %\) +—/);
    const page = readFileSync(html, 'utf8');
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(page.match(/<svg/g)?.length).toBe(8);
    expect(readdirSync(png).sort()).toEqual(['simulation-1-latency.png', 'simulation-1-org.png', 'simulation-1-queues.png', 'simulation-1-spent.png', 'simulation-2-latency.png', 'simulation-2-org.png', 'simulation-2-queues.png', 'simulation-2-spent.png']);
    expect(readFileSync(join(png, 'simulation-1-org.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('says when a compared file is a scenario, of which only the hierarchy is simulated', async () => {
    const { text } = await cli(['simulate', 'examples/bottleneck.ts', '--compare', 'test/fixtures/web-team-scenario.ts']);
    expect(text).toMatch(/examples\/bottleneck\.ts vs test\/fixtures\/web-team-scenario\.ts/);
    expect(text).toContain('test/fixtures/web-team-scenario.ts is a scenario: only its hierarchy was simulated');
    // JSON stays the reports alone.
    const json = JSON.parse((await cli(['simulate', 'examples/bottleneck.ts', '--compare', 'test/fixtures/web-team-scenario.ts', '--json'])).text) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['examples/bottleneck.ts', 'test/fixtures/web-team-scenario.ts']);
  });

  it("says when a compared design fails on what it borrowed from the first (its agent models, workload and people)", async () => {
    // The development team has no simulation: the web team's models name "dba", no agent of it. Before, the message read as a mistake in the first design.
    await expect(cli(['simulate', 'examples/bottleneck.ts', '--compare', 'examples/dev-team.ts'])).rejects.toMatchObject({
      code: 'unknown_agent',
      message: expect.stringMatching(/^--compare examples\/dev-team\.ts, run with examples\/bottleneck\.ts's agent models, workload, people: .*"dba"/),
    });
  });

  it('refuses a missing file, a file without a simulation, and a bad seed', async () => {
    await expect(cli(['simulate'])).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(cli(['simulate', 'test/fixtures/broken-design.ts'])).rejects.toThrow(/has no simulation/);
    await expect(cli(['simulate', 'examples/bottleneck.ts', '--seed', 'x'])).rejects.toBeInstanceOf(EchelonError);
    await expect(cli(['check', 'no/such/file.ts'])).rejects.toMatchObject({ code: 'invalid_scenario' });
    expect(existsSync(directory)).toBe(true);
  });

  it('checks both designs before it simulates, and makes the --png directory only when it writes the charts', async () => {
    const png = join(directory, 'never', 'made');
    // Before, the directory was made first and left empty by a design that is none.
    await expect(cli(['simulate', 'test/fixtures/not-a-scenario.ts', '--png', png])).rejects.toMatchObject({ code: 'invalid_scenario' });
    expect(existsSync(join(directory, 'never'))).toBe(false);
    // A design whose simulation is refused, compared with a file that is not there: before, the first design's refusal
    // (unknown_agent) came from its simulation and the missing file was never looked at.
    await expect(cli(['simulate', 'test/fixtures/refused-simulation.ts', '--compare', 'no/such/design.ts', '--png', png])).rejects.toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('no/such/design.ts') });
    await expect(cli(['simulate', 'test/fixtures/refused-simulation.ts', '--png', png])).rejects.toMatchObject({ code: 'unknown_agent' });
    expect(existsSync(join(directory, 'never'))).toBe(false);
  });

  it('refuses an --html or --png it cannot write, before it simulates, as an EchelonError (the bin prints one line, not a stack)', async () => {
    const plain = join(directory, 'plain.txt');
    writeFileSync(plain, 'not a directory');
    // Before, each ran the whole simulation and then failed with Node's ENOENT / EEXIST / EISDIR and its stack.
    for (const [flag, path, why] of [
      ['--html', join(directory, 'no', 'such', 'report.html'), /no such directory/],
      ['--html', directory, /is a directory/],
      ['--png', plain, /--png .*plain\.txt/],
    ] as const) {
      await expect(cli(['simulate', 'examples/bottleneck.ts', flag, path])).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(new RegExp(`^${flag} `)) });
      await expect(cli(['simulate', 'examples/bottleneck.ts', flag, path])).rejects.toThrow(why);
    }
  });

  it('tries the --html and --png targets before it simulates, where permissions do not tell (root may write everywhere but /proc), leaving nothing', async () => {
    for (const [flag, path] of [['--html', '/proc/report.html'], ['--png', '/proc/charts']] as const) {
      const lines: string[] = [];
      // Before, the day was simulated and its report printed, and only the write at the end was refused.
      const run = main(['simulate', 'examples/bottleneck.ts', flag, path], { out: (line) => lines.push(line), input: new PassThrough() as unknown as NodeJS.ReadStream });
      await expect(run).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(new RegExp(`^${flag} ${path}: cannot write there`)) });
      expect(lines).toEqual([]);
    }
    // The probe leaves no file and no directory behind when the run is refused afterwards.
    const [html, png] = [join(directory, 'probed.html'), join(directory, 'probed-charts')];
    await expect(cli(['simulate', 'test/fixtures/refused-simulation.ts', '--html', html, '--png', png])).rejects.toMatchObject({ code: 'unknown_agent' });
    expect(readdirSync(directory).filter((name) => name.includes('probe'))).toEqual([]);
  });
});
