/**
 * DESIGN.md's import rule, enforced: dependencies point down. Nothing imports `src/runtime/` but
 * the root entry, `cli/`, `inspect/` and hosts (`restate/`) — and the clients of its public API
 * named below, through `runtime/index.ts` only; `store/` imports neither `runtime/` nor `machines/`;
 * nothing inside imports the root entry. Each violation is named with its file, line and statement.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importsOf, sources, type ImportStatement } from '../support/imports.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNTIME = 'src/runtime/';
const RUNTIME_ENTRY = 'src/runtime/index.ts';

/** What a place may take from the runtime. */
type Access = 'anything' | 'its public entry' | 'public types only';

/**
 * Who may import from `src/runtime/`, and how much (README, "Layout"). `its public entry`: only
 * `runtime/index.ts`, the names a user of the library gets; `public types only`: `import type`
 * from it — erased at build time, so no load order and no cycle, only the contract's shape.
 */
const RUNTIME_IMPORTERS: readonly { readonly where: string; readonly access: Access; readonly why: string }[] = [
  { where: 'src/runtime/', access: 'anything', why: 'the runtime itself' },
  { where: 'src/index.ts', access: 'anything', why: 'the curated root entry' },
  { where: 'src/charts.ts', access: 'anything', why: 'the charts entry, whose host kit is the runtime’s own port wiring and attempts' },
  { where: 'src/cli/', access: 'anything', why: 'the echelon command' },
  { where: 'src/inspect/', access: 'anything', why: 'the inspector wiring, live view and OpenTelemetry' },
  { where: 'src/restate/', access: 'anything', why: 'a host: it runs the runtime’s parts on Restate' },
  { where: 'src/simulate/', access: 'its public entry', why: 'runs the real organisation through createOrchestrator, as a user does' },
  { where: 'src/scenario/', access: 'public types only', why: 'scenarios are written against Orchestrator and its options' },
  { where: 'src/check/', access: 'public types only', why: 'checks createOrchestrator’s options: it names their type' },
  { where: 'src/ai/', access: 'public types only', why: 'its executors implement the Executor contract' },
];

/** Places that must not import these at all: the store stays below the engine; the root entry is for users (inside, a layer is imported itself, so the rule above cannot be dodged through it). */
const FORBIDDEN: readonly { readonly where: string; readonly not: readonly string[] }[] = [
  { where: 'src/store/', not: [RUNTIME, 'machines/'] },
  { where: 'src/', not: ['src/index.ts'] },
  { where: 'machines/', not: ['src/index.ts'] },
];

const within = (file: string, where: string) => (where.endsWith('/') ? file.startsWith(where) : file === where);

/** What is wrong with one import of `file`, or undefined. */
function violation(file: string, statement: ImportStatement): string | undefined {
  const target = statement.target;
  if (target === undefined) return undefined;
  const at = `${file}:${statement.line}: ${statement.text}`;
  for (const rule of FORBIDDEN) {
    const banned = rule.not.find((prefix) => target.startsWith(prefix));
    if (within(file, rule.where) && banned !== undefined) return `${at} — ${rule.where} may not import ${banned}`;
  }
  if (!target.startsWith(RUNTIME)) return undefined;
  const importer = RUNTIME_IMPORTERS.find((rule) => within(file, rule.where));
  if (importer === undefined) return `${at} — nothing outside ${RUNTIME_IMPORTERS.map((rule) => rule.where).join(', ')} imports ${RUNTIME}`;
  if (importer.access === 'anything') return undefined;
  if (target !== RUNTIME_ENTRY) return `${at} — ${importer.where} takes the runtime's public API from ${RUNTIME_ENTRY}, not ${target}`;
  if (importer.access === 'public types only' && !statement.typeOnly) return `${at} — ${importer.where} may import only types from the runtime (import type)`;
  return undefined;
}

/** Every violation among `files` (path → text). */
function violations(files: ReadonlyMap<string, string>): string[] {
  const exists = (path: string) => files.has(path);
  return [...files].flatMap(([file, text]) => importsOf(file, text, exists).flatMap((statement) => violation(file, statement) ?? []));
}

