/**
 * Settings that name agents or roles: `byId` keys that are no agent, `byRole` keys that are no
 * role or a role nobody has, and agents with capabilities that no executor serves.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { ROLES } from '../hierarchy/types.js';
import { isPerAgent, type Setting } from '../settings/index.js';
import type { Finding } from './types.js';
import type { Resolved } from './probe.js';

/** Every per-agent setting of the options, by the name a user writes it under. */
function perAgentSettings(resolved: Resolved): [string, Setting<unknown> | undefined][] {
  const { options } = resolved;
  return [
    ['executors', options.executors],
    ['strategy', options.strategy],
    ['decomposers', options.decomposers],
    ['execution', options.execution],
    ['concurrency', options.concurrency],
    ['approvals.approvers', options.approvals?.approvers],
    ['decisions.timeoutMs', options.decisions?.timeoutMs],
    ['decisions.concurrency', options.decisions?.concurrency],
  ];
}

export function checkSettings(resolved: Resolved): Finding[] {
  const { hierarchy } = resolved;
  const findings: Finding[] = [];
  const roles = new Set(hierarchy.nodes().map((node) => node.role));
  for (const [name, setting] of perAgentSettings(resolved)) {
    if (setting === undefined || !isPerAgent(setting)) continue;
    for (const id of Object.keys(setting.byId ?? {})) {
      if (hierarchy.has(id)) continue;
      findings.push({ severity: 'error', code: 'unknown_agent', agents: [id], message: `${name}.byId names "${id}", which is not an agent of this organisation${suggest(hierarchy, id)}.` });
    }
    for (const role of Object.keys(setting.byRole ?? {})) {
      if (!(ROLES as readonly string[]).includes(role)) {
        findings.push({ severity: 'error', code: 'invalid_role', agents: [], message: `${name}.byRole names "${role}"; the roles are ${ROLES.join(', ')}.` });
      } else if (!roles.has(role as never)) {
        findings.push({ severity: 'warning', code: 'unused_setting', agents: [], message: `${name}.byRole.${role} applies to nobody: this organisation has no ${role}.` });
      }
    }
  }
  const { executorFor } = resolved;
  if (executorFor === undefined) return findings;
  const unserved = hierarchy.nodes().filter((node) => node.capabilities.length > 0 && executorFor(node.id) === undefined);
  for (const node of unserved) {
    findings.push({
      severity: 'error',
      code: 'missing_executor',
      agents: [node.id],
      message: `${node.id} has capabilities (${node.capabilities.join(', ')}) but no executor serves it: give it one in executors.byId / executors.byRole, or set executors.default.`,
    });
  }
  return findings;
}

/** ", did you mean …" for an id close to an agent's. */
function suggest(hierarchy: Hierarchy, id: string): string {
  const near = hierarchy.nodes().find((node) => node.id.toLowerCase().includes(id.toLowerCase()) || id.toLowerCase().includes(node.id.toLowerCase()));
  return near === undefined ? '' : ` (did you mean "${near.id}"?)`;
}
