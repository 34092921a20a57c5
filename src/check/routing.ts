/**
 * Routing from the root: task types nobody can take (or that a strategy sends astray), and
 * agents no task ever reaches — under any load, since every capable child a strategy could pick
 * with some load is explored.
 */
import { thrownMessage } from '../show.js';
import { isThenable } from '../thenable.js';
import type { Candidate } from '../delegation/types.js';
import type { Task } from '../types.js';
import { keptBy, walk, type Resolved, type Walk } from './probe.js';
import type { Finding } from './types.js';

export interface Routes {
  /** The route each task type takes from the root with no load. */
  readonly byType: ReadonlyMap<string, { readonly task: Task; readonly walk: Walk }>;
  readonly findings: Finding[];
}

export function checkRouting(resolved: Resolved, tasks: ReadonlyMap<string, Task>): Routes {
  const { hierarchy, options } = resolved;
  const root = hierarchy.root.id;
  const findings: Finding[] = [];
  const byType = new Map<string, { task: Task; walk: Walk }>();
  for (const [type, task] of tasks) {
    const route = walk(resolved, task, root);
    byType.set(type, { task, walk: route });
    const kept = route.kind === 'none' ? keptBy(route) : undefined;
    if (route.kind === 'none' && kept !== undefined) {
      // Below the root, the agent escalates it and its parent may route it around: a warning there.
      const atRoot = route.agent === root;
      findings.push({
        severity: atRoot && options.onEscalation === undefined ? 'error' : 'warning',
        code: 'unroutable_type',
        agents: [route.agent],
        taskType: type,
        message: `"${type}" submitted at ${root} goes nowhere: ${kept}; ${atRoot ? (options.onEscalation === undefined ? 'it fails with unroutable' : 'it goes to a person (onEscalation)') : `${route.agent} escalates it as beyond its capability`}. Have the strategy choose one of them.`,
      });
    } else if (route.kind === 'none') {
      const person = options.onEscalation !== undefined;
      findings.push({
        severity: person ? 'warning' : 'error',
        code: 'unroutable_type',
        agents: [route.agent],
        taskType: type,
        message: `Nobody in the organisation can do "${type}": submitted at ${root} it ${person ? 'goes to a person (onEscalation)' : 'fails with unroutable'}. Give an agent the capability "${type}".`,
      });
    } else if (route.kind === 'unknown') {
      findings.push({
        severity: route.invalid === true ? 'error' : 'note',
        code: route.invalid === true ? 'invalid_delegate' : 'unchecked_decision',
        agents: [route.agent],
        taskType: type,
        message: `"${type}" from ${root}: at ${route.agent} the ${route.why}${route.invalid === true ? ', so the task fails with invalid_delegate' : '; its route from there is not checked'}.`,
      });
    }
  }
  findings.push(...unreachable(resolved, tasks));
  return { byType, findings };
}

/** Agents that no task type reaches from the root, whichever capable child a strategy picks at each hop. */
function unreachable(splitting: Resolved, tasks: ReadonlyMap<string, Task>): Finding[] {
  // Routing alone: a task some agent splits reaches, through its parts, where its type would go.
  const resolved: Resolved = { ...splitting, decomposerFor: () => undefined };
  const { hierarchy } = resolved;
  const reached = new Set<string>([hierarchy.root.id]);
  /** Agents whose strategy threw while choosing, with what it threw. */
  const threw = new Map<string, string>();
  for (const task of tasks.values()) {
    // Every capable child the strategy picks when that child is the least loaded one.
    const frontier = [hierarchy.root.id];
    const seen = new Set<string>();
    while (frontier.length > 0) {
      const from = frontier.pop()!;
      if (seen.has(from)) continue;
      seen.add(from);
      walk(resolved, task, from, (agentId, candidates) => {
        for (const child of picks(resolved, task, agentId, candidates, threw)) {
          reached.add(child);
          frontier.push(child);
        }
        return undefined;
      });
    }
  }
  return hierarchy
    .nodes()
    .filter((node) => !reached.has(node.id))
    .map((node) => {
      const parent = hierarchy.parent(node.id)?.id ?? 'parent';
      const capabilities = [...hierarchy.subtreeCapabilities(node.id)].join(', ');
      const thrown = threw.get(parent);
      return {
        severity: 'warning' as const,
        code: 'unreachable_agent' as const,
        agents: [node.id],
        message:
          capabilities === ''
            ? `Nothing reaches ${node.id}: neither it nor anyone below it has a capability, so no task is ever delegated to it.`
            : thrown !== undefined
              ? `Nothing reaches ${node.id}: its ${parent}'s strategy threw when choosing who gets its tasks (${capabilities}): ${thrown}.`
              : `Nothing reaches ${node.id}: its ${parent}'s strategy never gives it its tasks (${capabilities}): it picks another child or keeps them.`,
      };
    });
}

/** The capable children the agent's strategy picks under some load: each, made the least loaded in turn. */
function picks(resolved: Resolved, task: Task, agentId: string, candidates: readonly Candidate[], threw: Map<string, string>): string[] {
  const strategy = resolved.strategyFor(agentId);
  const { hierarchy } = resolved;
  const context = { agent: hierarchy.get(agentId), hierarchy, signal: new AbortController().signal, reportCost: () => undefined };
  // One set of candidates, every one loaded but the favourite of the moment: a copy of every candidate per favourite made a wide manager
  // quadratic in allocations. Each call still gets its own array (as at run time, where each decision does): a strategy may sort it or key a cache on it.
  const loaded: { -readonly [K in keyof Candidate]: Candidate[K] }[] = candidates.map((candidate) => ({ ...candidate, load: 1 }));
  const ids = new Set(candidates.map((candidate) => candidate.id));
  const chosen = new Set<string>();
  for (const favourite of loaded.filter((candidate) => candidate.capable)) {
    favourite.load = 0;
    try {
      const pick = strategy.select(task, loaded.slice(), context);
      if (isThenable(pick)) {
        // A model decides: any capable child may be picked.
        Promise.resolve(pick).catch(() => undefined);
        return candidates.filter((candidate) => candidate.capable).map((candidate) => candidate.id);
      }
      if (typeof pick === 'string' && ids.has(pick)) chosen.add(pick);
    } catch (error) {
      // The route of the task itself reports it too; an agent it leaves unreached says why.
      threw.set(agentId, thrownMessage(error));
    } finally {
      favourite.load = 1;
    }
  }
  return [...chosen];
}
