/**
 * @module echelon/restate — the organisation on Restate: each agent a virtual object keyed by its
 * id, one workflow per submitted task, subtrees served by separate service processes, and a client
 * offering the `Orchestrator` operations over the ingress and admin APIs. Needs the optional peers
 * `@restatedev/restate-sdk` and `@restatedev/restate-sdk-clients` (and a server:
 * `@restatedev/restate-server`); without them, importing this subpath fails with
 * `missing_dependency`. `Promise.withResolvers` (which the SDK calls, and Node 20 lacks) is
 * installed before the SDK loads.
 */
import './polyfill.js';
import { importPeer } from '../peers.js';

await importPeer('@restatedev/restate-sdk', '@restatedev/restate-sdk', 'echelon/restate');
await importPeer('@restatedev/restate-sdk-clients', '@restatedev/restate-sdk-clients', 'echelon/restate');

export type {
  RestateClientOptions,
  RestateEndpoint,
  RestateEndpointOptions,
  RestateListening,
  RestateOrchestrator,
  RestateOrganisationOptions,
} from './types.js';
export type { RestateLayout } from './layout.js';
export type { RestateServer, RestateServerOptions } from './server.js';
export { startRestateServer, restateServerBinary } from './server.js';

/** Loaded once the peers are known to be there (and after the polyfill): the SDK's users. */
const { restateEndpoint } = await import('./endpoint.js');
const { restateOrchestrator } = await import('./client.js');
export { restateEndpoint, restateOrchestrator };
export { restateLayout, DEFAULT_ORGANISATION } from './layout.js';
export { installPromiseWithResolvers, withResolvers } from './polyfill.js';
