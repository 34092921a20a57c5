/**
 * The conformance suite on the in-process host (`createOrchestrator` on a simulated clock). The
 * same cases run on Restate in restate.test.ts; each host has its own file so the two run side by
 * side and the Restate half keeps one server for the whole file.
 */
import { groups } from './groups.js';
import { conformance } from './harness.js';
import { inProcessHost } from './host.js';

conformance(inProcessHost, groups);
