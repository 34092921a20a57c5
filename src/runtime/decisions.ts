/**
 * The agents' judgement, assembled from the user's strategy and policies: for each job an
 * agent takes, decide to escalate, delegate, execute (after approval if needed), defer or
 * fail — with loop and depth protection, and escalation targets checked to go up, never down.
 */
import type { DecisionControl, Job, Step } from '../../machines/ports.js';
import type { TaskError } from '../errors.js';
import { taskErrorFromUnknown } from '../errors.js';
import { candidatesFor, routeOf, type Route } from '../delegation/route.js';
import type { Candidate, DelegationStrategy } from '../delegation/types.js';
import { DEFAULT_RESOLUTIONS, toVerdict } from '../escalation/policy.js';
import type { EscalationContext, EscalationPolicy, EscalationVerdict, ResolutionMode } from '../escalation/types.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { ApprovalRequirement, EscalationReason, Task } from '../types.js';
import type { Decomposer, DecompositionContext } from '../delegation/decomposition.js';
import { fanoutStep, type FanoutLimits } from './fanout.js';
import type { ResourceRegistry } from './resources.js';

/** Decides whether a task needs approval before an agent executes it (besides task flags). */
export type ApprovalRule = (task: Task, agent: AgentNode) => ApprovalRequirement | boolean | undefined;

export interface DecisionConfig {
  readonly hierarchy: Hierarchy;
  readonly strategyFor: (agentId: string) => DelegationStrategy;
  readonly policy: EscalationPolicy;
  readonly approvalRule: ApprovalRule | undefined;
  readonly hasExecutor: (agentId: string) => boolean;
  readonly resources: ResourceRegistry;
  readonly maxDepth: number;
  readonly maxEscalations: number;
  /** The decomposer that may split `task` at `agentId`, if any. */
  readonly decomposerFor: (agentId: string, task: Task) => Decomposer | undefined;
  readonly fanout: FanoutLimits;
  /** Charges a task's cost budget (throws `budget_exceeded` over it). */
  readonly reportCost: (task: Task, amount: number) => void;
  /** What a task's budget account has spent so far (its planning, say): its subtasks share the rest. */
  readonly costSpent: (task: Task) => number;
  /** True when escalations that reach the top go to a person instead of failing. */
  readonly human: boolean;
}

