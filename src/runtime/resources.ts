/**
 * Who holds which declared resources right now, so a policy can see a `resource_conflict`,
 * and who is waiting for them, so a deferred task is retried the moment they are released.
 */
import type { ResourceClaim } from '../escalation/types.js';
import type { ResourceState } from '../store/types.js';
import type { Task } from '../types.js';

export class ResourceRegistry {
  /** Claims per resource, oldest first. */
  readonly #claims = new Map<string, ResourceClaim[]>();
  /** Resources each task holds, to release them by task. */
  readonly #byTask = new Map<string, { agentId: string; resources: readonly string[] }>();
  /** Agents waiting for each resource. */
  readonly #waiting = new Map<string, Set<string>>();
  readonly #notify: (agentId: string, resources: readonly string[]) => void;
  readonly #changed: () => void;

  /** `notify` wakes an agent waiting for released resources; `changed` tells persistence. */
  constructor(notify: (agentId: string, resources: readonly string[]) => void, changed: () => void = () => undefined) {
    this.#notify = notify;
    this.#changed = changed;
  }

  /**
   * Claims on `task`'s resources by other tasks: held by agents other than `agentId` (an agent
   * may queue its own tasks on a resource it holds), or by anyone when `anyAgent` is set.
   */
  conflicts(agentId: string, task: Task, anyAgent = false): ResourceClaim[] {
    const found: ResourceClaim[] = [];
    for (const resource of task.resources) {
      for (const claim of this.#claims.get(resource) ?? []) {
        if ((anyAgent || claim.agentId !== agentId) && claim.taskId !== task.id) found.push(claim);
      }
    }
    return found;
  }

  claim(agentId: string, task: Task): void {
    if (task.resources.length === 0 || this.#byTask.has(task.id)) return;
    this.#byTask.set(task.id, { agentId, resources: task.resources });
    for (const resource of task.resources) {
      const claims = this.#claims.get(resource) ?? [];
      // Frozen: escalation policies are shown the claims, and one changed in place was never released.
      claims.push(Object.freeze({ resource, taskId: task.id, agentId }));
      this.#claims.set(resource, claims);
    }
    this.#changed();
  }

  release(taskId: string): void {
    const held = this.#byTask.get(taskId);
    if (held === undefined) return;
    this.#byTask.delete(taskId);
    this.#changed();
    const freed: string[] = [];
    for (const resource of held.resources) {
      const claims = (this.#claims.get(resource) ?? []).filter((claim) => claim.taskId !== taskId);
      if (claims.length === 0) {
        this.#claims.delete(resource);
        freed.push(resource);
      } else {
        this.#claims.set(resource, claims);
      }
    }
    const wake = new Map<string, string[]>();
    for (const resource of freed) {
      for (const agentId of this.#waiting.get(resource) ?? []) wake.set(agentId, [...(wake.get(agentId) ?? []), resource]);
      this.#waiting.delete(resource);
    }
    for (const [agentId, resources] of wake) this.#notify(agentId, resources);
  }

  /** Remembers that `agentId` waits for `resources`; it is notified when any is released. */
  wait(agentId: string, resources: readonly string[]): void {
    for (const resource of resources) {
      if (!this.#claims.has(resource)) {
        // Released between the check and the wait: wake the agent at once.
        this.#notify(agentId, [resource]);
        return;
      }
    }
    for (const resource of resources) {
      const waiting = this.#waiting.get(resource) ?? new Set<string>();
      waiting.add(agentId);
      this.#waiting.set(resource, waiting);
    }
    this.#changed();
  }

  /** Claims and waiting agents, as a store keeps them. */
  state(): ResourceState {
    return { claims: this.claims(), waiting: Object.fromEntries([...this.#waiting].map(([resource, agents]) => [resource, [...agents]])) };
  }

  /** Brings back claims and waiting agents from a store. */
  restore(state: ResourceState): void {
    for (const claim of state.claims) {
      this.#claims.set(claim.resource, [...(this.#claims.get(claim.resource) ?? []), Object.freeze({ ...claim })]);
      const held = this.#byTask.get(claim.taskId);
      this.#byTask.set(claim.taskId, { agentId: claim.agentId, resources: [...(held?.resources ?? []), claim.resource] });
    }
    for (const [resource, agents] of Object.entries(state.waiting)) this.#waiting.set(resource, new Set(agents));
  }

  /** Every current claim. */
  claims(): ResourceClaim[] {
    return [...this.#claims.values()].flat();
  }
}
