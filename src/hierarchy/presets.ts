/**
 * Ready-made organisations. `developmentTeam()` is exactly the reference's software
 * development team: a CTO, two leads, three specialists and two developers.
 */
import { defineHierarchy } from './define.js';
import type { Hierarchy } from './hierarchy.js';
import type { AgentSpec, Role } from './types.js';

/** The reference development team as a spec, to extend or inspect. */
export const developmentTeamSpec = {
  id: 'cto',
  role: 'executive',
  capabilities: ['strategy', 'architecture', 'resource_allocation'],
  children: [
    {
      id: 'backend_lead',
      role: 'manager',
      capabilities: ['backend', 'api', 'database', 'coordination'],
      children: [
        {
          id: 'api_specialist',
          role: 'specialist',
          capabilities: ['api_design', 'rest', 'graphql'],
          children: [{ id: 'backend_dev_1', role: 'worker', capabilities: ['python', 'coding'] }],
        },
        { id: 'db_specialist', role: 'specialist', capabilities: ['database', 'sql', 'optimization'] },
      ],
    },
    {
      id: 'frontend_lead',
      role: 'manager',
      capabilities: ['frontend', 'ui', 'ux', 'coordination'],
      children: [
        {
          id: 'react_specialist',
          role: 'specialist',
          capabilities: ['react', 'typescript', 'components'],
          children: [{ id: 'frontend_dev_1', role: 'worker', capabilities: ['javascript', 'css', 'coding'] }],
        },
      ],
    },
  ],
} as const satisfies AgentSpec;

/**
 * The reference's 8-agent development team (depth 4, breadth 1/2/3/2).
 *
 * @example
 * ```ts
 * const team = developmentTeam();
 * team.children('cto').map((lead) => lead.id); // ['backend_lead', 'frontend_lead']
 * ```
 */
export function developmentTeam(): Hierarchy {
  return defineHierarchy(developmentTeamSpec);
}

/**
 * The reference example's executors, one per role — the results its `cto_execute`,
 * `lead_execute`, `specialist_execute` and `worker_execute` return. Handy for demos and tests.
 *
 * @example
 * ```ts
 * createOrchestrator({ hierarchy: developmentTeam(), executors: { byRole: referenceExecutors() } });
 * ```
 */
export function referenceExecutors(): Record<Role, () => Promise<Record<string, string>>> {
  return {
    executive: async () => ({ decision: 'Strategic direction set' }),
    manager: async () => ({ coordination: 'Work distributed to team' }),
    specialist: async () => ({ expertise: 'Technical solution designed' }),
    worker: async () => ({ code: '# Implementation complete' }),
  };
}
