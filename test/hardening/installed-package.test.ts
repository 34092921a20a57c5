/**
 * The built package installed in a project of a user's own (test/support/installed.ts), as "The
 * package" in the README describes it: with none of its optional peers, each subpath that needs one
 * fails with `missing_dependency` saying what to install, and those that need none (the live view
 * among them) work; from CommonJS, `require` loads the entries without a peer check and is refused
 * the four that check their peers with a top-level await, which `import()` loads. What an editor
 * shows of each value the package exports — its TSDoc, through the declarations its `types` name —
 * is there for every one, those four subpaths' included (their values are loaded with `await
 * import()`, whose declarations would carry none).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedProject, removeBuild, ROOT, type InstalledProject } from '../support/installed.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The README's table of subpaths in "The package": subpath → the peers its row names. */
function peersTable(): Map<string, string> {
  const section = readme.slice(readme.indexOf('\n## The package\n'));
  const rows = [...section.matchAll(/^\| ((?:`echelon\/[\w/]+`(?:, )?)+) \| [^|]+ \| ([^|]+) \|$/gm)];
  return new Map(rows.flatMap(([, subpaths, peers]) => [...subpaths!.matchAll(/`(echelon\/[\w/]+)`/g)].map((match) => [match[1]!, peers!.trim()] as const)));
}

/** A script that imports each subpath and uses it, printing one JSON line per subpath: 'ok' or the refusal. */
const USE_EACH = `
const uses = {
  'echelon/ai': (m) => m.llmExecutor,
  'echelon/otel': (m) => m.traceOrganisation,
  'echelon/inspector': (m) => m.inspectOrganisation,
  'echelon/restate': (m) => m.restateEndpoint,
  'echelon/sqlite': (m) => m.sqliteStore('never-created.db'),
  'echelon/view': async (m) => {
    const { createOrchestrator, developmentTeam } = await import('echelon');
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
    const view = await m.serveLiveView(org, { port: 0 });
    const page = await fetch(view.url);
    await org.stop();
    if (page.status !== 200) throw new Error('the page answered ' + page.status);
    return 'served';
  },
  'echelon/charts': (m) => m.createAgentMachine,
  'echelon/scenario': (m) => m.defineScenario,
  'echelon/diagram': (m) => m.hierarchyToMermaid,
  'echelon/replay': (m) => m.replaySteps,
  'echelon/store': (m) => m.keepHistory,
  'echelon/store/testing': (m) => m.storeConformance,
  'echelon/simulate': (m) => m.checkOrganisation,
};
for (const [subpath, use] of Object.entries(uses)) {
  try {
    const used = await use(await import(subpath));
    if (used === undefined) throw new Error(subpath + ' has no such export');
    console.log(JSON.stringify([subpath, 'ok']));
  } catch (error) {
    console.log(JSON.stringify([subpath, { name: error.name, code: error.code, message: error.message }]));
  }
}`;

let bare: InstalledProject;
beforeAll(async () => {
  bare = await installedProject([]);
}, 120_000);
afterAll(async () => {
  bare?.remove();
  await removeBuild();
});

describe('the installed package, without its optional peers', () => {
  it('refuses each subpath that needs a peer with missing_dependency, naming what to install; the rest work, and the README says which is which', async () => {
    bare.write('use-each.mjs', USE_EACH);
    const { code, stdout } = await bare.node(['use-each.mjs']);
    expect(code).toBe(0);
    const results = new Map(stdout.trim().split('\n').map((line) => JSON.parse(line) as [string, 'ok' | { name: string; code: string; message: string }]));
    const table = peersTable();
    expect([...results.keys()].sort()).toEqual([...table.keys()].sort());
    for (const [subpath, result] of results) {
      const peers = table.get(subpath)!;
      if (peers.startsWith('—')) {
        expect(result, subpath).toBe('ok');
        continue;
      }
      expect(result, subpath).toMatchObject({ name: 'EchelonError', code: 'missing_dependency', message: expect.stringContaining(subpath) });
      const named = /npm install (\S+)$/.exec((result as { message: string }).message)![1]!;
      expect(peers, `${subpath}: the README's row names ${named}`).toContain(`\`${named}\``);
    }
  }, 60_000);
});

