/**
 * The organisation as the runtime resolves it, for a static check: settings looked up per agent
 * the way `createOrchestrator` does (unknown keys left out: they are reported, not thrown), probe
 * tasks built by the runtime's own `validateTaskInput`, and a route walked with the real routing
 * rules and the organisation's own strategies.
 */
import { isThenable } from '../thenable.js';
import { DEFAULT_RESOLUTIONS, defaultEscalationPolicy } from '../escalation/policy.js';
import type { EscalationPolicy, ResolutionMode } from '../escalation/types.js';
import { canExecuteHere, candidatesFor, routeOf } from '../delegation/route.js';
import { capabilityMatching } from '../delegation/strategies.js';
import type { Decomposer } from '../delegation/decomposition.js';
import type { Candidate, Declined, DelegationStrategy } from '../delegation/types.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { ROLES } from '../hierarchy/types.js';
import { decomposerLookup } from '../delegation/decomposers.js';
import { DEFAULT_LIMITS, isPerAgent, resolveSetting, type Limits, type PerAgent, type Setting } from '../settings/index.js';
import { validateTaskInput } from '../task-input.js';
import type { EscalationReason, Task, TaskInput } from '../types.js';
import type { OrganisationOptions } from './types.js';

/** A setting looked up per agent, with `byId` keys that name no agent and invalid roles left out. */
export function lookup<T>(hierarchy: Hierarchy, name: string, setting: Setting<T> | undefined): (agentId: string) => T | undefined {
  if (setting === undefined || !isPerAgent(setting)) return resolveSetting(hierarchy, name, setting);
  const byId = Object.fromEntries(Object.entries(setting.byId ?? {}).filter(([id]) => hierarchy.has(id)));
  const byRole = Object.fromEntries(Object.entries(setting.byRole ?? {}).filter(([role]) => (ROLES as readonly string[]).includes(role)));
  return resolveSetting(hierarchy, name, { ...setting, byId, byRole } as PerAgent<T>);
}

/** Everything the checks ask of the organisation. */
export interface Resolved {
  readonly hierarchy: Hierarchy;
  readonly options: OrganisationOptions;
  readonly policy: EscalationPolicy;
  readonly strategyFor: (agentId: string) => DelegationStrategy;
  readonly decomposerFor: (agentId: string, task: Task) => Decomposer | undefined;
  /** Undefined when the options give no executors at all (a design to simulate). */
  readonly executorFor: ((agentId: string) => unknown) | undefined;
  readonly limits: Limits;
  resolution(reason: EscalationReason): ResolutionMode;
  /** A task as the runtime would make it from `input`, entering at `entry`. */
  task(input: TaskInput, entry?: string): Task;
}

export function resolve(options: OrganisationOptions): Resolved {
  const { hierarchy } = options;
  const strategies = lookup<DelegationStrategy>(hierarchy, 'strategy', options.strategy);
  const decomposers = options.decomposers;
  const safeDecomposers =
    decomposers === undefined
      ? undefined
      : { ...decomposers, byId: Object.fromEntries(Object.entries(decomposers.byId ?? {}).filter(([id]) => hierarchy.has(id))), byRole: Object.fromEntries(Object.entries(decomposers.byRole ?? {}).filter(([role]) => (ROLES as readonly string[]).includes(role))) };
  const policy = options.escalation ?? defaultEscalationPolicy();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const defaultStrategy = capabilityMatching();
  return {
    hierarchy,
    options,
    policy,
    strategyFor: (agentId) => strategies(agentId) ?? defaultStrategy,
    decomposerFor: decomposerLookup(hierarchy, safeDecomposers),
    executorFor: options.executors === undefined ? undefined : lookup(hierarchy, 'executors', options.executors),
    limits,
    resolution: (reason) => policy.resolution?.(reason) ?? DEFAULT_RESOLUTIONS[reason],
    task: (input, entry = hierarchy.root.id) =>
      validateTaskInput(input, { entry, now: 0, newId: () => 'probe', isActive: () => false, defaults: { maxSubtasks: limits.maxSubtasks, maxDepth: limits.maxDecompositionDepth } }),
  };
}

