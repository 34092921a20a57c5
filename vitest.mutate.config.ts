/**
 * The test suite as `npm run mutate` runs it: without the tests whose code runs in child
 * processes or browsers (mutants are only active in the test process), which would only add
 * time and flakiness to each mutant.
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
      ],
    },
  }),
);
