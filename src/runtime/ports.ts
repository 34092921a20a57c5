/**
 * Wires an organisation's configuration into the policy and settings ports the agent statechart
 * is built over — per-agent strategies, policies, decomposers, approvers and limits, resolved
 * once and checked up front — and the executor runner the host calls.
 */
import { isThenable } from '../thenable.js';
import { checkApproval } from '../task-input.js';
import type { PolicyPort, SettingsPort } from '../../machines/ports.js';
import type { ExecutionRequest } from '../../machines/ports.js';
import { chooseApprover, checkAuthority } from '../approval/authority.js';
import type { ApproverDecision, ApproverPolicy } from '../approval/approvers.js';
import { decomposerLookup } from '../delegation/decomposers.js';
import { joinSettlement } from '../delegation/fanout.js';
import { capabilityMatching } from '../delegation/strategies.js';
import type { DelegationStrategy } from '../delegation/types.js';
import { EchelonError, type TaskError } from '../errors.js';
import { defaultEscalationPolicy } from '../escalation/policy.js';
import { DEFAULT_EXECUTION, DEFAULT_LIMITS, invalid, mergeExecution, positive, positiveInteger, resolveSetting } from '../settings/index.js';
import type { ApprovalRequest, ApprovalRequirement, ExecutionPolicy, Task } from '../types.js';
import { logThrown, show } from '../show.js';
import { ApprovalContext } from './decisions/contexts.js';
import { createDecisions } from './decisions/index.js';
import { executionContext, type Executor } from './executors.js';
import type { AttemptState } from './attempts.js';
import { checkOrchestratorOptions, type ExecutionOptions, type OrchestratorOptions } from './options.js';
import { checkShape, implementing, shapeContext, textProblem } from '../shape/index.js';
import type { DecisionConfig } from './decisions/config.js';
import { handedOut } from '../sealed-task.js';

export interface PortsHost {
  readonly now: () => number;
  /** Who holds which resources, as the host knows it (the in-process registry, or a host's own view of its claims). */
  readonly resources: DecisionConfig['resources'];
  /** Adds an executor's reported cost to the task's budget account; throws `budget_exceeded` over the limit. */
  readonly reportCost: (task: Task, amount: number) => void;
  /** What a task's budget account has spent so far. */
  readonly costSpent: (task: Task) => number;
  /** How an attempt reports progress to whoever follows the task (asked on its first report). */
  readonly progress?: (source: { readonly task: Task; readonly agent: string; readonly attempt: number }) => (data: unknown) => void;
  /** True when someone follows the task's progress. */
  readonly listening?: (task: Task) => boolean;
}

/** What the organisation's options resolve to: the two pure ports, and how to run an executor. */
export interface ResolvedOptions {
  readonly policy: PolicyPort;
  readonly settings: SettingsPort;
  /** Runs the agent's executor for one attempt; `signal` makes the attempt's AbortSignal when read; `state` says whether the runtime still waits for it. */
  execute(request: ExecutionRequest, signal: () => AbortSignal, state: AttemptState): Promise<unknown>;
}

/** The default wait for a decision that answers with a promise (a model routing, say). */
export const DEFAULT_DECISION_TIMEOUT_MS = 60_000;
/** The default number of such decisions an agent waits for at once. */
export const DEFAULT_DECISION_CONCURRENCY = 8;

const PORTS_HOST = implementing('a PortsHost ({ now, resources, reportCost, costSpent })', ['now', 'reportCost', 'costSpent'], ['progress', 'listening']);
const RESOURCES = implementing('who holds which resources ({ conflicts(agentId, task) })', ['conflicts']);

/** The host `resolveOptions` was given, checked before anything reads it (a model test may forget it). */
function checkPortsHost(host: PortsHost): void {
  const context = shapeContext('resolveOptions', 'invalid_option');
  checkShape(host, PORTS_HOST, 'its host', context);
  checkShape(host.resources, RESOURCES, 'host.resources', context);
}

/**
 * Checks the options as `createOrchestrator` does (unknown or misspelt keys, values of the wrong
 * kind: `invalid_option` with "did you mean"), resolves them per agent, and returns the ports every
 * agent runs over. The ports carry the decisions, settings and executors; what a host owns itself —
 * the store and resuming, the clock, people (`onEscalation`), message delays, budgets' books,
 * resource claims — it reads from the options and `host` on its own.
 */
