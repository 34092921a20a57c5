/**
 * The Restate floor as the bench sees it (issue 14): the names of its Restate services (served by
 * restate-floor-service.ts, in a process of its own) and a client that only talks to the ingress —
 * a task is one call of its workflow's `run`, which answers with the outcome. Nothing here imports
 * echelon: the service process imports the names from this file.
 */
import type { Routed, System } from './types.js';

/** The Restate names of the floor's parts. */
export const FLOOR = { task: 'floor-task', agent: 'floor-agent', probe: 'floor-probe', chain: 'floor-chain', chainStart: 'floor-chain-start' } as const;

/** What the floor answers for a task: the bench's `Routed`. */
export type FloorOutcome = Routed;

/** The single-invocation probes the floor's process serves (`floor-probe`'s handlers). */
export type FloorProbe = 'noop' | 'clock' | 'write';

/** POSTs `body` (JSON) to the ingress and answers the handler's JSON result; any non-2xx is an error naming the path. */
export async function ingressCall<T>(ingressUrl: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${ingressUrl}/${path}`, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`restate ingress ${path}: HTTP ${response.status} ${text.slice(0, 300)}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** The floor as a bench system: each task a fresh workflow, `prefix` + a sequence number as its id. */
export function floorSystem(ingressUrl: string, prefix: string): System {
  let seq = 0;
  return {
    name: 'restate-floor',
    submit: (type) => ingressCall<FloorOutcome>(ingressUrl, `${FLOOR.task}/${prefix}${seq++}/run`, { type }),
    stop: async () => undefined,
  };
}

/** One call of a single-invocation probe, on the object `key`. */
export function probeCall(ingressUrl: string, probe: FloorProbe, key: string): Promise<number> {
  return ingressCall<number>(ingressUrl, `${FLOOR.probe}/${key}/${probe}`);
}

/** A chain of `hops` one-way sends between objects of lane `lane`, started by one service call that waits for its end. */
export function chainCall(ingressUrl: string, lane: string, hops: number): Promise<void> {
  return ingressCall<void>(ingressUrl, `${FLOOR.chainStart}/start`, { lane, hops });
}
