/**
 * The organisations the benchmark builds besides the development team: a wide one of any size
 * (every manager has `span` reports, filled level by level) for the scale cases, and a single
 * chain of managers for the per-hop latency.
 */
import { hierarchyFromList, type FlatAgentSpec, type Hierarchy } from '../src/index.js';

/** The capability every leaf of a wide organisation has. */
export const LEAF_WORK = 'leaf_work';

/**
 * `size` agents, numbered level by level: agent `i` reports to agent `⌊(i − 1) / span⌋`. Leaves
 * can do {@link LEAF_WORK}; managers coordinate. Depth grows as log_span(size).
 */
export function wideOrganisation(size: number, span = 10): Hierarchy {
  const agents: FlatAgentSpec[] = new Array(size);
  for (let i = 0; i < size; i++) {
    const leaf = i * span + 1 >= size;
    agents[i] = {
      id: `a${i}`,
      role: i === 0 ? 'executive' : leaf ? 'worker' : 'manager',
      capabilities: leaf ? [LEAF_WORK] : ['coordination'],
      ...(i === 0 ? {} : { parent: `a${Math.floor((i - 1) / span)}` }),
    };
  }
  return hierarchyFromList(agents);
}

/** The task type only the agent at `level` of a {@link chainOrganisation} can do. */
export const levelWork = (level: number) => `level_${level}`;

/** `depth` agents in a line, root first; the agent at level `i` can do `levelWork(i)`. */
export function chainOrganisation(depth: number): Hierarchy {
  return hierarchyFromList(
    Array.from({ length: depth }, (_, level): FlatAgentSpec => ({
      id: `l${level}`,
      role: level === 0 ? 'executive' : level === depth - 1 ? 'worker' : 'manager',
      capabilities: [levelWork(level)],
      ...(level === 0 ? {} : { parent: `l${level - 1}` }),
    })),
  );
}
