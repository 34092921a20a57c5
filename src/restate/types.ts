/**
 * The public vocabulary of `echelon/restate`: the options every process of one organisation is
 * built from, the endpoint a service process serves, and the client that offers the
 * `Orchestrator` operations over Restate's ingress and admin APIs.
 */
import type { AgentStatus, OrchestratorStatus } from '../runtime/api.js';
import type { OrchestratorOptions } from '../runtime/options.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { ForgetQuery, JournalEntry, JournalQuery } from '../store/types.js';
import type { Approval, Escalation, EscalationResolution, Outcome, TaskInput } from '../types.js';

/** What only an in-process organisation has: its clock, its stepping, its store, its inspector. */
export type InProcessOnlyOption = 'clock' | 'messageDelayMs' | 'random' | 'store' | 'resume' | 'inspect';

/**
 * The options of an organisation on Restate: `createOrchestrator`'s (hierarchy, executors,
 * strategies, decomposers, policies, approvals, execution, concurrency, decisions, limits) less
 * what Restate owns (time, randomness and state come from Restate), plus where it lives. Build
 * every process of one organisation — each service process and every client — from the same
 * options module.
 */
export interface RestateOrganisationOptions extends Omit<OrchestratorOptions, InProcessOnlyOption> {
  /** Prefixes every service, object and workflow of this organisation (default `'echelon'`): organisations sharing one server never collide. */
  readonly name?: string;
  /**
   * Agents that head their own object service (a unit), besides the root: every agent of a
   * unit's subtree is a key of that unit's service, hosted by whichever deployment serves the
   * unit. Default: each report of the root.
   */
  readonly units?: readonly string[];
}

/** What `restateEndpoint` takes: the organisation's options, and which units this process serves. */
export interface RestateEndpointOptions extends RestateOrganisationOptions {
  /**
   * The units (agent ids from `units`, or the root) whose subtrees this deployment serves; the
   * organisation-wide parts (the task workflow, the books, the desk, resources) are served by the
   * deployment hosting the root. Default: every unit.
   */
  readonly hosts?: readonly string[];
}

/** A service process's Restate endpoint, not yet listening. */
export interface RestateEndpoint {
  /** The Restate services this endpoint serves (register its URL with the server to route them here). */
  readonly services: readonly string[];
  /**
   * Serves the endpoint over HTTP/2 on `port` (0 or absent: a free one) on `host` (default
   * 127.0.0.1; `'0.0.0.0'` or `'::'` for a Restate server in a container or on another machine). A
   * string of digits is a port too (`listen(process.env.PORT)`); anything else is `invalid_option`.
   * The listening's `url` is on `host`, or on 127.0.0.1 for every interface: register the address the
   * server reaches this machine at when it runs elsewhere.
   */
  listen(port?: number | string, host?: string): Promise<RestateListening>;
}

/** A listening endpoint. */
export interface RestateListening {
  /** What to register with the server's admin API (`POST /deployments`). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** What `restateOrchestrator` takes: the organisation's options and where the server is. */
export interface RestateClientOptions extends RestateOrganisationOptions {
  /** The server's ingress, e.g. `http://127.0.0.1:8080`. */
  readonly ingressUrl: string;
  /** The server's admin API, e.g. `http://127.0.0.1:9070` (for status and drain). */
  readonly adminUrl: string;
  /** Headers sent with every request (authentication, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * How long a call waits for the server to answer before it fails with `engine_unavailable`
   * (`details.timedOut`, `details.timeoutMs`), in ms; default 30 000, `Infinity` waits for ever.
   * It holds for every call but the wait for an outcome (`outcome`, and `submit` and `cancel`
   * once the server took them), which lasts as long as the task does.
   */
  readonly requestTimeoutMs?: number;
}

/**
 * The `Orchestrator` operations over Restate: the same names and arguments, asynchronous where
 * the in-process ones are synchronous (a caller that always `await`s works with both), and the
 * same `EchelonError` codes for refusals. It holds no state of the organisation: any number of
 * clients, in any process, see the same organisation.
 */
export interface RestateOrchestrator {
  readonly hierarchy: Hierarchy;
  /** The organisation's name in Restate. */
  readonly name: string;
  /** Submits a task (one workflow per task id: a resubmitted id gets its first outcome and never runs twice). */
  submit<TResult = unknown>(task: TaskInput, options?: { readonly at?: string }): Promise<Outcome<TResult>>;
  /** Waits for a task's outcome (through its workflow); `unknown_task` for an id never submitted. */
  outcome<TResult = unknown>(taskId: string): Promise<Outcome<TResult>>;
  /** Cancels a task wherever its pieces are; resolves with its outcome. */
  cancel(taskId: string, reason?: string): Promise<Outcome>;
  status(): Promise<OrchestratorStatus>;
  agentState(agentId: string): Promise<AgentStatus>;
  readonly escalations: {
    active(): Promise<Escalation[]>;
    resolved(): Promise<Escalation[]>;
    get(id: string): Promise<Escalation | undefined>;
    resolve(id: string, resolution: EscalationResolution): Promise<void>;
  };
  readonly approvals: {
    pending(): Promise<Approval[]>;
    get(id: string): Promise<Approval | undefined>;
    approve(id: string, decision: { readonly by: string; readonly comment?: string }): Promise<void>;
    reject(id: string, decision: { readonly by: string; readonly reason?: string }): Promise<void>;
  };
  /** The audit log: one submitted task's entries (with its subtasks and escalations), or every task's. */
  journal(query?: JournalQuery): Promise<JournalEntry[]>;
  /**
   * Refused (`invalid_option`, after the query is checked as in-process): an organisation on
   * Restate keeps its state in Restate. Restate's own retention removes a finished task's workflow
   * record and invocation journals; the case object keyed by the task's id keeps its books and
   * journal as object state, which that retention leaves: clear it with Restate's tools (`restate
   * kv clear <case service>/<task id>`).
   */
  forget(query: ForgetQuery): Promise<never>;
  /**
   * After a redeploy to a new URL: moves the workflows of tasks submitted before it (each waits
   * for its outcome on the deployment it started on) onto the deployment now serving the
   * organisation's root, so their outcomes arrive with the old process gone; resolves with their
   * task ids.
   */
  moveTasks(): Promise<string[]>;
  /** Resolves when no submitted task is active. */
  drain(options?: { readonly pollMs?: number; readonly timeoutMs?: number }): Promise<void>;
  /** Stops this client (the organisation itself runs on: it lives in Restate). */
  stop(): Promise<void>;
}
