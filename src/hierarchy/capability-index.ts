/**
 * Which agents have which capability, as sorted preorder positions. A subtree is an interval
 * of the preorder, so "does anyone in this subtree have capability c" is one binary search —
 * in memory linear in the number of (agent, capability) pairs, where a set of subtree
 * capabilities per agent would be quadratic on a deep chain.
 */
import type { AgentNode } from './types.js';

/** @internal The capability lookup behind `Hierarchy.canHandle` and `Hierarchy.subtreeCapabilities`. */
export class CapabilityIndex {
  readonly #preorder: readonly AgentNode[];
  /** Per capability, the preorder positions of the agents that list it, ascending. */
  readonly #holders: ReadonlyMap<string, readonly number[]>;

  constructor(preorder: readonly AgentNode[]) {
    this.#preorder = preorder;
    const lists = new Map<string, number[]>();
    preorder.forEach((node, position) => {
      for (const capability of node.capabilities) {
        const list = lists.get(capability);
        if (list === undefined) lists.set(capability, [position]);
        else if (list[list.length - 1] !== position) list.push(position); // an agent listing it twice
      }
    });
    // Plain arrays of small integers: a typed array per capability costs more than it holds
    // when most capabilities belong to one agent.
    this.#holders = lists;
  }

  /** True when an agent at a preorder position in [start, end) has `capability`. */
  within(capability: string, start: number, end: number): boolean {
    const holders = this.#holders.get(capability);
    return holders !== undefined && firstAtOrAfter(holders, start) < end;
  }

  /**
   * The capabilities of the agents at positions [start, end), in the order they first appear.
   * Walks the interval when it is smaller than the number of distinct capabilities; otherwise
   * finds each capability's first holder inside it, so a root's answer costs
   * O(capabilities × log n), not O(n).
   */
  collect(start: number, end: number): Set<string> {
    const capabilities = new Set<string>();
    if (end - start <= this.#holders.size) {
      for (let position = start; position < end; position++) {
        for (const capability of this.#preorder[position]!.capabilities) capabilities.add(capability);
      }
      return capabilities;
    }
    const firsts = new Map<string, number>();
    for (const [capability, holders] of this.#holders) {
      const first = firstAtOrAfter(holders, start);
      if (first < end) firsts.set(capability, first);
    }
    const positions = [...new Set(firsts.values())].sort((a, b) => a - b);
    for (const position of positions) {
      for (const capability of this.#preorder[position]!.capabilities) {
        if (firsts.get(capability) === position) capabilities.add(capability);
      }
    }
    return capabilities;
  }
}

/** The first value ≥ `value` in ascending `sorted`, or `Infinity` when there is none. */
function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (sorted[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low < sorted.length ? sorted[low]! : Infinity;
}