describe('the import rule (DESIGN.md, Layout)', () => {
  const files = sources(ROOT, ['src', 'machines']);

  it('holds for every file of src/ and machines/', () => {
    expect(files.size).toBeGreaterThan(150);
    expect(files.has(RUNTIME_ENTRY) && existsSync(`${ROOT}/${RUNTIME_ENTRY}`)).toBe(true);
    expect(violations(files)).toEqual([]);
  });

  it('reads the imports it judges: the root entry takes the orchestrator from the runtime', () => {
    const found = importsOf('src/index.ts', files.get('src/index.ts')!, (path) => files.has(path));
    expect(found.filter((statement) => statement.target === RUNTIME_ENTRY).flatMap((statement) => statement.names)).toContain('createOrchestrator');
  });

  it('names the file, line and statement of each kind of violation', () => {
    const bad = new Map([
      ['src/runtime/index.ts', ''],
      ['src/runtime/options.ts', ''],
      ['src/runtime/per-agent.ts', ''],
      ['machines/ports.ts', ''],
      ['src/check/probe.ts', "/** A probe. */\nimport { DEFAULT_LIMITS } from '../runtime/options.js';\n"],
      ['src/check/types.ts', "import type { OrchestratorOptions } from '../runtime/index.js';\nimport { createOrchestrator } from '../runtime/index.js';\n"],
      ['src/simulate/simulate.ts', "import { createOrchestrator } from '../runtime/index.js';\nimport {\n  resolveSetting,\n  type Setting,\n} from '../runtime/per-agent.js';\n"],
      ['src/delegation/fanout.ts', "import type { PerAgent } from '../runtime/per-agent.js';\n"],
      ['src/store/memory.ts', "import type { Step } from '../../machines/ports.js';\nconst load = () => import('../runtime/index.js');\n"],
      ['src/cli/check.ts', "import { resolveOptions } from '../runtime/options.js';\n"],
      ['src/index.ts', ''],
      ['src/check/routing.ts', "import type { OrchestratorOptions } from '../index.js';\n"],
    ]);
    expect(violations(bad)).toEqual([
      "src/check/probe.ts:2: import { DEFAULT_LIMITS } from '../runtime/options.js' — src/check/ takes the runtime's public API from src/runtime/index.ts, not src/runtime/options.ts",
      "src/check/types.ts:2: import { createOrchestrator } from '../runtime/index.js' — src/check/ may import only types from the runtime (import type)",
      "src/simulate/simulate.ts:2: import { resolveSetting, type Setting, } from '../runtime/per-agent.js' — src/simulate/ takes the runtime's public API from src/runtime/index.ts, not src/runtime/per-agent.ts",
      "src/delegation/fanout.ts:1: import type { PerAgent } from '../runtime/per-agent.js' — nothing outside src/runtime/, src/index.ts, src/charts.ts, src/cli/, src/inspect/, src/restate/, src/simulate/, src/scenario/, src/check/, src/ai/ imports src/runtime/",
      "src/store/memory.ts:1: import type { Step } from '../../machines/ports.js' — src/store/ may not import machines/",
      "src/store/memory.ts:2: import('../runtime/index.js') — src/store/ may not import src/runtime/",
      "src/check/routing.ts:1: import type { OrchestratorOptions } from '../index.js' — src/ may not import src/index.ts",
    ]);
  });
});

describe('reading import statements', () => {
  const read = (source: string) => importsOf('src/x/a.ts', source).map(({ specifier, typeOnly, names, line }) => ({ specifier, typeOnly, names, line }));

  it('reads type-only, mixed, default, namespace, re-export and side-effect imports', () => {
    const source = [
      "import type { A } from './a.js';",
      "import { type B, type C } from './b.js';",
      "import { type D, e } from './d.js';",
      "import f, { g } from './f.js';",
      "import * as h from './h.js';",
      "export type { I } from './i.js';",
      "export { j as k } from './j.js';",
      "export * from './l.js';",
      "import './m.js';",
      'export type N = { readonly from: string };',
    ].join('\n');
    expect(read(source)).toEqual([
      { specifier: './a.js', typeOnly: true, names: ['A'], line: 1 },
      { specifier: './b.js', typeOnly: true, names: ['B', 'C'], line: 2 },
      { specifier: './d.js', typeOnly: false, names: ['D', 'e'], line: 3 },
      { specifier: './f.js', typeOnly: false, names: ['default', 'g'], line: 4 },
      { specifier: './h.js', typeOnly: false, names: ['*'], line: 5 },
      { specifier: './i.js', typeOnly: true, names: ['I'], line: 6 },
      { specifier: './j.js', typeOnly: false, names: ['j'], line: 7 },
      { specifier: './l.js', typeOnly: false, names: ['*'], line: 8 },
      { specifier: './m.js', typeOnly: false, names: [], line: 9 },
    ]);
  });

  it('reads clauses over several lines and dynamic imports, and skips examples in comments', () => {
    const source = [
      '/**',
      ' * @example',
      " * import { createOrchestrator } from '../runtime/index.js';",
      " * const { x } = await import('../runtime/x.js');",
      ' */',
      'import {',
      '  a,',
      '  type B,',
      "} from './a.js';",
      "// import { c } from './c.js';",
      "const glob = 'src/**/*.ts';",
      "export const { d } = await import('./d.js'); // not import('./e.js')",
    ].join('\n');
    expect(read(source)).toEqual([
      { specifier: './a.js', typeOnly: false, names: ['a', 'B'], line: 6 },
      { specifier: './d.js', typeOnly: false, names: [], line: 12 },
    ]);
  });

  it('resolves a specifier to the source file it names', () => {
    const exists = (path: string) => ['src/runtime/index.ts', 'src/runtime/options.ts'].includes(path);
    const targets = importsOf('src/check/probe.ts', "import { a } from '../runtime/options.js';\nimport { b } from '../runtime';\nimport { c } from 'xstate';\n", exists).map((s) => s.target);
    expect(targets).toEqual(['src/runtime/options.ts', 'src/runtime/index.ts', undefined]);
  });
});