export function resolveOptions(options: OrchestratorOptions, host: PortsHost): ResolvedOptions {
  if (typeof options !== 'object' || options === null || typeof (options as Partial<OrchestratorOptions>).hierarchy?.nodes !== 'function') {
    throw new EchelonError('invalid_option', 'resolveOptions needs the organisation\'s options: { hierarchy, executors, … }, as createOrchestrator takes them.');
  }
  checkOrchestratorOptions(options);
  checkPortsHost(host);
  const { hierarchy } = options;
  const executorFor = resolveSetting(hierarchy, 'executors', options.executors);
  const strategyFor = resolveSetting<DelegationStrategy>(hierarchy, 'strategy', options.strategy);
  const executionFor = resolveSetting<ExecutionOptions>(hierarchy, 'execution', options.execution);
  const concurrencyFor = resolveSetting<number>(hierarchy, 'concurrency', options.concurrency);
  const approverFor = resolveSetting<ApproverPolicy>(hierarchy, 'approvals.approvers', options.approvals?.approvers);
  const decisionTimeoutFor = resolveSetting<number>(hierarchy, 'decisions.timeoutMs', options.decisions?.timeoutMs);
  const decisionConcurrencyFor = resolveSetting<number>(hierarchy, 'decisions.concurrency', options.decisions?.concurrency);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  positiveInteger(limits.maxDepth, 'limits.maxDepth');
  positiveInteger(limits.maxEscalations, 'limits.maxEscalations');
  positiveInteger(limits.maxFanout, 'limits.maxFanout');
  positiveInteger(limits.maxSubtasks, 'limits.maxSubtasks');
  positiveInteger(limits.maxDecompositionDepth, 'limits.maxDecompositionDepth');
  const decomposerFor = decomposerLookup(hierarchy, options.decomposers);
  if (options.approvals?.timeoutMs !== undefined) positive(options.approvals.timeoutMs, 'approvals.timeoutMs');
  if (options.messageDelayMs !== undefined && !(options.messageDelayMs >= 0)) invalid(`messageDelayMs must be a number ≥ 0, got ${options.messageDelayMs}.`);

  const policies = new Map<string, ExecutionPolicy>();
  const missing: string[] = [];
  for (const node of hierarchy.nodes()) {
    const executor = executorFor(node.id);
    if (executor !== undefined && typeof executor !== 'function') invalid(`The executor for "${node.id}" must be a function, got ${typeof executor}.`);
    if (executor === undefined && node.capabilities.length > 0) missing.push(node.id);
    const concurrency = concurrencyFor(node.id);
    if (concurrency !== undefined) positiveInteger(concurrency, `concurrency for "${node.id}"`);
    const decisionTimeout = decisionTimeoutFor(node.id);
    if (decisionTimeout !== undefined) positive(decisionTimeout, `decisions.timeoutMs for "${node.id}"`);
    const decisionConcurrency = decisionConcurrencyFor(node.id);
    if (decisionConcurrency !== undefined) positiveInteger(decisionConcurrency, `decisions.concurrency for "${node.id}"`);
    const strategy = strategyFor(node.id);
    if (strategy !== undefined && typeof strategy.select !== 'function') invalid(`The strategy for "${node.id}" needs a select(task, candidates, context) function.`);
    policies.set(node.id, mergeExecution(DEFAULT_EXECUTION, executionFor(node.id), `execution for "${node.id}"`));
  }
  if (missing.length > 0) {
    invalid(`These agents have capabilities but no executor: ${missing.join(', ')}. Give them one in executors.byId / executors.byRole, or set executors.default.`);
  }

  const decisions = createDecisions({
    hierarchy,
    strategyFor: (agentId) => strategyFor(agentId) ?? defaultStrategy,
    policy: options.escalation ?? defaultEscalationPolicy(),
    approvalRule: options.approvals?.required,
    hasExecutor: (agentId) => executorFor(agentId) !== undefined,
    resources: host.resources,
    maxDepth: limits.maxDepth,
    maxEscalations: limits.maxEscalations,
    human: options.onEscalation !== undefined,
    decomposerFor,
    fanout: limits,
    reportCost: host.reportCost,
    costSpent: host.costSpent,
  });

  const execute = executorRunner(hierarchy, executorFor, host);

  const policy: PolicyPort = {
    evaluate: decisions.evaluate,
    select: decisions.select,
    failureCode: (agentId, job) => (decisions.splits(agentId, job) ? 'decomposer_error' : 'strategy_error'),
    escalateAfter: decisions.escalateAfter,
    resolutionMode: decisions.resolutionMode,
    approvalRequest: (agentId, task, requirement, approvalId, now) => approvalRequest(hierarchy, agentId, task, requirement, approvalId, now),
    authorize: (request, decisionsSoFar, by) => checkAuthority(hierarchy, request, decisionsSoFar, by),
    nextApprover: (request) => {
      const parent = hierarchy.parent(request.approver);
      return parent === undefined ? undefined : { approver: parent.id, requiredLevel: Math.min(request.requiredLevel, parent.level) };
    },
    decideApproval: (agentId, request, control) => {
      // A frozen copy: the request is the agent's own (an approver raising its quorum left the task waiting for ever).
      const answer = approverFor(agentId)?.(Object.freeze({ ...request }), new ApprovalContext(hierarchy.get(agentId), hierarchy, control, (amount) => control.reportCost(amount)));
      return isThenable(answer)
        ? Promise.resolve(answer).then((value) => approverDecision(agentId, request, value))
        : approverDecision(agentId, request, answer);
    },
    settleJoin: (agentId, join) => joinSettlement(agentId, join, decomposerFor(agentId, join.task)),
  };

  const concurrency = new Map(hierarchy.nodes().map((node) => [node.id, concurrencyFor(node.id) ?? 1]));
  const decisionConcurrency = new Map(hierarchy.nodes().map((node) => [node.id, decisionConcurrencyFor(node.id) ?? DEFAULT_DECISION_CONCURRENCY]));
  const settings: SettingsPort = {
    childIds: (agentId) => hierarchy.get(agentId).childIds,
    concurrency: (agentId) => concurrency.get(agentId) ?? 1,
    decisionConcurrency: (agentId) => decisionConcurrency.get(agentId) ?? DEFAULT_DECISION_CONCURRENCY,
    decisionTimeoutMs: (agentId) => decisionTimeoutFor(agentId) ?? DEFAULT_DECISION_TIMEOUT_MS,
    executionPolicy: (agentId, task) =>
      task.execution === undefined ? policies.get(agentId)! : mergeExecution(policies.get(agentId)!, task.execution, `execution of task ${task.id}`),
    retryable: (agentId, thrown) => {
      // Cancelled, out of budget, or a call the executor got wrong (context.escalate with no reason): trying again changes nothing.
      const code = echelonCodeOf(thrown);
      if (code === 'cancelled' || code === 'budget_exceeded' || code === 'invalid_option') return false;
      const retryable = executionFor(agentId)?.retryable;
      if (retryable === undefined) return true;
      try {
        // A predicate that says nothing about an error leaves it retried, as without one.
        return retryable(thrown) ?? true;
      } catch (error) {
        // The user's predicate failing must fail this task, not the process: judged not retryable.
        logThrown(`echelon: execution.retryable threw for ${agentId}; the error is not retried:`, error);
        return false;
      }
    },
    approvalTimeoutMs: options.approvals?.timeoutMs,
  };

  return { policy, settings, execute };
}

