/** The hosts the conformance suite runs on. */
import { inProcessHost, type ConformanceHost } from './host.js';

export const hosts: readonly ConformanceHost[] = [inProcessHost];
