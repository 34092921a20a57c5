/**
 * Each optional subpath without its peer fails alike: an `EchelonError` `missing_dependency` that
 * says what to install, not the loader's `ERR_MODULE_NOT_FOUND`. The peers are hidden from a child
 * process by a resolve hook (`test/fixtures/hide-peers.mjs`), so the result does not depend on
 * what this machine has installed.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);

/** In a child without `hide`: imports `entry` and calls `call` on it; what was thrown, or 'ok'. */
async function attempt(hide: string, entry: string, call: string): Promise<{ name?: string; code?: string; message?: string } | 'ok'> {
  const script = `
    try {
      const module = await import(${JSON.stringify(join(ROOT, entry))});
      ${call};
      console.log(JSON.stringify('ok'));
    } catch (error) {
      console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message }));
    }`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test', 'fixtures', 'hide-peers.mjs'), '--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, ECHELON_HIDE_PEERS: hide },
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as never;
}

describe('an optional subpath without its peer', () => {
  it.each([
    ['echelon/ai without ai', 'ai', 'src/ai/index.ts', '', 'echelon/ai needs ai, an optional peer dependency of echelon: npm install ai'],
    ['echelon/ai without zod', 'zod', 'src/ai/index.ts', '', 'echelon/ai needs zod, an optional peer dependency of echelon: npm install zod'],
    ['echelon/otel without @opentelemetry/api', '@opentelemetry/api', 'src/otel.ts', '', 'echelon/otel needs @opentelemetry/api, an optional peer dependency of echelon: npm install @opentelemetry/api'],
    ['echelon/inspector without @statelyai/inspect', '@statelyai/inspect', 'src/inspector.ts', '', 'echelon/inspector needs @statelyai/inspect, an optional peer dependency of echelon: npm install @statelyai/inspect'],
    ['echelon/inspector without ws', 'ws', 'src/inspector.ts', '', 'echelon/inspector needs ws, an optional peer dependency of echelon: npm install ws'],
    ['echelon/sqlite without better-sqlite3', 'better-sqlite3', 'src/sqlite.ts', "module.sqliteStore('never-created.db')", 'The SQLite store (echelon/sqlite) needs better-sqlite3, an optional peer dependency of echelon: npm install better-sqlite3'],
    [
      'echelon/simulate drawing without echarts',
      'echarts',
      'src/simulate/index.ts',
      "const { developmentTeam } = await import('./src/index.ts'); const report = await module.simulate({ organisation: { hierarchy: developmentTeam() }, workload: { arrivals: [{ task: 'python', everyMs: 1000 }], durationMs: 5000 } }); await module.renderReportHtml([{ name: 'x', report, hierarchy: developmentTeam() }])",
      'Drawing the simulation report (echelon/simulate) needs echarts, an optional peer dependency of echelon: npm install echarts',
    ],
    [
      'echelon/simulate PNG charts without @resvg/resvg-js',
      '@resvg/resvg-js',
      'src/simulate/index.ts',
      "const { developmentTeam } = await import('./src/index.ts'); const report = await module.simulate({ organisation: { hierarchy: developmentTeam() }, workload: {} }); await module.writeChartPngs(report, developmentTeam(), 'never-written')",
      'PNG charts of the simulation report (echelon/simulate) needs @resvg/resvg-js, an optional peer dependency of echelon: npm install @resvg/resvg-js',
    ],
  ])('%s fails with missing_dependency, saying what to install', async (_case, hide, entry, call, message) => {
    expect(await attempt(hide, entry, call)).toEqual({ name: 'EchelonError', code: 'missing_dependency', message });
  });

  it('echelon simulate without a drawing peer fails before it simulates, and makes no --png directory', async () => {
    // The design's own simulation is refused (unknown_agent): before, that refusal came first, and the directory was made.
    const png = join(tmpdir(), `echelon-missing-peer-${process.pid}`, 'charts');
    const simulate = (flags: string) => `await module.main(['simulate', 'test/fixtures/refused-simulation.ts', ${flags}], { out: () => undefined, input: process.stdin })`;
    expect(await attempt('@resvg/resvg-js', 'src/cli/index.ts', simulate(`'--png', ${JSON.stringify(png)}`))).toMatchObject({ code: 'missing_dependency', message: expect.stringContaining('npm install @resvg/resvg-js') });
    expect(existsSync(dirname(png))).toBe(false);
    expect(await attempt('echarts', 'src/cli/index.ts', simulate(`'--html', ${JSON.stringify(join(tmpdir(), 'never-written.html'))}`))).toMatchObject({ code: 'missing_dependency', message: expect.stringContaining('npm install echarts') });
  });

  it('loads when its peers are there (the hook hides only what it is told to)', async () => {
    expect(await attempt('', 'src/ai/index.ts', "if (typeof module.llmExecutor !== 'function') throw new Error('no llmExecutor')")).toBe('ok');
    expect(await attempt('', 'src/otel.ts', "if (typeof module.traceOrganisation !== 'function') throw new Error('no traceOrganisation')")).toBe('ok');
    expect(await attempt('', 'src/inspector.ts', "if (typeof module.inspectOrganisation !== 'function') throw new Error('no inspectOrganisation')")).toBe('ok');
    // echelon/simulate loads, checks and simulates without its drawing peers: they are needed only to draw.
    expect(await attempt('echarts,@resvg/resvg-js', 'src/simulate/index.ts', "const { developmentTeam } = await import('./src/index.ts'); if (!module.checkOrganisation({ hierarchy: developmentTeam() }).ok) throw new Error('not ok')")).toBe('ok');
  });
});
