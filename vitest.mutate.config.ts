/**
 * The tests `npm run mutate` runs against one module's mutants: the test files about that module
 * (test/mutation/modules.mjs, named by MUTATE_MODULE). Never the tests whose code runs in child
 * processes or browsers: mutants are only active in the test process.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';
import { MODULES } from './test/mutation/modules.mjs';
import { LoadFailuresAsFailedTests } from './test/mutation/load-failures.js';

const chosen = MODULES[(process.env.MUTATE_MODULE ?? '') as keyof typeof MODULES];
if (chosen === undefined) throw new Error(`MUTATE_MODULE must be one of ${Object.keys(MODULES).join(', ')}.`);

// Not mergeConfig: it would add these files to the base's include instead of replacing it.
// A test file that cannot load fails a test of its own (see load-failures.ts), or Stryker would
// count the mutant that broke it as survived.
export default defineConfig({ ...base, test: { ...base.test, include: chosen.tests, reporters: ['default', new LoadFailuresAsFailedTests()] } });
