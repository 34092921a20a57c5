/**
 * The conformance suite on the Restate host (`echelon/restate`): the cases of in-process.test.ts,
 * unchanged, against one restate-server for this file and an organisation of its own per case.
 */
import { groups } from './groups.js';
import { conformance } from './harness.js';
import { restateHost } from './restate-host.js';

conformance([restateHost], groups);
