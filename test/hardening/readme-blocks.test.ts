/**
 * The README's TypeScript blocks, copied as a user copies them into a project of their own where
 * the built package is installed with the peers the README names (test/support/installed.ts):
 * each typechecks there, strict, under `"module": "nodenext"` and under `"moduleResolution":
 * "bundler"`; the opening example runs as plain JavaScript and prints what its comments say; the
 * scenario and the design run under the `echelon` CLI from that project. A block may leave a few
 * names to the reader (`executors`, `org`, …): those are declared below with the types the README
 * gives them, and nothing else is — an import of a name the package does not export, an option that
 * does not exist or a name the README never explains fails here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedProject, removeBuild, ROOT, type InstalledProject } from '../support/installed.js';

/** The README's fenced blocks in `lang`, with the line each starts on. */
function blocks(lang: string): Array<{ line: number; code: string }> {
  const found: Array<{ line: number; code: string }> = [];
  const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```' + lang) continue;
    const end = lines.indexOf('```', i + 1);
    found.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return found;
}

/** The names the README leaves to the reader, and what they are. */
const GIVEN: Record<string, string> = {
  executors: "declare const executors: import('echelon').OrchestratorOptions['executors'];",
  hierarchy: "declare const hierarchy: import('echelon').Hierarchy;",
  org: "declare const org: import('echelon').Orchestrator;",
  notifyOnCall: "declare function notifyOnCall(escalation: import('echelon').Escalation): void;",
  id: 'declare const id: string;',
  signal: 'declare const signal: AbortSignal;',
  source: "declare const source: import('echelon').Store;",
  searchDocs: "declare const searchDocs: import('ai').Tool;",
  // Blocks that go on from an earlier one use what it imported.
  createOrchestrator: "import { createOrchestrator } from 'echelon';",
  developmentTeam: "import { developmentTeam } from 'echelon';",
  forkStore: "import { forkStore } from 'echelon';",
  keepHistory: "import { keepHistory } from 'echelon';",
  llmExecutor: "import { llmExecutor } from 'echelon/ai';",
  sqliteStore: "import { sqliteStore } from 'echelon/sqlite';",
  trace: "import { trace } from '@opentelemetry/api';",
};

/** The block with what it leaves to the reader declared before it. */
function withGiven(code: string): string {
  const declared = (name: string) => new RegExp(`(?:const|let|function|class)\\s+${name}\\b|import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}`).test(code);
  const given = Object.entries(GIVEN).filter(([name]) => new RegExp(`\\b${name}\\b`).test(code) && !declared(name));
  return [...given.map(([, declaration]) => declaration), code, 'export {};', ''].join('\n');
}

/** A block's `expression; // 'value' …` lines as checks that print what the expression is and what the comment says. */
function checked(code: string): string {
  return code
    .split('\n')
    .map((line) => {
      const match = /^(.+?);\s*\/\/\s*('[^']*'|\[[^\]]*\])/.exec(line);
      return match ? `console.log(JSON.stringify({ expression: ${JSON.stringify(match[1])}, got: ${match[1]}, readme: ${match[2]} }));` : line;
    })
    .join('\n');
}

const PEERS = ['ai', 'zod', '@ai-sdk/provider', '@types/node', 'better-sqlite3', 'ws', '@statelyai/inspect', '@opentelemetry/api', '@restatedev/restate-sdk', '@restatedev/restate-sdk-clients', 'vitest', 'tsx'];
const typescript = blocks('ts');
let project: InstalledProject;

