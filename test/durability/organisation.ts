/**
 * An organisation on a store, for the conformance suites: start one, "crash" it (nothing is
 * written after the crash, as after SIGKILL), and bring it back from the same store as a new
 * process would.
 */
import { afterEach } from 'vitest';
import { createOrchestrator, developmentTeam, type Orchestrator, type OrchestratorOptions, type Store } from '../../src/index.js';
import { crashable, type StoreFactory } from '../support/persistence.js';

export type Options = Partial<OrchestratorOptions> & Pick<OrchestratorOptions, 'executors'>;

/** A running organisation and the store under it. */
export interface Running {
  readonly org: Orchestrator;
  /** The store as the next process opens it. */
  readonly store: Store;
  /** The process dies: nothing more reaches the store. */
  crash(): Promise<void>;
}

export function organisations(factory: StoreFactory) {
  const orgs: Orchestrator[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    await Promise.all(orgs.splice(0).map((org) => org.stop()));
    for (const store of stores.splice(0)) store.close();
  });

  const run = (store: Store, options: Options, resume: boolean): Running => {
    const dying = crashable(store);
    const org = createOrchestrator({ hierarchy: developmentTeam(), ...options, store: dying.store, resume });
    orgs.push(org);
    return {
      org,
      store,
      async crash() {
        dying.crash();
        await org.stop();
      },
    };
  };

  return {
    /** A new organisation on a new store. */
    start(options: Options): Running {
      const store = factory.create();
      stores.push(store);
      return run(store, options, false);
    },
    /** An organisation resumed from `store` (empty or not). */
    open(store: Store, options: Options): Running {
      stores.push(store);
      return run(store, options, true);
    },
    /** Crashes `running` and brings its organisation back from its store, as a new process would. */
    async resume(running: Running, options: Options): Promise<Running> {
      await running.crash();
      return this.open(factory.reopen(running.store), options);
    },
  };
}
