/**
 * The conformance suite: every case in cases/ runs unchanged on every host and must get the same
 * outcomes — routing, the seven escalation reasons, approvals by agents and people, quorum and
 * expiry, decomposition with joins, cancellation, budgets and loop limits.
 */
import { approvalGroups } from './cases/approvals.js';
import { cancellationGroups } from './cases/cancellation.js';
import { decompositionGroups } from './cases/decomposition.js';
import { peopleGroups } from './cases/people.js';
import { routingGroups } from './cases/routing.js';
import { conformance } from './harness.js';
import { hosts } from './hosts.js';

conformance(hosts, [...routingGroups, ...peopleGroups, ...approvalGroups, ...decompositionGroups, ...cancellationGroups]);
