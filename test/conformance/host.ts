/**
 * What the conformance suite runs against: an organisation behind the `Orchestrator` operations a
 * caller that always `await`s can use on any host, and a host factory per host. The in-process
 * host wraps `createOrchestrator` on a simulated clock; the Restate host (restate-host.ts) serves
 * the same options from an endpoint in the test process and answers through the ingress.
 */
import { SimulatedClock } from 'xstate';
import { flush } from '../support/helpers.js';
import {
  createOrchestrator,
  memoryStore,
  type AgentStatus,
  type Approval,
  type Escalation,
  type EscalationResolution,
  type JournalEntry,
  type JournalQuery,
  type OrchestratorOptions,
  type OrchestratorStatus,
  type Outcome,
  type TaskInput,
} from '../../src/index.js';

/** A value, or a promise of it: in-process reads answer at once, remote ones later. */
export type Awaitable<T> = T | Promise<T>;

/** The operations every host offers (the in-process `Orchestrator` is one of these as it is). */
export interface ConformanceOrg {
  submit<TResult = unknown>(task: TaskInput, options?: { readonly at?: string }): Promise<Outcome<TResult>>;
  outcome<TResult = unknown>(taskId: string): Promise<Outcome<TResult>>;
  cancel(taskId: string, reason?: string): Promise<Outcome>;
  status(): Awaitable<OrchestratorStatus>;
  agentState(agentId: string): Awaitable<AgentStatus>;
  readonly escalations: {
    active(): Awaitable<Escalation[]>;
    get(id: string): Awaitable<Escalation | undefined>;
    resolve(id: string, resolution: EscalationResolution): Awaitable<void>;
  };
  readonly approvals: {
    pending(): Awaitable<Approval[]>;
    get(id: string): Awaitable<Approval | undefined>;
    approve(id: string, decision: { readonly by: string; readonly comment?: string }): Awaitable<void>;
    reject(id: string, decision: { readonly by: string; readonly reason?: string }): Awaitable<void>;
  };
  /** The audit log (in-process: from the memory store every organisation here gets). */
  journal(query?: JournalQuery): Awaitable<JournalEntry[]>;
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An organisation's options as every host takes them: no clock (each host owns its time), no
 * store (each host owns its state), nothing that only one process can see.
 */
export type ConformanceOptions = Omit<OrchestratorOptions, 'clock' | 'store' | 'resume' | 'inspect' | 'messageDelayMs' | 'random' | 'retain'>;

/** One organisation started on a host. */
export interface HostedOrg {
  readonly org: ConformanceOrg;
  /** Lets `ms` of the organisation's time pass: a simulated clock moves, or real time goes by. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** A host the suite runs on. */
export interface ConformanceHost {
  readonly name: string;
  /** Whether time is the host's own (real): cases that wait for timers then wait for real. */
  readonly realTime: boolean;
  /** Once per test file, before the first organisation (a server to start, say). */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  start(options: ConformanceOptions): Promise<HostedOrg>;
  /**
   * Waits until `read()` satisfies `done`, and returns what it read. In process: rounds of the
   * event loop, a fixed number of them (deterministic; the simulated clock never moves by itself).
   * Remote: polls until a generous bound, which is a hang guard, never a measured duration.
   */
  until<T>(read: () => Awaitable<T>, done: (value: T) => boolean, what: string): Promise<T>;
}

const ROUNDS = 2_000;

/** The in-process host: `createOrchestrator` on a `SimulatedClock`, with a memory store (so that it keeps a journal, as Restate does). */
export const inProcessHost: ConformanceHost = {
  name: 'in-process',
  realTime: false,
  async start(options) {
    const clock = new SimulatedClock();
    const org = createOrchestrator({ ...options, clock, store: memoryStore() });
    return {
      org,
      async advance(ms) {
        clock.increment(ms);
        await flush(5);
      },
      close: () => org.stop(),
    };
  },
  async until(read, done, what) {
    let value = await read();
    for (let round = 0; !done(value); round++) {
      if (round === ROUNDS) throw new Error(`in-process: still waiting after ${ROUNDS} rounds for ${what}; last read: ${JSON.stringify(value)}`);
      await flush(1);
      value = await read();
    }
    return value;
  },
};
