/** An agent's status as the API hands it out, read off its context and the state its chart rests in. */
import type { AgentContext, AgentStateName, HeldTask } from '../../machines/agent.machine.js';
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
  const held = Object.values(context.held);
  const inPhase = (...phases: HeldTask['phase'][]) => held.filter((record) => phases.includes(record.phase)).map((record) => record.task.id);
  return {
    id: node.id,
    role: node.role,
    level: node.level,
    state,
    queued: inPhase('received', 'queued').length,
    running: inPhase('running', 'backoff'),
    awaitingApproval: inPhase('parked'),
    escalated: inPhase('escalated'),
    decomposed: inPhase('split'),
    deciding: inPhase('deciding'),
    deferred: inPhase('deferred'),
    held: Object.fromEntries(held.map((record) => [record.task.id, record.phase])),
    load: { ...context.load },
  };
}
