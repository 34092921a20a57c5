/**
 * The test suite as `npm run mutate` runs it: without the tests whose code runs in child
 * processes or browsers (mutants are only active in the test process), which would only add
 * time and flakiness to each mutant; and without the benchmark's smoke test and the scale
 * tests (25 s and 30 s a run, paid again by every mutant that survives — what they check of
 * the decisions, ordinary tests check too).
 */
import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        ...configDefaults.exclude,
        'test/crash/**',
        'test/browser.test.ts',
        'test/cli.test.ts',
        'test/durability/lock.test.ts',
        'test/hardening/faults.crash.test.ts',
        'test/hardening/missing-peers.test.ts',
        'test/hardening/packaging.test.ts',
        'test/restate/**',
        'test/bench.test.ts',
        'test/scale.test.ts',
      ],
    },
  }),
);
