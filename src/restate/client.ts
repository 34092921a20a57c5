/**
 * `restateOrchestrator`: the `Orchestrator` operations over Restate's ingress (submissions,
 * outcomes, cancellations, people's decisions, agent states) and admin API (what is pending or
 * active across tasks, journals). It keeps no state of the organisation; refusals are the
 * in-process `EchelonError`s, raised before anything is sent where the in-process host raises them
 * at the door.
 */
import './polyfill.js';
import { nanoid } from 'nanoid';
import { connect, rpc, type Ingress } from '@restatedev/restate-sdk-clients';
import { EchelonError, type TaskError } from '../errors.js';
import { hierarchyMetrics } from '../hierarchy/metrics.js';
import type { AgentStatus } from '../runtime/api.js';
import { entryOf } from '../runtime/submit.js';
import { lossyNumber, taskIdProblem, unknownTask, validateSubmission } from '../task-input.js';
import type { JournalQuery, JournalRecord, StoredApproval, StoredEscalation } from '../store/types.js';
import type { Approval, Escalation, Outcome, TaskInput } from '../types.js';
import { countKeys, runningInvocations, stateRows, type AdminApi } from './admin-query.js';
import { CASE_KEYS, journalEntries } from './case-books.js';
import { checkForgetQuery, checkJournalQuery } from '../store/query.js';
import type { Answer } from './case-object.js';
import type { CaseOpening } from './ingress-door.js';
import { organisationBase } from './organisation.js';
import type { RestateClientOptions, RestateOrchestrator } from './types.js';
import { ingressFailures, notFound, unreachable } from './ingress-failures.js';
import { decisionProblem, MAX_ID_LENGTH, resolutionProblem, shortened } from './ingress-door.js';
import { MESSAGE_LIMIT_BYTES, mib, oversized, sized } from './message-size.js';
import { moveTaskWorkflows } from './redeploy.js';
import { forgetRefused } from './retention.js';

type Handlers = Record<string, (...args: unknown[]) => Promise<unknown>>;

/** A refusal from a case, thrown as in-process. */
function raise(answer: Answer): void {
  if (answer.ok) return;
  const error: TaskError = answer.error;
  throw new EchelonError(error.code, error.message, error.details === undefined ? {} : { details: { ...error.details } });
}

/** `value` when there is no problem with it; the problem, thrown, when there is. */
function door<T>(problem: EchelonError | undefined, value: T): T {
  if (problem !== undefined) throw problem;
  return value;
}

/** Refuses an ingressUrl or adminUrl that is not an http(s) URL. */
function checkUrls(options: RestateClientOptions): void {
  for (const key of ['ingressUrl', 'adminUrl'] as const) {
    if (typeof options[key] !== 'string' || !/^https?:\/\//.test(options[key])) {
      throw new EchelonError('invalid_option', `restateOrchestrator needs ${key}: the server's URL, e.g. ${key === 'ingressUrl' ? 'http://127.0.0.1:8080' : 'http://127.0.0.1:9070'}.`);
    }
  }
}