export interface Decisions {
  evaluate(agentId: string, job: Job, load: Readonly<Record<string, number>>): Step;
  select(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Step | Promise<Step>;
  escalateAfter(agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError, retryable?: boolean): Step;
  resolutionMode(reason: EscalationReason): ResolutionMode;
  /** Whether `select` will ask a decomposer for this job (its failures are then `decomposer_error`). */
  splits(agentId: string, job: Job): boolean;
}

export function createDecisions(config: DecisionConfig): Decisions {
  const { hierarchy, policy } = config;
  const resolutionMode = (reason: EscalationReason): ResolutionMode => policy.resolution?.(reason) ?? DEFAULT_RESOLUTIONS[reason];
  const fail = (code: TaskError['code'], message: string, details?: Record<string, unknown>): Step => ({
    kind: 'fail',
    error: details === undefined ? { code, message } : { code, message, details },
  });

  /** The decomposer to consult for a job: never for a subtask at the agent that made it, nor one already addressed. */
  const splitter = (agentId: string, job: Job): Decomposer | undefined => {
    const { task } = job;
    if (job.mode !== 'route' || job.to !== undefined) return undefined;
    if (task.origin.kind === 'subtask' && task.origin.agent === agentId) return undefined;
    return config.decomposerFor(agentId, task);
  };

  /** Nobody can take the task from here: a person decides, or it fails (with the error that started it, if any). */
  const dead = (agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError): Step => {
    if (config.human) return raise(task, reason, 'human', message, error);
    if (error !== undefined) return { kind: 'fail', error };
    if (task.cause !== undefined) return { kind: 'fail', error: task.cause.error, executedBy: task.cause.by, attempts: task.cause.attempts ?? 0 };
    if (reason !== 'beyond_capability') {
      // Escalated for something other than capability (an executor asking for a decision, say): say so.
      return fail('escalation_unresolved', `${message} — ${agentId} escalated "${task.type}" (${reason}) and nobody above it can resolve it.`, {
        taskId: task.id,
        reason,
        agentId,
      });
    }
    const excluded = task.excluded.length > 0 ? ` (besides ${task.excluded.join(', ')}, which could not)` : '';
    return fail('unroutable', `No agent can take "${task.type}" from ${agentId}: nobody there or below has that capability${excluded}.`, {
      taskId: task.id,
      type: task.type,
      agentId,
    });
  };

  const executeStep = (task: Task, node: AgentNode, flagged: EscalationVerdict | undefined, job: Job | undefined): Step => {
    let requirement: ApprovalRequirement | undefined;
    if (task.approvedBy.length === 0) {
      if (flagged !== undefined) requirement = task.approval ?? {};
      else {
        const ruled = config.approvalRule?.(task, node);
        if (ruled === true) requirement = task.approval ?? {};
        else if (ruled) requirement = ruled;
      }
    }
    const withJob = job === undefined ? {} : { job };
    if (requirement === undefined) return { kind: 'execute', ...withJob };
    const reason = requirement.reason ?? flagged?.message;
    return {
      kind: 'execute',
      approval: {
        ...requirement,
        ...(reason === undefined ? {} : { reason }),
      },
      ...withJob,
    };
  };

  const proceed = (agentId: string, node: AgentNode, task: Task, route: Route, candidates: readonly Candidate[], job: Job | undefined): Step => {
    const withJob = job === undefined ? {} : { job };
    switch (route) {
      case 'delegate':
        return { kind: 'delegate', candidates, ...withJob };
      case 'execute':
        return executeStep(task, node, undefined, job);
      case 'none':
        return { ...dead(agentId, task, 'beyond_capability', `Nobody at or below ${agentId} can do "${task.type}".`), ...withJob };
    }
  };

  function evaluate(agentId: string, job: Job, load: Readonly<Record<string, number>>, forced?: Route): Step {
    const { task } = job;
    const node = hierarchy.get(agentId);
    if (task.chain.indexOf(agentId) !== task.chain.length - 1) {
      return fail('delegation_loop', `Task ${task.id} came back to ${agentId} along ${task.chain.join(' → ')}.`, { chain: task.chain });
    }
    if (task.chain.length > config.maxDepth) {
      return fail('depth_exceeded', `Task ${task.id} was delegated ${task.chain.length} levels deep (limit ${config.maxDepth}).`, { chain: task.chain });
    }
    if (task.escalations.length > config.maxEscalations) {
      const cause = task.cause === undefined ? '' : ` It started with ${task.cause.by} failing it: ${task.cause.error.message}`;
      return fail('escalation_unresolved', `Task ${task.id} escalated ${task.escalations.length} times (limit ${config.maxEscalations}) without being resolved.${cause}`, {
        taskId: task.id,
        ...(task.cause === undefined ? {} : { cause: task.cause.error }),
      });
    }
    // A deferred job waits until nobody else holds its resources — this agent included, since
    // the job is about to be routed elsewhere.
    const claims = config.resources.conflicts(agentId, task, job.mode === 'defer');
    if (job.mode === 'defer' && claims.length > 0) return { kind: 'defer', resources: [...new Set(claims.map((claim) => claim.resource))] };
    const executable = config.hasExecutor(agentId);
    let candidates = forced === undefined && job.mode !== 'execute' ? candidatesFor(hierarchy, agentId, task, load) : [];
    let route: Route = forced ?? (job.mode === 'execute' ? (executable ? 'execute' : 'none') : routeOf(hierarchy, agentId, task, candidates));
    if (route === 'execute' && !executable) route = 'none';
    if (forced === undefined && job.to !== undefined) {
      // A subtask its decomposer addressed goes to that child, whatever the routing says.
      candidates = candidates.filter((candidate) => candidate.id === job.to);
      route = 'delegate';
    } else if (forced === undefined && splitter(agentId, job) !== undefined) {
      route = 'delegate';
    }

    const context: EscalationContext = { hierarchy, route, claims };
    let verdict: EscalationVerdict | undefined;
    let target: string | undefined;
    try {
      verdict = toVerdict(policy.shouldEscalate(task, node, context));
      if (verdict === undefined) return proceed(agentId, node, task, route, candidates, undefined);
      if (verdict.reason === 'approval_required') {
        return route === 'execute' ? executeStep(task, node, verdict, undefined) : proceed(agentId, node, task, route, candidates, undefined);
      }
      const chosen = policy.target(node, verdict.reason, task, context);
      target = typeof chosen === 'string' ? chosen : chosen?.id;
    } catch (error) {
      return { kind: 'fail', error: taskErrorFromUnknown(error, 'policy_error') };
    }
    const message = verdict.message ?? `${agentId} escalates "${task.type}" (${verdict.reason}).`;

    if (target === agentId || (target === undefined && route !== 'none')) {
      // Nobody above to ask, or the policy says this agent is the one: it resolves the matter itself.
      // Recording it keeps the same flag from escalating again further down.
      const handled: Job = {
        task: { ...task, escalations: [...task.escalations, { id: `${task.id}#${task.escalations.length}`, reason: verdict.reason, from: agentId, to: agentId }] },
        mode: job.mode,
      };
      const mode = resolutionMode(verdict.reason);
      if (mode === 'execute' && executable) return executeStep(handled.task, node, undefined, handled);
      if (mode === 'defer' && claims.length > 0) return { kind: 'defer', resources: [...new Set(claims.map((claim) => claim.resource))], job: { ...handled, mode: 'defer' } };
      return proceed(agentId, node, handled.task, route, candidates, handled);
    }
    if (target === undefined) return dead(agentId, task, verdict.reason, message);
    if (!hierarchy.has(target) || !hierarchy.isAncestor(target, agentId)) {
      return fail(
        'invalid_escalation_target',
        `The escalation policy sent "${task.type}" from ${agentId} to "${target}", which is not above ${agentId}: escalations only go up.`,
        { from: agentId, to: target, reason: verdict.reason },
      );
    }
    return raise(task, verdict.reason, target, message);
  }

  function select(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Step | Promise<Step> {
    if (job.to !== undefined) return { kind: 'assign', childId: job.to };
    const decomposer = splitter(agentId, job);
    if (decomposer === undefined) return delegate(agentId, job, candidates, control);
    const node = hierarchy.get(agentId);
    const context: DecompositionContext = {
      agent: node,
      hierarchy,
      children: candidates.map((candidate) => ({ id: candidate.id, node: candidate.node, capabilities: hierarchy.subtreeCapabilities(candidate.id), load: candidate.load })),
      get signal() {
        return control.signal;
      },
      reportCost: (amount) => config.reportCost(job.task, amount),
    };
    const split = (answer: Parameters<typeof fanoutStep>[5]): Step | Promise<Step> =>
      fanoutStep(hierarchy, config.fanout, agentId, job.task, decomposer, answer, config.costSpent(job.task)) ?? delegate(agentId, job, candidates, control);
    const broken = (error: unknown): Step => {
      const reason = taskErrorFromUnknown(error, 'decomposer_error');
      // A planner that spent the task's budget fails it for that reason, not as a broken planner.
      if (reason.code === 'budget_exceeded') return { kind: 'fail', error: reason };
      return { kind: 'fail', error: { code: 'decomposer_error', message: `Decomposer "${decomposer.name}" at ${agentId} failed: ${reason.message}` } };
    };
    try {
      const answer = decomposer.decompose(job.task, context);
      return answer instanceof Promise ? answer.then(split, broken) : split(answer);
    } catch (error) {
      return broken(error);
    }
  }

  /** The strategy picks a child; when it picks none, the agent executes the task if it can. */
  function delegate(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Step | Promise<Step> {
    const strategy = config.strategyFor(agentId);
    const choose = (chosen: unknown): Step => {
      if (chosen === undefined || chosen === null) {
        // The strategy keeps the task: this agent executes it if it can.
        const canExecute = hierarchy.get(agentId).capabilities.includes(job.task.type) && !job.task.excluded.includes(agentId);
        return evaluate(agentId, job, {}, canExecute ? 'execute' : 'none');
      }
      if (typeof chosen !== 'string' || !candidates.some((candidate) => candidate.id === chosen)) {
        return fail(
          'invalid_delegate',
          `Strategy "${strategy.name}" at ${agentId} chose ${JSON.stringify(chosen) ?? String(chosen)}, which is not one of its children (${candidates.map((c) => c.id).join(', ')}).`,
          { strategy: strategy.name, agentId },
        );
      }
      return { kind: 'assign', childId: chosen };
    };
    const onError = (error: unknown): Step => ({ kind: 'fail', error: taskErrorFromUnknown(error, 'strategy_error') });
    try {
      const chosen = strategy.select(job.task, candidates, {
        agent: hierarchy.get(agentId),
        hierarchy,
        get signal() {
          return control.signal;
        },
        reportCost: (amount) => config.reportCost(job.task, amount),
      });
      return chosen instanceof Promise ? chosen.then(choose, onError) : choose(chosen);
    } catch (error) {
      return onError(error);
    }
  }

  function escalateAfter(agentId: string, task: Task, reason: EscalationReason, message: string, error?: TaskError, retryable = true): Step {
    const node = hierarchy.get(agentId);
    if (reason === 'approval_required') return executeStep(task, node, { reason, message }, undefined);
    // The policy sees the failure as the task will carry it (a retry cannot fix it: no reassigning, by default).
    if (error !== undefined) task = { ...task, cause: { error, by: agentId, ...(retryable ? {} : { retryable: false as const }) } };
    if (task.escalations.length >= config.maxEscalations) {
      return { kind: 'fail', error: error ?? task.cause?.error ?? { code: 'escalation_unresolved', message: `Task ${task.id} escalated too often (limit ${config.maxEscalations}).` } };
    }
    let target: string | undefined;
    try {
      const chosen = policy.target(node, reason, task, { hierarchy, route: 'execute', claims: [] });
      target = typeof chosen === 'string' ? chosen : chosen?.id;
    } catch (thrown) {
      return { kind: 'fail', error: taskErrorFromUnknown(thrown, 'policy_error') };
    }
    if (target === undefined || target === agentId) return dead(agentId, task, reason, message, error);
    if (!hierarchy.has(target) || !hierarchy.isAncestor(target, agentId)) {
      return fail('invalid_escalation_target', `The escalation policy sent "${task.type}" from ${agentId} to "${target}", which is not above ${agentId}.`, {
        from: agentId,
        to: target,
        reason,
      });
    }
    return raise(task, reason, target, message);
  }

  return {
    evaluate: (agentId, job, load) => evaluate(agentId, job, load),
    select,
    escalateAfter,
    resolutionMode,
    splits: (agentId, job) => job.to === undefined && splitter(agentId, job) !== undefined,
  };
}

/**
 * An escalation of `task`: a task an executor failed carries that failure up with it, in the
 * escalation's `error` and its message (a policy's "nobody below can do it" is then not the whole story).
 */
function raise(task: Task, reason: EscalationReason, to: string, message: string, error?: TaskError): Step {
  const cause = task.cause;
  const carried = error ?? cause?.error;
  if (carried === undefined) return { kind: 'escalate', reason, to, message };
  const told = cause === undefined || message.includes(cause.error.message) ? message : `${message} (${cause.by} failed it: ${cause.error.message})`;
  return { kind: 'escalate', reason, to, message: told, error: carried, ...(cause?.error === carried && cause.retryable === false ? { retryable: false as const } : {}) };
}