beforeAll(async () => {
  project = await installedProject(PEERS);
  // The provider the README installs (`npm install ai zod @ai-sdk/openai`), as its types say it is.
  project.write('node_modules/@ai-sdk/openai/package.json', JSON.stringify({ name: '@ai-sdk/openai', type: 'module', types: './index.d.ts', exports: { '.': { types: './index.d.ts' } } }));
  project.write('node_modules/@ai-sdk/openai/index.d.ts', "import type { LanguageModelV3 } from '@ai-sdk/provider';\nexport declare function openai(modelId: string): LanguageModelV3;\n");
  // The store the conformance block tests: one of the user's own.
  project.write('src/my-store.ts', "import { memoryStore, type Store } from 'echelon';\nexport const myStore = (name: string): Store & { readonly name: string } => Object.assign(memoryStore(), { name });\n");
  for (const { line, code } of typescript) {
    const named = /^\/\/ (test\/[\w-]+\.test\.ts)\n/.exec(code)?.[1];
    project.write(named ?? `readme/block-${line}.ts`, withGiven(code));
  }
  const compilerOptions = { strict: true, target: 'es2022', noEmit: true, types: ['node'], skipLibCheck: true };
  project.write('tsconfig.json', JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'nodenext' }, include: ['readme', 'test', 'src'] }));
  project.write('tsconfig.bundler.json', JSON.stringify({ compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler' }, include: ['readme', 'test', 'src'] }));
}, 120_000);
afterAll(async () => {
  project?.remove();
  await removeBuild();
});

describe("the README's code, in a project of a user's own", () => {
  it('has its TypeScript blocks, every one of which typechecks, strict, under nodenext and under bundler resolution', async () => {
    expect(typescript.length).toBeGreaterThanOrEqual(19);
    for (const tsconfig of ['tsconfig.json', 'tsconfig.bundler.json']) {
      const { code, stdout } = await project.tsc(tsconfig);
      expect(stdout.replace(/readme\/block-(\d+)\.ts/g, 'README.md block at line $1'), tsconfig).toBe('');
      expect(code).toBe(0);
    }
  }, 120_000);

  it('runs the opening example as plain JavaScript (.mjs, no tsx), and it prints what its comments say', async () => {
    project.write('opening.mjs', checked(typescript[0]!.code));
    const { code, stdout, stderr } = await project.node(['opening.mjs']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const checks = stdout.trim().split('\n').map((line) => JSON.parse(line) as { expression: string; got: unknown; readme: unknown });
    expect(checks.map((check) => check.expression)).toEqual(['outcome.status', 'outcome.executedBy', 'outcome.delegationChain', '(await risky).status']);
    for (const check of checks) expect(check.got, check.expression).toEqual(check.readme);
  });

  it("runs the mock model's block, which escalates with the message its comment says", async () => {
    const mock = typescript.find(({ code }) => code.includes('MockLanguageModelV3'))!;
    project.write('mock.ts', checked(withGiven(mock.code)));
    const { code, stdout } = await project.node(['--import', 'tsx', 'mock.ts']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim().split('\n')[0]!)).toMatchObject({ expression: 'outcome.escalations[0].message', got: 'needs a lead', readme: 'needs a lead' });
  });

  it('runs the scenario of “Writing a scenario” on its own and under echelon run, and checks and simulates the design with echelon check and simulate', async () => {
    const scenario = typescript.find(({ code }) => code.includes('defineScenario({'))!;
    const design = typescript.find(({ code }) => code.includes('defineDesign({'))!;
    project.write('my-scenario.ts', scenario.code);
    project.write('my-design.ts', design.code);
    const cli = join(project.dir, 'node_modules', 'echelon', 'dist', 'src', 'cli', 'index.js');
    expect(await project.node(['--import', 'tsx', 'my-scenario.ts'])).toMatchObject({ code: 0, stdout: 'completed by backend_dev_1\n' });
    const traced = await project.node([cli, 'run', 'my-scenario.ts', '--compact']);
    expect(traced).toMatchObject({ code: 0, stdout: expect.stringContaining('» completed by backend_dev_1') });
    const check = await project.node([cli, 'check', 'my-design.ts']);
    expect(check).toMatchObject({ code: 0, stdout: expect.stringMatching(/✓ 0 error\(s\), 0 warning\(s\)/) });
    const simulated = await project.node([cli, 'simulate', 'my-design.ts', '--json']);
    expect(simulated.code).toBe(0);
    const report = JSON.parse(simulated.stdout) as { seed: number; tasks: { submitted: number; completed: number } };
    expect(report.seed).toBe(42);
    expect(report.tasks.submitted).toBeGreaterThan(0);
  }, 60_000);
});
