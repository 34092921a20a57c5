/**
 * `evaluatingEscalation`: for a job an agent takes, the loop, depth and escalation limits, the
 * route its capabilities give (hand down, execute, nobody), and the escalation policy's verdict —
 * which may come later (a promise) — turned into a step: escalate up, resolve it here, or go on.
 */
import { isThenable } from '../../thenable.js';
import { handedTo } from '../../sealed-task.js';
import type { Answer, Job, Step } from '../../../machines/ports.js';
import { candidatesFor, routeOf, type Route } from '../../delegation/route.js';
import type { Candidate, Declined } from '../../delegation/types.js';
import { taskErrorFromUnknown } from '../../errors.js';
import { escalationTarget } from '../../escalation/target.js';
import type { EscalationContext, EscalationVerdict, ResolutionMode } from '../../escalation/types.js';
import { checkVerdict } from '../../escalation/verdict.js';
import type { AgentNode } from '../../hierarchy/types.js';
import type { EscalationReason } from '../../types.js';
import type { DecisionConfig } from './config.js';
import { failStep, raise, type Outcomes } from './outcomes.js';

/** What evaluation knows before the policy answers. */
interface Situation {
  readonly agentId: string;
  readonly node: AgentNode;
  readonly job: Job;
  readonly route: Route;
  readonly candidates: readonly Candidate[];
  readonly context: EscalationContext;
  readonly executable: boolean;
  /** The strategy kept the task, which this agent cannot do (route `none` though children could). */
  readonly declined: Declined | undefined;
}

const policyError = (error: unknown): Step => ({ kind: 'fail', error: taskErrorFromUnknown(error, 'policy_error') });


export function evaluator(
  config: DecisionConfig,
  { dead, execute, proceed }: Outcomes,
  splits: (agentId: string, job: Job) => boolean,
  resolutionMode: (reason: EscalationReason) => ResolutionMode,
) {
  const { hierarchy, policy } = config;

  /** The step for a job; `forced` is the route when the strategy kept the task (execute here, or nobody: `declined` says who could have). */
  function evaluate(agentId: string, job: Job, load: Readonly<Record<string, number>>, forced?: Route, declined?: Declined): Answer<Step> {
    const { task } = job;
    if (task.chain.indexOf(agentId) !== task.chain.length - 1) {
      return failStep('delegation_loop', `Task ${task.id} came back to ${agentId} along ${task.chain.join(' → ')}.`, { chain: task.chain });
    }
    if (task.chain.length > config.maxDepth) {
      return failStep('depth_exceeded', `Task ${task.id} was delegated ${task.chain.length} levels deep (limit ${config.maxDepth}).`, { chain: task.chain });
    }
    if (task.escalations.length > config.maxEscalations) return unresolved(task);
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
    } else if (forced === undefined && splits(agentId, job)) {
      route = 'delegate';
    }
    const situation: Situation = { agentId, node: hierarchy.get(agentId), job, route, candidates, context: { hierarchy, route, claims }, executable, declined };
    try {
      const answer = policy.shouldEscalate(handedTo(policy.shouldEscalate, task), situation.node, situation.context);
      if (isThenable(answer)) return Promise.resolve(answer).then((value) => judge(situation, checkVerdict(value)), policyError).catch(policyError);
      return judge(situation, checkVerdict(answer));
    } catch (error) {
      return policyError(error);
    }
  }

  /** The step once the policy's verdict is known. */
  function judge(situation: Situation, verdict: EscalationVerdict | undefined): Step {
    const { agentId, node, job, route, candidates, context, executable, declined } = situation;
    const { task } = job;
    if (verdict === undefined) return proceed(agentId, node, task, route, candidates, undefined, declined);
    if (verdict.reason === 'approval_required') {
      return route === 'execute' ? execute(task, node, verdict, undefined) : proceed(agentId, node, task, route, candidates, undefined);
    }
    const message = verdict.message ?? `${agentId} escalates "${task.type}" (${verdict.reason}).`;
    const target = escalationTarget(hierarchy, policy, node, verdict.reason, task, context);
    if (target.kind === 'refused') return { kind: 'fail', error: target.error };
    if (target.kind === 'self' || (target.kind === 'nobody' && route !== 'none')) {
      // Nobody above to ask, or the policy says this agent is the one: it resolves the matter itself.
      // Recording it keeps the same flag from escalating again further down.
      const handled: Job = {
        task: { ...task, escalations: [...task.escalations, { id: `${task.id}#${task.escalations.length}`, reason: verdict.reason, from: agentId, to: agentId }] },
        mode: job.mode,
      };
      const mode = resolutionMode(verdict.reason);
      if (mode === 'execute' && executable) return execute(handled.task, node, undefined, handled);
      if (mode === 'defer' && context.claims.length > 0) {
        return { kind: 'defer', resources: [...new Set(context.claims.map((claim) => claim.resource))], job: { ...handled, mode: 'defer' } };
      }
      return proceed(agentId, node, handled.task, route, candidates, handled);
    }
    if (target.kind === 'nobody') return dead(agentId, task, verdict.reason, message, undefined, declined);
    // The limit is checked before raising one more: a task escalates at most `maxEscalations` times.
    if (task.escalations.length >= config.maxEscalations) return unresolved(task);
    return raise(task, verdict.reason, target.to, message);
  }

  /** The task escalated as often as the limit allows and is still not resolved. */
  function unresolved(task: Job['task']): Step {
    const cause = task.cause === undefined ? '' : ` It started with ${task.cause.by} failing it: ${task.cause.error.message}`;
    return failStep('escalation_unresolved', `Task ${task.id} escalated ${task.escalations.length} times (limit ${config.maxEscalations}) without being resolved.${cause}`, {
      taskId: task.id,
      ...(task.cause === undefined ? {} : { cause: task.cause.error }),
    });
  }

  return evaluate;
}