/**
 * Runs an agent's executor for one attempt. Not `async`: an async wrapper returning the executor's
 * promise costs a promise and three microtask turns per attempt. What the executor throws at once
 * is rejected the same way.
 */
function executorRunner(hierarchy: OrchestratorOptions['hierarchy'], executorFor: (agentId: string) => unknown, host: PortsHost): ResolvedOptions['execute'] {
  return ({ task, agentId, attempt, idempotencyKey }, signal, state) => {
    const executor = executorFor(agentId) as Executor<unknown, unknown> | undefined;
    if (executor === undefined) return Promise.reject(new EchelonError('invalid_option', `${agentId} has no executor, so it cannot execute "${task.type}".`));
    let report: ((data: unknown) => void) | undefined;
    const context = executionContext({
      agent: hierarchy.get(agentId),
      hierarchy,
      task,
      signal,
      attempt,
      idempotencyKey,
      now: host.now,
      reportCost: (amount) => host.reportCost(task, amount),
      // An attempt the runtime gave up on (timed out, cancelled) has nothing more to say: a retry speaks now.
      progress: (data: unknown) => (state.live ? (report ??= host.progress?.({ task, agent: agentId, attempt }) ?? (() => undefined))(data) : undefined),
      listening: () => host.listening?.(task) ?? false,
      state,
    });
    try {
      return Promise.resolve(executor(handedOut(task), context));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/**
 * An approver's answer, checked: anything but a decision or `undefined` (leave it to a person) is
 * the policy's fault (`policy_error`, an `agent.fault`), and the request waits — an answer that is
 * not `{ approve: true }` never approves, nor does it reject by accident.
 */
function approverDecision(agentId: string, request: ApprovalRequest, answer: unknown): ApproverDecision | undefined {
  if (answer === undefined) return undefined;
  const decision = answer as { approve?: unknown; comment?: unknown; reason?: unknown } | null;
  const valid =
    typeof decision === 'object' && decision !== null && typeof decision.approve === 'boolean' &&
    (decision.comment === undefined || typeof decision.comment === 'string') && (decision.reason === undefined || typeof decision.reason === 'string');
  const note = valid ? ((decision.comment ?? decision.reason) as string | undefined) : undefined;
  const tooLong = note === undefined ? undefined : textProblem(note, decision!.comment !== undefined ? 'its comment' : 'its reason');
  if (valid && tooLong === undefined) return answer as ApproverDecision;
  if (tooLong !== undefined) throw new EchelonError('policy_error', `The approver of ${agentId} decided approval ${request.id}, but ${tooLong} The request waits for a person.`, { details: { approvalId: request.id, agentId } });
  throw new EchelonError(
    'policy_error',
    `The approver of ${agentId} answered ${show(answer).slice(0, 200)} for approval ${request.id}; an approver answers { approve: true, comment? }, { approve: false, reason } or undefined (to leave it to a person). The request waits for a person.`,
    { details: { approvalId: request.id, agentId } },
  );
}

/** Why no approval request can be made from `requirement` (a level, quorum, timeout or role that is none), or undefined. */
function requirementProblem(requirement: ApprovalRequirement, where: string): TaskError | undefined {
  try {
    checkApproval(requirement, (message) => new EchelonError('invalid_option', `${where}: ${message}`));
    return undefined;
  } catch (error) {
    return (error as EchelonError).toJSON();
  }
}

/** The approval request for a task parked at `agentId`, or why none can be made. */
function approvalRequest(hierarchy: OrchestratorOptions['hierarchy'], agentId: string, task: Task, requirement: ApprovalRequirement, approvalId: string, now: number): ApprovalRequest | TaskError {
  // Whoever asked — the task, its executor, the organisation's approvals.required rule — the same numbers and role make a request.
  const refused = requirementProblem(requirement, `The approval asked for "${task.type}" (${task.id}) at ${agentId}`);
  if (refused !== undefined) return refused;
  const choice = chooseApprover(hierarchy, agentId, requirement);
  if ('code' in choice) return choice;
  const quorum = requirement.quorum ?? 1;
  // A quorum larger than those who may decide could never be met: the task would wait for ever.
  const eligible = hierarchy.ancestors(agentId).filter((node) => node.level <= choice.requiredLevel);
  if (quorum > eligible.length) {
    return {
      code: 'approval_unauthorized',
      message: `"${task.type}" at ${agentId} needs ${quorum} approvals at level ${choice.requiredLevel} or above, and only ${eligible.length} agent(s) above it have that authority (${eligible.map((node) => node.id).join(', ')}).`,
      details: { requester: agentId },
    };
  }
  return {
    id: approvalId,
    taskId: task.id,
    rootId: task.rootId,
    taskType: task.type,
    requester: agentId,
    approver: choice.approver.id,
    requiredLevel: choice.requiredLevel,
    quorum,
    reason: requirement.reason ?? `"${task.type}" needs approval before ${agentId} executes it.`,
    requestedAt: now,
    ...(task.budget?.cost === undefined ? {} : { costBudget: task.budget.cost }),
    payload: task.payload,
  };
}

const defaultStrategy = capabilityMatching();

/** The code of an `EchelonError`; undefined for anything else, a `Proxy` whose traps throw included. */
function echelonCodeOf(thrown: unknown): EchelonError['code'] | undefined {
  try {
    return thrown instanceof EchelonError ? thrown.code : undefined;
  } catch {
    return undefined;
  }
}
