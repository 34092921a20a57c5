/** The conformance suite and the resume suites, unchanged, against the SQLite store: each store a new file, each reopen a new connection. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import type { Store } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { storeConformance } from '../../src/store/testing/index.js';
import { describePeople } from '../durability/people-contract.js';
import { describeResume } from '../durability/resume-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

const factory = {
  name: 'sqlite',
  create: () => sqliteStore(join(dir, `store-${++files}.db`)),
  reopen: (store: Store) => {
    store.close();
    return sqliteStore(store.name);
  },
  alongside: (store: Store) => sqliteStore(store.name),
};

storeConformance(factory.name, factory, { describe, it });
describeResume(factory);
describePeople(factory);
