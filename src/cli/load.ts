/**
 * Loads a scenario file for the CLI: JavaScript with Node's own `import()`, TypeScript through
 * tsx's loader API (`tsImport`, an optional peer of the package), so the built CLI can step
 * `examples/<name>.ts` without compiling it first.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EchelonError } from '../errors.js';
import { scenarioProblem, type Scenario } from '../scenario/define.js';
import { designProblem } from '../simulate/design.js';
import { clause, oneLine } from '../show.js';

const TYPESCRIPT = /\.(c|m)?tsx?$/;

/**
 * Imports `file` (relative to `cwd`) and returns its default export, checked to be a scenario.
 *
 * @example
 * ```ts
 * const scenario = await loadScenario('examples/dev-team.ts');
 * ```
 */
export async function loadScenario(file: string, cwd = process.cwd()): Promise<Scenario> {
  const module = await importModule(file, cwd, 'scenario file');
  const candidate = module.default;
  const problem = scenarioProblem(candidate);
  if (problem !== undefined) {
    throw new EchelonError('invalid_scenario', `${file} does not export a scenario as its default export: ${problem}${misplaced(module)} (see “Writing a scenario” in echelon's README.md).`, { details: { file } });
  }
  return candidate as Scenario;
}

/**
 * What the scenario's `run()` threw, as the CLI says it: echelon's own refusals as they are, and
 * anything else in one line with `invalid_scenario` — its stack (through tsx, a data: URL as long
 * as the file) is for running the file on its own.
 */
export function scenarioFailure(error: unknown, file: string): unknown {
  if (error instanceof EchelonError) return error;
  return new EchelonError('invalid_scenario', `The scenario's run() threw: ${clause(oneLine(String(error)))}. Run ${file} on its own (node or npx tsx) to see where.`, { details: { file }, cause: error });
}

/** What a module without a default export holds instead, when that is a scenario under a name or a design: said so the fix is plain. */
function misplaced(module: Record<string, unknown>): string {
  const named = module.default === undefined ? Object.keys(module).find((name) => scenarioProblem(module[name]) === undefined) : undefined;
  if (named !== undefined) return ` — it exports one as \`${named}\`: make it the default (export default ${named})`;
  if ([module.design, module.default].some((candidate) => candidate !== undefined && designProblem(candidate) === undefined)) return ' — it exports a design: check or simulate it with echelon check or echelon simulate (run, step and view take a scenario)';
  return '';
}

/**
 * Imports `file` (relative to `cwd`): JavaScript with `import()`, TypeScript through tsx. Returns
 * its exports, with the default export unwrapped where tsx wrapped a CommonJS module once more.
 *
 * @example
 * ```ts
 * const { design } = await importModule('examples/bottleneck.ts');
 * ```
 */
export async function importModule(file: string, cwd = process.cwd(), kind = 'file'): Promise<Record<string, unknown>> {
  const path = resolve(cwd, file);
  if (!existsSync(path)) throw new EchelonError('invalid_scenario', `No ${kind} at ${path}.`, { details: { file } });
  const url = pathToFileURL(path).href;
  let module: Record<string, unknown>;
  try {
    module = (TYPESCRIPT.test(path) ? await importTypeScript(url, `${file} (a TypeScript ${kind})`) : await import(url)) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof EchelonError) throw error;
    // The module's own error, said in one line: what a loader prints for a TypeScript file is mostly its data: URL.
    throw new EchelonError('invalid_scenario', `${kind[0]!.toUpperCase()}${kind.slice(1)} ${path} threw while loading: ${clause(oneLine(String(error)))}. Run it on its own (node or npx tsx) to see where.`, {
      details: { file },
      cause: error,
    });
  }
  const outer = module.default;
  // tsx may wrap a module it compiled as CommonJS once more.
  if (outer !== null && typeof outer === 'object' && 'default' in outer && !('run' in outer)) return { ...(outer as Record<string, unknown>), ...module, default: (outer as { default: unknown }).default };
  return module;
}

async function importTypeScript(url: string, what: string): Promise<unknown> {
  let tsx: { tsImport(specifier: string, parentURL: string): Promise<unknown> };
  try {
    tsx = (await import('tsx/esm/api')) as typeof tsx;
  } catch (error) {
    throw new EchelonError('missing_dependency', `Loading ${what} needs tsx: npm install --save-dev tsx (or compile it to JavaScript).`, {
      cause: error,
    });
  }
  return tsx.tsImport(url, import.meta.url);
}
