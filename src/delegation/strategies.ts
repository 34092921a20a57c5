/**
 * The reference's three delegation strategies — capability matching, load balancing,
 * skill-based — plus a wrapper for custom ones. All route by subtree capability: a child is a
 * candidate when it or anyone below it can do the task.
 */
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { textProblem } from '../shape/index.js';
import { show } from '../show.js';
import type { Task } from '../types.js';
import type { Candidate, DelegationContext, DelegationStrategy } from './types.js';
import { ownDecision } from '../sealed-task.js';

/**
 * The first child (in hierarchy order) whose subtree can do the task.
 *
 * @example
 * ```ts
 * createOrchestrator({ hierarchy: developmentTeam(), executors, strategy: capabilityMatching() });
 * ```
 */
export function capabilityMatching(): DelegationStrategy {
  return { name: 'capability-matching', select: ownDecision((_task: Task, candidates: readonly Candidate[]) => candidates.find((candidate) => candidate.capable)?.id) };
}

/**
 * Among the children whose subtree can do the task, the one with the fewest tasks in flight
 * (the delegating agent counts +1 on assign, −1 when the task comes back, whatever the result).
 * Ties go to the first in hierarchy order.
 *
 * @example
 * ```ts
 * createOrchestrator({ hierarchy, executors, strategy: loadBalancing() });
 * ```
 */
export function loadBalancing(): DelegationStrategy {
  return { name: 'load-balancing', select: ownDecision((_task: Task, candidates: readonly Candidate[]) => leastLoaded(candidates.filter((candidate) => candidate.capable))?.id) };
}

/** Skill scores per agent: `{ agentId: { skill: score } }`. */
export type SkillScores = Readonly<Record<string, Readonly<Record<string, number>>>>;

/**
 * Among the children whose subtree can do the task, the one whose subtree scores highest on
 * the task's required skills (`task.requiredSkills`, or `payload.required_skills` as in the
 * reference). A child's score for a skill is the best score of anyone in its subtree, from
 * `scores` or else from the agents' `skills` in the hierarchy. Ties go to the less loaded child.
 *
 * @example
 * ```ts
 * const strategy = skillBased({ api_specialist: { graphql: 0.9 }, db_specialist: { graphql: 0.2 } });
 * ```
 */
export function skillBased(scores: SkillScores = {}): DelegationStrategy {
  const cache = new WeakMap<Hierarchy, Map<string, Map<string, number>>>();
  const subtreeScores = (hierarchy: Hierarchy, agentId: string): Map<string, number> => {
    let perAgent = cache.get(hierarchy);
    if (perAgent === undefined) cache.set(hierarchy, (perAgent = new Map()));
    let best = perAgent.get(agentId);
    if (best === undefined) {
      best = new Map();
      for (const node of hierarchy.subtree(agentId)) {
        for (const [skill, score] of Object.entries({ ...node.skills, ...scores[node.id] })) {
          best.set(skill, Math.max(best.get(skill) ?? Number.NEGATIVE_INFINITY, score));
        }
      }
      perAgent.set(agentId, best);
    }
    return best;
  };
  return {
    name: 'skill-based',
    select: ownDecision((task: Task, candidates: readonly Candidate[], context: DelegationContext) => {
      const capable = candidates.filter((candidate) => candidate.capable);
      const skills = requiredSkills(task);
      let best: Candidate | undefined;
      let bestScore = Number.NEGATIVE_INFINITY;
      for (const candidate of capable) {
        const known = subtreeScores(context.hierarchy, candidate.id);
        const score = skills.reduce((sum, skill) => sum + Math.max(0, known.get(skill) ?? 0), 0);
        if (score > bestScore || (score === bestScore && best !== undefined && candidate.load < best.load)) {
          best = candidate;
          bestScore = score;
        }
      }
      return best?.id;
    }),
  };
}

/**
 * Wraps a function as a named strategy.
 *
 * @example
 * ```ts
 * const roundRobin = (() => { let next = 0; return delegateWith('round-robin', (_task, candidates) => {
 *   const capable = candidates.filter((c) => c.capable);
 *   return capable[next++ % capable.length]?.id;
 * }); })();
 * ```
 */
export function delegateWith(name: string, select: DelegationStrategy['select']): DelegationStrategy {
  // Refused where it is built, as approveWhen is: otherwise every task its agent routes fails (strategy_error).
  const problem = textProblem(name, 'delegateWith(name, select): the name');
  if (problem !== undefined) throw new EchelonError('invalid_option', problem);
  if (typeof select !== 'function') throw new EchelonError('invalid_option', `delegateWith(name, select): select must be a function of the task and its candidates, got ${show(select)}.`);
  return { name, select };
}

/**
 * The skills a task asks for: `requiredSkills`, else the reference's `payload.required_skills`.
 *
 * @example
 * ```ts
 * requiredSkills(task); // ['graphql'] for { requiredSkills: ['graphql'] } or { payload: { required_skills: ['graphql'] } }
 * ```
 */
export function requiredSkills(task: Task): readonly string[] {
  if (task.requiredSkills.length > 0) return task.requiredSkills;
  const fromPayload = (task.payload as { required_skills?: unknown } | null | undefined)?.required_skills;
  return Array.isArray(fromPayload) ? fromPayload.filter((skill): skill is string => typeof skill === 'string') : [];
}

function leastLoaded(candidates: readonly Candidate[]): Candidate | undefined {
  let best: Candidate | undefined;
  for (const candidate of candidates) if (best === undefined || candidate.load < best.load) best = candidate;
  return best;
}
