/**
 * `delegating`: the strategy picks the child to hand a task to — or a decomposer splits it into
 * subtasks — answered now or with a promise. A strategy that keeps the task has this agent
 * execute it if it can; one that names a non-child fails the task with `invalid_delegate`.
 */
import { isThenable } from '../../thenable.js';
import type { Answer, DecisionControl, Job, Step } from '../../../machines/ports.js';
import type { Decomposer } from '../../delegation/decomposition.js';
import { canExecuteHere, type Route } from '../../delegation/route.js';
import type { Candidate, Declined } from '../../delegation/types.js';
import { taskErrorFromUnknown } from '../../errors.js';
import { fanoutStep } from '../../delegation/fanout.js';
import { show } from '../../show.js';
import type { DecisionConfig } from './config.js';
import { SplitContext, StrategyContext } from './contexts.js';
import { failStep } from './outcomes.js';
import { handedOut, handedTo } from '../../sealed-task.js';

type Evaluate = (agentId: string, job: Job, load: Readonly<Record<string, number>>, forced?: Route, declined?: Declined) => Answer<Step>;

const strategyFailed = (error: unknown): Step => ({ kind: 'fail', error: taskErrorFromUnknown(error, 'strategy_error') });

export function selector(config: DecisionConfig, evaluate: Evaluate) {
  const { hierarchy } = config;

  /** The decomposer to consult for a job: never for a subtask at the agent that made it, nor one already addressed. */
  const splitter = (agentId: string, job: Job): Decomposer | undefined => {
    const { task } = job;
    if (job.mode !== 'route' || job.to !== undefined) return undefined;
    if (task.origin.kind === 'subtask' && task.origin.agent === agentId) return undefined;
    return config.decomposerFor(agentId, task);
  };

  function select(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Answer<Step> {
    if (job.to !== undefined) return { kind: 'assign', childId: job.to };
    const decomposer = splitter(agentId, job);
    return decomposer === undefined ? delegate(agentId, job, candidates, control) : split(agentId, job, candidates, control, decomposer);
  }

  function split(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl, decomposer: Decomposer): Answer<Step> {
    const children = candidates.map((candidate) => ({ id: candidate.id, node: candidate.node, capabilities: hierarchy.subtreeCapabilities(candidate.id), load: candidate.load }));
    const context = new SplitContext(hierarchy.get(agentId), hierarchy, children, control, (amount) => config.reportCost(job.task, amount));
    const planned = (answer: Parameters<typeof fanoutStep>[5]): Answer<Step> => {
      const fanout = fanoutStep(hierarchy, config.fanout, agentId, job.task, decomposer, answer, config.costSpent(job.task));
      if (fanout !== undefined) return fanout;
      // It declined to split: the task goes on whole, and a failure to place it says it was not split.
      const whole = delegate(agentId, job, candidates, control);
      return isThenable(whole) ? Promise.resolve(whole).then(notSplit) : notSplit(whole);
    };
    const notSplit = (step: Step): Step =>
      step.kind === 'fail' && step.error.code === 'unroutable' ? { ...step, error: { ...step.error, message: `${step.error.message.replace(/\.$/, '')}, and decomposer "${decomposer.name}" at ${agentId} declined to split it (it answered no subtasks).` } } : step;
    const broken = (error: unknown): Step => {
      const reason = taskErrorFromUnknown(error, 'decomposer_error');
      // A planner that spent the task's budget fails it for that reason, not as a broken planner.
      if (reason.code === 'budget_exceeded') return { kind: 'fail', error: reason };
      return { kind: 'fail', error: { code: 'decomposer_error', message: `Decomposer "${decomposer.name}" at ${agentId} failed: ${reason.message}` } };
    };
    try {
      const answer = decomposer.decompose(handedOut(job.task), context);
      return isThenable(answer) ? Promise.resolve(answer).then(planned, broken) : planned(answer);
    } catch (error) {
      return broken(error);
    }
  }

  /** The strategy picks a child; when it picks none, the agent executes the task if it can. */
  function delegate(agentId: string, job: Job, candidates: readonly Candidate[], control: DecisionControl): Answer<Step> {
    const strategy = config.strategyFor(agentId);
    try {
      const context = new StrategyContext(hierarchy.get(agentId), hierarchy, control, (amount) => config.reportCost(job.task, amount));
      const chosen = strategy.select(handedTo(strategy.select, job.task), candidates, context);
      // Closures only for an answer that comes later: this runs at every hop.
      if (isThenable(chosen)) return Promise.resolve(chosen).then((later: unknown) => choose(agentId, job, candidates, strategy.name, later), strategyFailed);
      return choose(agentId, job, candidates, strategy.name, chosen);
    } catch (error) {
      return strategyFailed(error);
    }
  }

  /** The step for the strategy's choice. */
  function choose(agentId: string, job: Job, candidates: readonly Candidate[], strategy: string, chosen: unknown): Answer<Step> {
    if (chosen === undefined || chosen === null) {
      // The strategy keeps the task: this agent executes it if it can.
      if (canExecuteHere(hierarchy, agentId, job.task)) return evaluate(agentId, job, {}, 'execute');
      // Children that could have taken it make the failure the strategy's choice, not a missing capability.
      const capable = candidates.filter((candidate) => candidate.capable).map((candidate) => candidate.id);
      return evaluate(agentId, job, {}, 'none', capable.length === 0 ? undefined : { strategy, children: capable });
    }
    if (typeof chosen !== 'string' || !candidates.some((candidate) => candidate.id === chosen)) {
      return failStep(
        'invalid_delegate',
        `Strategy "${strategy}" at ${agentId} chose ${show(chosen)}, which is not one of its children (${candidates.map((c) => c.id).join(', ')}).`,
        { strategy, agentId },
      );
    }
    return { kind: 'assign', childId: chosen };
  }

  return { select, splits: (agentId: string, job: Job) => splitter(agentId, job) !== undefined };
}
