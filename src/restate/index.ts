/**
 * @module echelon/restate — the organisation on Restate: each agent a virtual object keyed by its
 * id, one workflow per submitted task, subtrees served by separate service processes, and a client
 * offering the `Orchestrator` operations over the ingress and admin APIs. Needs the optional peers
 * `@restatedev/restate-sdk` and `@restatedev/restate-sdk-clients` (and a server:
 * `@restatedev/restate-server`); without them, importing this subpath fails with
 * `missing_dependency`. `Promise.withResolvers` (which the SDK calls, and Node 20 lacks) is
 * installed before the SDK loads. Editors read the declarations of `api.ts` (the package's `types`
 * for `./restate`), which name the same values (test/hardening/installed-package.test.ts).
 */
import './polyfill.js';
import { importPeer } from '../peers.js';

await importPeer('@restatedev/restate-sdk', '@restatedev/restate-sdk', 'echelon/restate');
await importPeer('@restatedev/restate-sdk-clients', '@restatedev/restate-sdk-clients', 'echelon/restate');

export const { startRestateServer, restateServerBinary, restateEndpoint, restateOrchestrator, restateLayout, DEFAULT_ORGANISATION, installPromiseWithResolvers, withResolvers } = await import('./api.js');
export type * from './api.js';
