/**
 * The agent statechart as `echelon/charts` hands it out: the same machine the organisation runs,
 * its ports checked at the door, so a model test that forgets one (or passes the wrong object)
 * is told which instead of failing later with a TypeError inside the chart.
 */
import { createAgentMachine as agentMachine, type AgentMachine } from '../../machines/agent.machine.js';
import type { AgentPorts, HostPort, PolicyPort, SettingsPort } from '../../machines/ports.js';
import { EchelonError } from '../errors.js';
import { checkShape, fields, implementing, shapeContext } from '../shape/index.js';

const POLICY = ['evaluate', 'select', 'failureCode', 'escalateAfter', 'resolutionMode', 'approvalRequest', 'authorize', 'nextApprover', 'decideApproval', 'settleJoin'] satisfies (keyof PolicyPort)[];
const SETTINGS = ['childIds', 'concurrency', 'decisionConcurrency', 'decisionTimeoutMs', 'executionPolicy', 'retryable'] satisfies (keyof SettingsPort)[];
const HOST = ['perform', 'now', 'random', 'newId', 'charge'] satisfies (keyof HostPort)[];

const PORTS = fields({
  policy: implementing('a PolicyPort (resolveOptions(options, host).policy)', POLICY),
  settings: implementing('a SettingsPort (resolveOptions(options, host).settings)', SETTINGS),
  host: implementing('a HostPort ({ perform, now, random, newId, charge })', HOST, ['isActive'] satisfies (keyof HostPort)[]),
});

/**
 * The agent statechart over its three ports: the policy and settings made from an organisation's
 * options (`resolveOptions`), and a host that performs what the agent asks for. Refuses ports that
 * are missing or lack a method with `invalid_option`.
 *
 * @example
 * ```ts
 * const { policy, settings } = resolveOptions(options, portsHost);
 * const cto = createActor(createAgentMachine({ policy, settings, host }), { input: { agentId: 'cto' } }).start();
 * ```
 */
export function createAgentMachine(ports: AgentPorts): AgentMachine {
  checkShape(ports, PORTS, '', { ...shapeContext('createAgentMachine', 'invalid_option'), subject: 'its ports' });
  const missing = (['policy', 'settings', 'host'] as const).filter((port) => (ports as Partial<AgentPorts>)[port] === undefined);
  if (missing.length > 0) {
    throw new EchelonError('invalid_option', `createAgentMachine needs { policy, settings, host }, without ${missing.join(', ')}: policy and settings come from resolveOptions(options, host), the host performs what the agent asks for.`, { details: { missing } });
  }
  return agentMachine(ports);
}
