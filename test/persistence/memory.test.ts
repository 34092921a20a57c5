/** The conformance suites against the in-memory store. */
import { memoryStore } from '../../src/index.js';
import { describePeople } from './people-contract.js';
import { describeResume } from './resume-contract.js';
import { describeStoreContract } from './store-contract.js';

const factory = { name: 'memory', create: memoryStore, reopen: (store: ReturnType<typeof memoryStore>) => store, alongside: (store: ReturnType<typeof memoryStore>) => store };

describeStoreContract(factory);
describeResume(factory);
describePeople(factory);
