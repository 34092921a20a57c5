/**
 * The organisation every process of the Restate example is built from — the service processes
 * and the client alike: the development team, full-stack features split into a backend and a
 * frontend part, and executors that say which process did the work.
 */
import { developmentTeam, fullStackFeature, referenceExecutors } from '../../src/index.js';
import type { RestateOrganisationOptions } from '../../src/restate/index.js';

const reference = referenceExecutors();
const here = () => `${process.env.ECHELON_EXAMPLE_PROCESS ?? 'client'} (pid ${process.pid})`;

export const organisation = {
  name: 'example',
  hierarchy: developmentTeam(),
  decomposers: { byType: { full_stack_feature: fullStackFeature() } },
  executors: async (task, { agent }) => ({ ...(await reference[agent.role]()), ranIn: here() }),
} satisfies RestateOrganisationOptions;
