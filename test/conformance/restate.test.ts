/**
 * The conformance suite on the Restate host (`echelon/restate`): the cases of in-process.test.ts,
 * unchanged, against one restate-server for this file and an organisation of its own per case.
 *
 * KNOWN lists the cases the Restate host gets wrong today, each with the difference as reported
 * to echelon/restate's owner (branch `conformance` commit messages have the repro). They run as
 * expected failures: when a fix lands they fail, and their entry here goes.
 */
import { groups } from './groups.js';
import { conformance } from './harness.js';
import { restateHost } from './restate-host.js';

const DECISIONS = 'the agent object awaits a pending decision inside its handler (ctx.run in agent-object.ts), so it takes no other message meanwhile';

const KNOWN: Readonly<Record<string, string>> = {
  'a policy answering with a promise does not block its agent: others are decided meanwhile, then the verdict applies': DECISIONS,
  'a pending approval is withdrawn, and an approver still deciding it is stopped': `the cancel never completes while the approver decides; ${DECISIONS}`,
  'a task is cancelled while its manager is still deciding where it goes; the decision is stopped': `the cancel never completes while the strategy decides; ${DECISIONS}`,
};

conformance(restateHost, groups, KNOWN);
