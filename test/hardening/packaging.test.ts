/**
 * What the package ships: a LICENSE, a build whose every export exists and that points at nothing
 * it does not contain (no source maps to absent sources), and CLI messages that point at files in
 * the package.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { EchelonError } from '../../src/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { license: string; files: string[]; bin: { echelon: string }; exports: Record<string, string | { types: string; default: string }> };
const out = mkdtempSync(join(tmpdir(), 'echelon-build-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const filesUnder = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));

/** The files `npm pack` would put in the package: apart from the build, or (with its `prepack` script, whose output comes before the JSON) with a fresh one. */
async function packed({ build = false, cwd = ROOT } = {}): Promise<string[]> {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', ...(build ? [] : ['--ignore-scripts'])], { cwd });
  return (JSON.parse(stdout.slice(stdout.search(/^\[/m))) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((file) => file.path);
}

describe('the package', () => {
  it('has an MIT LICENSE, as package.json says, and ships it', async () => {
    expect(pkg.license).toBe('MIT');
    const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 echelon contributors\n/);
    expect(await packed()).toContain('LICENSE');
  });

  it('builds every export it names, and no source map pointing at sources it does not ship', async () => {
    await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT });
    const built = filesUnder(out);
    expect(built.filter((file) => file.endsWith('.map'))).toEqual([]);
    for (const target of Object.values(pkg.exports).flatMap((entry) => (typeof entry === 'string' ? [] : [entry.types, entry.default]))) {
      expect(existsSync(join(out, target.replace(/^\.\/dist\//, ''))), target).toBe(true);
    }
    expect(pkg.files).toEqual(['dist', 'README.md']);
  });

  it('builds afresh when packed (prepack): a clean checkout packs its build, and a file left in dist by an old build is not shipped', async () => {
    // In a copy of what the build reads, so this checkout's dist/ is left alone.
    const copy = mkdtempSync(join(tmpdir(), 'echelon-pack-'));
    try {
      for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE', 'src', 'machines']) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
      mkdirSync(join(copy, 'dist', 'src', 'removed-long-ago'), { recursive: true });
      writeFileSync(join(copy, 'dist', 'src', 'removed-long-ago', 'index.js'), 'export {};\n');
      await checkPacked(await packed({ build: true, cwd: copy }));
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, 120_000);

  async function checkPacked(shipped: string[]): Promise<void> {
    for (const target of Object.values(pkg.exports).flatMap((entry) => (typeof entry === 'string' ? [] : [entry.types, entry.default]))) {
      expect(shipped, target).toContain(target.replace(/^\.\//, ''));
    }
    expect(shipped).toContain(pkg.bin.echelon.replace(/^\.\//, ''));
    expect(shipped.filter((file) => file.includes('removed-long-ago'))).toEqual([]);
  }

  it('points CLI users at a file it ships: the README and its “Writing a scenario” section', async () => {
    const lines: string[] = [];
    await main(['--help'], { out: (line) => lines.push(line), input: process.stdin });
    let refusal: unknown;
    try {
      await main(['run', 'test/fixtures/not-a-scenario.ts'], { out: () => undefined, input: process.stdin });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(EchelonError);
    const shipped = await packed();
    for (const text of [lines.join('\n'), (refusal as EchelonError).message]) {
      const named = [...text.matchAll(/[\w./-]+\.md\b/g)].map((match) => match[0]);
      expect(named).toEqual(['README.md']);
      for (const file of named) expect(shipped).toContain(file);
      expect(text).toContain('“Writing a scenario”');
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('\n### Writing a scenario\n');
  });
});