/** Where a task's route from an agent ends, with the agents it passed (entry first). */
export type Walk =
  | { readonly kind: 'execute'; readonly agent: string; readonly path: readonly string[] }
  | { readonly kind: 'split'; readonly agent: string; readonly path: readonly string[]; readonly decomposer: Decomposer }
  | { readonly kind: 'none'; readonly agent: string; readonly path: readonly string[]; readonly declined?: Declined }
  /** A strategy answered with a promise, threw, or named a non-child: routing stops being knowable here. */
  | { readonly kind: 'unknown'; readonly agent: string; readonly path: readonly string[]; readonly why: string; readonly invalid?: boolean };

const signal = new AbortController().signal;

/** Why a walk that ends with nobody ended there, when a strategy kept the task though children could take it. */
export function keptBy(route: Extract<Walk, { kind: 'none' }>): string | undefined {
  if (route.declined === undefined) return undefined;
  const { strategy, children } = route.declined;
  return `at ${route.agent} the strategy "${strategy}" keeps it, which ${route.agent} cannot do, though ${children.join(', ')} could take it`;
}

/**
 * Walks `task` down from `entry` as the agents would with no load: split where a decomposer is
 * consulted, else delegate to the child the strategy picks, else execute or give up.
 * `choose` may pick among the capable children instead of the strategy (to explore every route).
 */
export function walk(resolved: Resolved, task: Task, entry: string, choose?: (agentId: string, candidates: readonly Candidate[]) => string | undefined): Walk {
  const { hierarchy } = resolved;
  const path = [entry];
  let agent = entry;
  for (let hops = 0; hops <= hierarchy.size; hops++) {
    const fromHere = !(task.origin.kind === 'subtask' && task.origin.agent === agent);
    const decomposer = fromHere ? resolved.decomposerFor(agent, task) : undefined;
    if (decomposer !== undefined) return { kind: 'split', agent, path, decomposer };
    const candidates = candidatesFor(hierarchy, agent, task, {});
    const route = routeOf(hierarchy, agent, task, candidates);
    if (route !== 'delegate') return { kind: route, agent, path };
    let chosen: unknown;
    if (choose !== undefined) chosen = choose(agent, candidates);
    else {
      const strategy = resolved.strategyFor(agent);
      try {
        chosen = strategy.select(task, candidates, { agent: hierarchy.get(agent), hierarchy, signal, reportCost: () => undefined });
      } catch (error) {
        return { kind: 'unknown', agent, path, why: `strategy "${strategy.name}" threw: ${(error as Error).message}` };
      }
      if (isThenable(chosen)) {
        Promise.resolve(chosen).catch(() => undefined);
        return { kind: 'unknown', agent, path, why: `strategy "${strategy.name}" decides with a promise` };
      }
    }
    if (chosen === undefined || chosen === null) {
      if (canExecuteHere(hierarchy, agent, task)) return { kind: 'execute', agent, path };
      if (choose !== undefined) return { kind: 'none', agent, path };
      // The strategy kept a task its agent cannot do, though these children could.
      const children = candidates.filter((candidate) => candidate.capable).map((candidate) => candidate.id);
      return { kind: 'none', agent, path, declined: { strategy: resolved.strategyFor(agent).name, children } };
    }
    if (typeof chosen !== 'string' || !candidates.some((candidate) => candidate.id === chosen)) {
      return { kind: 'unknown', agent, path, why: `strategy "${resolved.strategyFor(agent).name}" chose ${JSON.stringify(chosen)}, which is not one of its children`, invalid: true };
    }
    agent = chosen;
    path.push(agent);
  }
  return { kind: 'unknown', agent, path, why: 'the route is longer than the hierarchy is deep' };
}
