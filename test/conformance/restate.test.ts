/**
 * The conformance suite on the Restate host (`echelon/restate`): the cases of in-process.test.ts,
 * unchanged, against one restate-server for this file and an organisation of its own per case.
 *
 * KNOWN lists the cases the Restate host gets wrong, each with the difference (a case name → what
 * differs). They run as expected failures: when a fix lands they fail, and their entry here goes.
 */
import { groups } from './groups.js';
import { conformance } from './harness.js';
import { restateHost } from './restate-host.js';

/** None today: every case runs as it does in-process. */
const KNOWN: Readonly<Record<string, string>> = {};

conformance(restateHost, groups, KNOWN);
