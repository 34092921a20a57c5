// @ts-check
/**
 * StrykerJS over one module of test/mutation/modules.mjs, named by MUTATE_MODULE
 * (`npm run mutate` runs them all; `npm run mutate -- join` one). Not part of `npm test` or CI.
 *
 * - StrykerJS 9.6.1: 10 needs Node 22.
 * - `tsconfigFile` points at a file that does not exist: Stryker's tsconfig step needs the
 *   TypeScript JS API, which TypeScript 7 does not have. Survivors are typechecked afterwards
 *   by test/mutation/typecheck-survivors.mjs (`tsc --noEmit` on each survivor applied to a
 *   scratch copy): one `tsc` rejects counts as caught, since CI typechecks.
 * - Tests that run the code in child processes or browsers, where mutants are never active
 *   (test/crash, the CLI, the browser, the lock holder, packaging), are left out: see
 *   vitest.mutate.config.ts.
 */
import { MODULES, reportDir } from './test/mutation/modules.mjs';

const module = process.env.MUTATE_MODULE ?? '';
const chosen = MODULES[/** @type {keyof typeof MODULES} */ (module)];
if (chosen === undefined) throw new Error(`MUTATE_MODULE must be one of ${Object.keys(MODULES).join(', ')} (got "${module}").`);
const dir = reportDir(module);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // vitest.mutate.config.ts runs the module's test files, named by MUTATE_MODULE too.
  vitest: { configFile: 'vitest.mutate.config.ts', related: false },
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate: chosen.mutate,
  concurrency: 2,
  // On top of 1.5 × the tests' own time: a mutant that hangs a test (an approval never
  // refused, a loop that never ends) is cut off 5 s later — and counts as caught.
  timeoutMS: 5_000,
  incremental: true,
  incrementalFile: `${dir}/incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `${dir}/index.html` },
  jsonReporter: { fileName: `${dir}/mutation.json` },
  tsconfigFile: 'tsconfig.stryker-none.json',
  disableTypeChecks: true,
  tempDirName: `.stryker-tmp/${module}`,
  // Every module's sandbox and report stays out of the others' sandboxes.
  ignorePatterns: ['/.stryker-tmp', '/reports', '/dist', '/.bench-build', '/coverage', '/test-results'],
  cleanTempDir: true,
};
