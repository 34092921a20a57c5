/**
 * The hosts the conformance suite runs on. `ECHELON_CONFORMANCE_HOSTS=in-process` (a comma list
 * of host names) runs a subset while iterating; by default every host runs.
 */
import { inProcessHost, type ConformanceHost } from './host.js';

const ALL: readonly ConformanceHost[] = [inProcessHost];

const chosen = process.env.ECHELON_CONFORMANCE_HOSTS?.split(',').map((name) => name.trim()).filter(Boolean);
const unknown = chosen?.filter((name) => !ALL.some((host) => host.name === name)) ?? [];
if (unknown.length > 0) throw new Error(`ECHELON_CONFORMANCE_HOSTS names no host ${unknown.join(', ')}; the hosts are ${ALL.map((host) => host.name).join(', ')}`);

export const hosts: readonly ConformanceHost[] = chosen ? ALL.filter((host) => chosen.includes(host.name)) : ALL;