describe('the installed package, typechecked in a project without its optional peers', () => {
  it('has declarations for every subpath the README says needs no peer that typecheck with skipLibCheck off (echelon/simulate named echarts and resvg)', async () => {
    const project = await installedProject(['@types/node']);
    try {
      const free = [...peersTable()].filter(([, peers]) => peers.startsWith('—')).map(([subpath]) => subpath);
      expect(free).toContain('echelon/simulate');
      project.write('uses.ts', [...free.map((subpath, i) => `import * as used${i} from '${subpath}';`), `export const used = [${free.map((_, i) => `used${i}`).join(', ')}];`, ''].join('\n'));
      project.write('tsconfig.json', JSON.stringify({ compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', noEmit: true, types: ['node'], skipLibCheck: false }, include: ['uses.ts'] }));
      const { code, stdout } = await project.tsc('tsconfig.json');
      expect(stdout).toBe('');
      expect(code).toBe(0);
    } finally {
      project.remove();
    }
  }, 120_000);
});

describe('the installed package, its command', () => {
  it('prints the installed version with --version', async () => {
    const cli = join(bare.dir, 'node_modules', 'echelon', 'dist', 'src', 'cli', 'index.js');
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await bare.node([cli, '--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });
});

describe('the installed package, from CommonJS', () => {
  it('is required where Node loads ES modules with require (20.19+), except the four subpaths that check their peers with a top-level await; import() loads those', async () => {
    const project = await installedProject(['ai', 'zod', '@opentelemetry/api', 'ws', '@statelyai/inspect', '@restatedev/restate-sdk', '@restatedev/restate-sdk-clients'], { name: 'user-project', private: true, type: 'commonjs' });
    try {
      project.write(
        'index.js',
        `const tried = {};
for (const entry of ['echelon', 'echelon/scenario', 'echelon/simulate', 'echelon/ai', 'echelon/otel', 'echelon/inspector', 'echelon/restate']) {
  try { require(entry); tried[entry] = 'ok'; } catch (error) { tried[entry] = error.code; }
}
(async () => {
  tried.imported = typeof (await import('echelon/ai')).llmExecutor;
  const { createOrchestrator, developmentTeam } = await import('echelon');
  const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done' });
  tried.submitted = (await org.submit({ type: 'python' })).status;
  await org.stop();
  console.log(JSON.stringify(tried));
})();`,
      );
      const { code, stdout, stderr } = await project.node(['index.js']);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const loads = (process.features as { require_module?: boolean }).require_module === true;
      const refused = loads ? 'ERR_REQUIRE_ASYNC_MODULE' : 'ERR_REQUIRE_ESM';
      expect(JSON.parse(stdout)).toEqual({
        echelon: loads ? 'ok' : 'ERR_REQUIRE_ESM',
        'echelon/scenario': loads ? 'ok' : 'ERR_REQUIRE_ESM',
        'echelon/simulate': loads ? 'ok' : 'ERR_REQUIRE_ESM',
        'echelon/ai': refused,
        'echelon/otel': refused,
        'echelon/inspector': refused,
        'echelon/restate': refused,
        imported: 'function',
        submitted: 'completed',
      });
    } finally {
      project.remove();
    }
  }, 120_000);

  it('is described so in the README', () => {
    expect(readme).toContain("`require('echelon')`");
    expect(readme).toContain('`ERR_REQUIRE_ASYNC_MODULE`');
    expect(readme).toContain("`await import('echelon/ai')`");
  });
});

/** Whether the declaration of `name` that `file` (a .d.ts) exports, followed through `export { … } from`, has a doc comment; undefined when it declares no such value. */
function documented(file: string, name: string): boolean | undefined {
  const dts = readFileSync(file, 'utf8');
  for (const [, names, from] of dts.matchAll(/export \{([^}]*)\} from '(\.[^']+)'/g)) {
    for (const spec of names!.split(',').map((part) => part.trim())) {
      const [original, alias = original] = spec.split(/\s+as\s+/);
      if (alias === name && !spec.startsWith('type ')) return documented(join(dirname(file), from!.replace(/\.js$/, '.d.ts')), original!);
    }
  }
  if (new RegExp(`\\*/\\s*export declare (?:function|const|class|abstract class) ${name}\\b`).test(dts)) return true;
  return new RegExp(`export declare (?:function|const|class|abstract class) ${name}\\b`).test(dts) ? false : undefined;
}

describe('the installed package, as an editor shows it', () => {
  it('has a doc comment on every value of every subpath, in the declarations its package.json names', async () => {
    const project = await installedProject(['ai', 'zod', '@opentelemetry/api', 'ws', '@statelyai/inspect', '@restatedev/restate-sdk', '@restatedev/restate-sdk-clients']);
    try {
      const installed = join(project.dir, 'node_modules', 'echelon');
      const exportsMap = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { exports: Record<string, string | { types: string }> }).exports;
      const subpaths = Object.entries(exportsMap).flatMap(([subpath, entry]) => (typeof entry === 'string' ? [] : [[`echelon${subpath.slice(1)}`, entry.types] as const]));
      project.write('names.mjs', `for (const entry of ${JSON.stringify(subpaths.map(([entry]) => entry))}) console.log(JSON.stringify([entry, Object.keys(await import(entry))]));`);
      const { code, stdout } = await project.node(['names.mjs']);
      expect(code).toBe(0);
      const values = new Map(stdout.trim().split('\n').map((line) => JSON.parse(line) as [string, string[]]));
      const undocumented = subpaths.flatMap(([entry, types]) => values.get(entry)!.filter((name) => documented(join(installed, types), name) !== true).map((name) => `${entry}: ${name} (${documented(join(installed, types), name) === false ? 'no doc comment' : 'not declared there'})`));
      expect(undocumented).toEqual([]);
    } finally {
      project.remove();
    }
  }, 120_000);

  it.each([
    ['echelon/ai', '../../src/ai/index.js', '../../src/ai/api.js'],
    ['echelon/otel', '../../src/otel.js', '../../src/inspect/otel.js'],
    ['echelon/inspector', '../../src/inspector.js', '../../src/inspect/stately.js'],
    ['echelon/restate', '../../src/restate/index.js', '../../src/restate/api.js'],
  ])('%s declares (its types entry) the values it loads, no more, no fewer', async (_subpath, entry, types) => {
    const [loaded, declared] = await Promise.all([import(entry) as Promise<object>, import(types) as Promise<object>]);
    expect(Object.keys(declared).sort()).toEqual(Object.keys(loaded).sort());
  });
});
