import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Module specifiers a file imports or re-exports (static and dynamic), comments (and their examples) aside. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((match) => match[1]!);
}

describe('echelon/ai stays optional', () => {
  it('nothing outside src/ai imports ai, @ai-sdk/* or zod', () => {
    const core = [...sources(join(root, 'src')), ...sources(join(root, 'machines'))].filter((file) => !file.includes(`${join('src', 'ai')}`));
    expect(core.length).toBeGreaterThan(30);
    const offending = core.flatMap((file) =>
      imports(file)
        .filter((specifier) => /^(ai|zod|@ai-sdk\/[^/]+)(\/.*)?$/.test(specifier))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('src/ai reaches the core only through relative imports, and is published as echelon/ai with ai and zod as optional peers', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
      peerDependencies: Record<string, string>;
      peerDependenciesMeta: Record<string, { optional: boolean }>;
    };
    // Its types are api.ts's, which declares statically what index.ts loads (test/hardening/installed-package.test.ts).
    expect(pkg.exports['./ai']).toEqual({ types: './dist/src/ai/api.d.ts', default: './dist/src/ai/index.js' });
    expect(Object.keys(pkg.peerDependencies)).toEqual(expect.arrayContaining(['ai', 'zod']));
    expect(pkg.peerDependenciesMeta).toMatchObject({ ai: { optional: true }, zod: { optional: true } });
    // Every peer is optional: the core installs without any of them.
    for (const name of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
    for (const file of sources(join(root, 'src', 'ai'))) {
      for (const specifier of imports(file)) expect([`ai`, 'zod/v4'].includes(specifier) || specifier.startsWith('.'), `${relative(root, file)}: ${specifier}`).toBe(true);
    }
  });
});
