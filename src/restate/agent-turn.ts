/**
 * One message at one agent, as the Restate host handles it: the agent chart (the same machine,
 * the same core handlers as in-process) resumed over the restored context, the message sent, and
 * the context it rests with. The chart's host port collects the effects into the current
 * invocation (`scope.ts`); its settings spawn no children (each agent is its own object).
 */
import { createActor } from 'xstate';
import { createAgentMachine, type AgentContext, type AgentEvent, type AgentMachine } from '../../machines/agent.machine.js';
import type { PolicyPort, SettingsPort } from '../../machines/ports.js';
import { agentHost } from './scope.js';

/** The agent machine a Restate process runs every agent on. */
export function restateAgentMachine(policy: PolicyPort, settings: SettingsPort): AgentMachine {
  return createAgentMachine({ policy, settings: { ...settings, childIds: () => [] }, host: agentHost });
}

/** Handles `event` at `agentId` from `context` (undefined: a fresh agent); returns the context it rests with. */
export function agentTurn(machine: AgentMachine, agentId: string, context: AgentContext | undefined, event: AgentEvent): AgentContext {
  const input = { agentId };
  const actor =
    context === undefined
      ? createActor(machine, { input, systemId: agentId })
      : createActor(machine, { input, systemId: agentId, snapshot: machine.resolveState({ value: context.rest, context }) });
  actor.start();
  actor.send(event);
  const snapshot = actor.getSnapshot();
  actor.stop();
  if (snapshot.status === 'error') throw snapshot.error;
  return snapshot.context;
}
