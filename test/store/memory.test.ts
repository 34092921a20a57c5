/** The conformance suite, and the resume suites, against the in-memory store. */
import { describe, expect, it } from 'vitest';
import { memoryStore, type Store } from '../../src/index.js';
import { storeConformance } from '../../src/store/testing/index.js';
import { describePeople } from '../durability/people-contract.js';
import { describeResume } from '../durability/resume-contract.js';

const same = (store: Store) => store;
const factory = { name: 'memory', create: memoryStore, reopen: same, alongside: same };

storeConformance(factory.name, factory, { describe, it });
describeResume(factory);
describePeople(factory);

describe('the in-memory store, with a large batch', () => {
  it('takes a batch of 300,000 journal lines (20,000 tasks submitted in one turn write about that many)', () => {
    const store = memoryStore();
    const journal = Array.from({ length: 300_000 }, (_, index) => ({ type: 'task.submitted' as const, at: index, actor: 'submitter', taskId: `t${index}`, rootId: `t${index}` }));
    store.write({ session: 1, header: { agents: [{ id: 'cto', parent: null }], snapshotFormat: 1 }, snapshots: [], tasks: [], removedTasks: [], outcomes: [], escalations: [], approvals: [], journal });
    expect(store.journal().length).toBe(300_000);
    expect(store.journal({ after: 299_999 })).toMatchObject([{ seq: 300_000, taskId: 't299999' }]);
  });
});
