/**
 * One agent's status as the API hands it out (`org.agentState(id)`): the state its chart rests in
 * and where every task it holds is — read off its context, for any host; and, for the in-process
 * host, off its actor.
 */
import type { AgentActorRef, AgentContext, AgentStateName, HeldTask } from '../../machines/agent.machine.js';
import { EchelonError } from '../errors.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { AgentNode } from '../hierarchy/types.js';
import type { AgentStatus } from './api.js';

/**
 * What `org.agentState(id)` returns, for any host: the agent's held tasks by phase and its load.
 *
 * @example
 * ```ts
 * agentStatus(hierarchy.get('cto'), snapshot.context, 'receiving').held; // { 'task-1': 'split' }
 * ```
 */
export function agentStatus(node: AgentNode, context: AgentContext, state: AgentStateName): AgentStatus {
  // One pass over what it holds (an agent may hold thousands of tasks, and the stepper reads it often).
  const lists = { queued: [] as string[], running: [] as string[], awaitingApproval: [] as string[], escalated: [] as string[], decomposed: [] as string[], deciding: [] as string[], deferred: [] as string[] };
  const held: Record<string, HeldTask['phase']> = {};
  for (const record of Object.values(context.held)) {
    held[record.task.id] = record.phase;
    const list = LIST_OF_PHASE[record.phase];
    if (list !== undefined) lists[list].push(record.task.id);
  }
  return {
    id: node.id,
    role: node.role,
    level: node.level,
    state,
    queued: lists.queued.length,
    running: lists.running,
    awaitingApproval: lists.awaitingApproval,
    escalated: lists.escalated,
    decomposed: lists.decomposed,
    deciding: lists.deciding,
    deferred: lists.deferred,
    held,
    load: { ...context.load },
  };
}

/** Which of a status's lists a held task of each phase is in (a task that `left` is in none). */
const LIST_OF_PHASE: Partial<Record<HeldTask['phase'], 'queued' | 'running' | 'awaitingApproval' | 'escalated' | 'decomposed' | 'deciding' | 'deferred'>> = {
  received: 'queued',
  queued: 'queued',
  running: 'running',
  backoff: 'running',
  parked: 'awaitingApproval',
  escalated: 'escalated',
  split: 'decomposed',
  deciding: 'deciding',
  deferred: 'deferred',
};

/** The status of agent `agentId` of the in-process organisation rooted at `root`. */
export function actorStatus(root: AgentActorRef, hierarchy: Hierarchy, agentId: string): AgentStatus {
  const node = hierarchy.get(agentId);
  const ref = root.system.get(agentId) as AgentActorRef | undefined;
  if (ref === undefined) throw new EchelonError('orchestrator_stopped', `The organisation is stopped: agent "${agentId}" has no state any more.`);
  const snapshot = ref.getSnapshot();
  return agentStatus(node, snapshot.context, topState(snapshot.value));
}

/** The top-level state of an agent's chart. */
export function topState(value: unknown): AgentStateName {
  return (typeof value === 'string' ? value : Object.keys(value as object)[0]) as AgentStateName;
}

/** Tells `report` each agent's top-level state after every message it handled. */
export function watchAgentStates(root: AgentActorRef, hierarchy: Hierarchy, report: (agent: string, state: AgentStateName) => void): void {
  for (const node of hierarchy.nodes()) {
    (root.system.get(node.id) as AgentActorRef | undefined)?.subscribe({
      next: (snapshot) => report(node.id, topState(snapshot.value)),
      error: () => undefined,
    });
  }
}
