/** Every group of conformance cases, in the order the suite runs them. */
import { approvalGroups } from './cases/approvals.js';
import { approverGroups } from './cases/approvers.js';
import { cancellationGroups } from './cases/cancellation.js';
import { decompositionGroups } from './cases/decomposition.js';
import { peopleGroups } from './cases/people.js';
import { routingGroups } from './cases/routing.js';
import type { CaseGroup } from './harness.js';

export const groups: readonly CaseGroup[] = [...routingGroups, ...peopleGroups, ...approvalGroups, ...approverGroups, ...decompositionGroups, ...cancellationGroups];
