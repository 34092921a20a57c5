/** The conformance suite, and the resume suites, against the in-memory store. */
import { describe, it } from 'vitest';
import { memoryStore, type Store } from '../../src/index.js';
import { storeConformance } from '../../src/store/testing/index.js';
import { describePeople } from '../durability/people-contract.js';
import { describeResume } from '../durability/resume-contract.js';

const same = (store: Store) => store;
const factory = { name: 'memory', create: memoryStore, reopen: same, alongside: same };

storeConformance(factory.name, factory, { describe, it });
describeResume(factory);
describePeople(factory);