/** What the task workflow's run said when it refused a submission that did not come from this client (a terminal failure, `invalid_task: …`), if that is how the attach failed. */
function refusedAtRun(error: unknown): string | undefined {
  const { status, responseText } = (error ?? {}) as { status?: unknown; responseText?: unknown };
  if (status !== 400 || typeof responseText !== 'string') return undefined;
  try {
    const said = (JSON.parse(responseText) as { message?: unknown }).message;
    return typeof said === 'string' && said.startsWith('invalid_task: ') ? said.slice('invalid_task: '.length) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether fetch gave up waiting for a response's headers (undici's `UND_ERR_HEADERS_TIMEOUT`, anywhere in the causes). */
function headersTimedOut(error: unknown): boolean {
  for (let cause = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    if ((cause as { code?: unknown }).code === 'UND_ERR_HEADERS_TIMEOUT') return true;
  }
  return false;
}

/** How long a call waits for the server's answer unless `requestTimeoutMs` says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The client's `requestTimeoutMs`: a whole number of ms from 1 to 2147483647 (what a timer takes), or `Infinity`. */
function requestTimeout(options: RestateClientOptions): number {
  const given: unknown = options.requestTimeoutMs;
  if (given === undefined) return DEFAULT_REQUEST_TIMEOUT_MS;
  if (given === Infinity || (typeof given === 'number' && Number.isInteger(given) && given >= 1 && given <= 2_147_483_647)) return given;
  throw new EchelonError('invalid_option', `restateOrchestrator: requestTimeoutMs is how long a call waits for the server to answer: a whole number of ms from 1 to 2147483647, or Infinity; got ${String(given)}.`, {
    details: { option: 'requestTimeoutMs' },
  });
}

/**
 * A client of an organisation on Restate, built from the same options module as its service
 * processes.
 *
 * @example
 * ```ts
 * const org = restateOrchestrator({ ...organisationOptions, ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });
 * const outcome = await org.submit({ id: 'login-1', type: 'api_design' });
 * outcome.executedBy; // 'api_specialist'
 * ```
 */
export function restateOrchestrator(options: RestateClientOptions): RestateOrchestrator {
  const { layout, limits } = organisationBase(options, 'restateOrchestrator');
  const { hierarchy } = options;
  checkUrls(options);
  const timeoutMs = requestTimeout(options);
  const headers = { ...options.headers };
  const ingress: Ingress = connect({ url: options.ingressUrl, headers });
  const { adminUrl } = options;
  const admin: AdminApi = { url: adminUrl, headers, timeoutMs };
  // Each call that is answered at once (all but an outcome's, which waits for its task) gives up after timeoutMs.
  const timed = timeoutMs === Infinity ? undefined : rpc.opts({ timeout: timeoutMs });
  const timedSend = timeoutMs === Infinity ? undefined : rpc.sendOpts({ timeout: timeoutMs });
  let stopped = false;
  const open = () => {
    if (stopped) throw new EchelonError('orchestrator_stopped', 'This client is stopped; create a new one (the organisation itself runs on in Restate).');
  };
  const { reach, unserved, serviceMissing } = ingressFailures({ ingressUrl: options.ingressUrl, adminUrl, headers, name: layout.name, root: hierarchy.root.id, timeoutMs });
  /** An object's handler, called with the timeout. */
  const object = (service: string, key: string) => {
    const handlers = ingress.objectClient({ name: service } as never, key) as unknown as Handlers;
    return new Proxy({} as Handlers, { get: (_target, handler: string) => (...args: unknown[]) => handlers[handler]!(...args, ...(timed === undefined ? [] : [timed])) });
  };
  const workflow = (taskId: string) => {
    const client = ingress.workflowClient({ name: layout.task } as never, taskId) as unknown as { workflowSubmit(opening: CaseOpening, opts?: unknown): Promise<unknown>; workflowAttach(): Promise<Outcome> };
    return { submit: (opening: CaseOpening) => (timedSend === undefined ? client.workflowSubmit(opening) : client.workflowSubmit(opening, timedSend)), attach: () => client.workflowAttach() };
  };

  const outcome = async <TResult>(taskId: string): Promise<Outcome<TResult>> => {
    open();
    const refused = taskIdProblem('org.outcome', taskId);
    if (refused !== undefined) throw refused;
    return outcomeOf<TResult>(taskId, 'org.outcome');
  };
  /** A task's outcome, waited for while it is active; what `where` (outcome, cancel) answers for an id it does not know. */
  const outcomeOf = async <TResult>(taskId: string, where: 'org.outcome' | 'org.cancel'): Promise<Outcome<TResult>> => {
    if (taskId.length > MAX_ID_LENGTH) throw new EchelonError('unknown_task', `No task "${shortened(taskId)}": on Restate no task id is over ${MAX_ID_LENGTH} characters.`, { details: { taskId } });
    try {
      // fetch gives up on a response whose headers take over 5 minutes (undici's headersTimeout), and an
      // attach sends none until the task ends (an approval may wait for days): attaching again is safe.
      for (;;) {
        try {
          return (await workflow(taskId).attach()) as Outcome<TResult>;
        } catch (error) {
          if (!headersTimedOut(error)) throw error;
        }
      }
    } catch (error) {
      // An attach says only "not found", for an id never submitted and for a workflow nobody registered alike: the admin API tells them apart.
      if (notFound(error) && (await serviceMissing(layout.task))) throw unserved({ message: `service '${layout.task}' not found` }, `the outcome of task "${taskId}"`)!;
      // A subtask or a resolution task lives in its submitted task's case: the caller is told which that is, as in-process.
      if (notFound(error)) throw unknownTask(taskId, where, await caseOf(CASE_KEYS.task, taskId));
      const refused = refusedAtRun(error);
      if (refused !== undefined) throw new EchelonError('invalid_task', refused, { cause: error, details: { taskId } });
      if (unreachable(error)) {
        throw new EchelonError('engine_unavailable', `The Restate server stopped answering while task "${taskId}" was awaited: ask for its outcome again once the server is back (the task itself is not lost).`, { cause: error, details: { taskId } });
      }
      throw unserved(error, `the outcome of task "${taskId}"`, { taskId }) ?? error;
    }
  };
  const escalations = async () => (await stateRows(admin, layout.case, CASE_KEYS.escalation)).map((row) => (row.value as StoredEscalation).escalation);
  const approvals = async () => (await stateRows(admin, layout.case, CASE_KEYS.approval)).map((row) => (row.value as StoredApproval).approval);
  /** The submitted task whose case keeps a record (`e:` or `a:` + id). */
  // No id echelon makes is that long, nor a task's (refused at submit): a longer one is not asked about (the admin API refuses a query over about 2 MiB).
  const caseOf = async (prefix: string, id: string): Promise<string | undefined> => id.length > MAX_ID_LENGTH ? undefined : (await stateRows(admin, layout.case, prefix + id)).find((row) => row.key === prefix + id)?.serviceKey;
  const recordOf = async <T>(prefix: string, id: string): Promise<T | undefined> => id.length > MAX_ID_LENGTH ? undefined : (await stateRows(admin, layout.case, prefix + id)).find((row) => row.key === prefix + id)?.value as T | undefined;
  const decide = async (handler: 'approve' | 'reject', id: string, decision: { by: string }) => {
    const root = await caseOf(CASE_KEYS.approval, id);
    if (root === undefined) throw new EchelonError('unknown_approval', `No approval "${shortened(id)}".`, { details: { approvalId: id } });
    raise((await reach(`the decision on approval "${id}"`, () => object(layout.case, root)[handler]!({ id, decision }))) as Answer);
  };

  return {
    hierarchy,
    name: layout.name,

    async submit<TResult>(input: TaskInput, submitOptions: { readonly at?: string } = {}) {
      open();
      const entry = entryOf(submitOptions, hierarchy.root.id);
      hierarchy.get(entry);
      const { task, budget } = validateSubmission(input, {
        entry,
        now: Date.now(),
        newId: () => `task_${nanoid(10)}`,
        // A resubmitted id is the same workflow: it gets the first outcome.
        isActive: () => false,
        defaults: { maxSubtasks: limits.maxSubtasks, maxDepth: limits.maxDecompositionDepth },
      });
      if (task.id.length > MAX_ID_LENGTH) {
        throw new EchelonError('invalid_task', `Task "${shortened(task.id)}": on Restate a task id is at most ${MAX_ID_LENGTH} characters (it is in the URL of its workflow; one of 64 KiB is refused there), got ${task.id.length}.`, { details: { taskId: task.id, limit: MAX_ID_LENGTH } });
      }
      const bytes = oversized(task);
      if (bytes !== undefined) {
        throw new EchelonError('invalid_task', `Task "${task.id}" is ${sized(bytes)} as JSON; on Restate a task is at most ${mib(MESSAGE_LIMIT_BYTES)} (a message over about 10 MiB never settles there): keep large data elsewhere and pass a reference to it.`, {
          details: { taskId: task.id, bytes, limit: MESSAGE_LIMIT_BYTES },
        });
      }
      const lossy = lossyNumber(task, budget);
      if (lossy !== undefined) {
        throw new EchelonError('invalid_task', `Task "${task.id}": ${lossy} is Infinity, which JSON — how Restate carries a task — cannot say (it arrives as null): leave it out, or give a finite number.`, {
          details: { taskId: task.id, field: lossy },
        });
      }
      // The server may have taken it before failing to answer: the id is given back, so the caller asks, or submits again with it (never a second task).
      const again = ` The task may have been submitted: org.outcome("${task.id}") tells, and submitting again with { id: "${task.id}" } never starts a second one.`;
      await reach(`the submission of task "${task.id}"`, () => workflow(task.id).submit({ task, entry, ...(budget === undefined ? {} : { budget }) }), { taskId: task.id }, again);
      return outcome<TResult>(task.id);
    },

    outcome,

    async cancel(taskId: string, reason?: string) {
      open();
      const refused = taskIdProblem('org.cancel', taskId, reason);
      if (refused !== undefined) throw refused;
      if (taskId.length <= MAX_ID_LENGTH) raise((await reach(`the cancellation of task "${taskId}"`, () => object(layout.case, taskId).cancel!({ taskId, reason: reason ?? 'cancelled by request' }))) as Answer);
      return outcomeOf(taskId, 'org.cancel');
    },

    async status() {
      open();
      const [activeTasks, all, pending, inFlight] = await Promise.all([
        countKeys(admin, layout.case, CASE_KEYS.open),
        escalations(),
        approvals(),
        // Attempts and awaited decisions, as in-process.
        runningInvocations(admin, [`${layout.name}-run-`, `${layout.name}-decide-`]),
      ]);
      return {
        hierarchyDepth: hierarchyMetrics(hierarchy).depth,
        totalAgents: hierarchy.size,
        activeTasks,
        activeEscalations: all.filter((escalation) => escalation.status === 'active').length,
        resolvedEscalations: all.filter((escalation) => escalation.status !== 'active').length,
        pendingApprovals: pending.filter((approval) => approval.status === 'pending').length,
        inFlight,
      };
    },

    async agentState(agentId: string) {
      open();
      hierarchy.get(agentId);
      return (await reach(`a status read of agent "${agentId}"`, () => object(layout.agents(layout.unitOf(agentId)), agentId).status!())) as AgentStatus;
    },

    escalations: {
      active: async () => (open(), (await escalations()).filter((escalation) => escalation.status === 'active')),
      resolved: async () => (open(), (await escalations()).filter((escalation) => escalation.status !== 'active')),
      get: async (id: string) => (open(), (await recordOf<StoredEscalation>(CASE_KEYS.escalation, id))?.escalation as Escalation | undefined),
      async resolve(id, resolution) {
        open();
        door(resolutionProblem(id, resolution), resolution);
        const root = await caseOf(CASE_KEYS.escalation, id);
        if (root === undefined) throw new EchelonError('unknown_escalation', `No escalation "${shortened(id)}".`, { details: { escalationId: id } });
        raise((await reach(`the resolution of escalation "${id}"`, () => object(layout.case, root).resolve!({ id, resolution }))) as Answer);
      },
    },

    approvals: {
      pending: async () => (open(), (await approvals()).filter((approval) => approval.status === 'pending')),
      get: async (id: string) => (open(), (await recordOf<StoredApproval>(CASE_KEYS.approval, id))?.approval as Approval | undefined),
      async approve(id, decision) {
        open();
        await decide('approve', id, door(decisionProblem('approve', id, decision), decision));
      },
      async reject(id, decision) {
        open();
        await decide('reject', id, door(decisionProblem('reject', id, decision), decision));
      },
    },

    async journal(query: JournalQuery = {}) {
      open();
      checkJournalQuery(query, 'org.journal');
      const rows = await stateRows(admin, layout.case, CASE_KEYS.journal, query.taskId);
      const byCase = new Map<string, Array<{ index: number; lines: JournalRecord[] }>>();
      for (const row of rows) {
        const list = byCase.get(row.serviceKey) ?? [];
        list.push({ index: Number(row.key.slice(CASE_KEYS.journal.length)), lines: row.value as JournalRecord[] });
        byCase.set(row.serviceKey, list);
      }
      let entries = [...byCase.values()].flatMap((chunks) => journalEntries(chunks.sort((a, b) => a.index - b.index).map((chunk) => chunk.lines)));
      if (query.taskId === undefined) entries = entries.sort((a, b) => a.at - b.at).map((entry, index) => ({ ...entry, seq: index + 1 }));
      if (query.after !== undefined) entries = entries.filter((entry) => entry.seq > query.after!);
      return query.limit === undefined ? entries : entries.slice(0, query.limit);
    },

    forget: async (query) => (open(), checkForgetQuery(query, 'org.forget'), Promise.reject(forgetRefused(layout))),

    async moveTasks() {
      open();
      return moveTaskWorkflows(admin, layout.task);
    },

    async drain({ pollMs = 100, timeoutMs }: { readonly pollMs?: number; readonly timeoutMs?: number } = {}) {
      open();
      const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
      while ((await countKeys(admin, layout.case, CASE_KEYS.open)) > 0) {
        if (Date.now() > deadline) throw new EchelonError('orchestrator_stopped', `Tasks were still active after ${timeoutMs} ms.`);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    },

    async stop() {
      stopped = true;
    },
  };
}
