/**
 * echelon/restate's exports, declared statically: `index.ts` installs the polyfill, checks the
 * peers, then loads the values from here, and the package's `types` for `./restate` are this
 * module's, so an editor shows each function's documentation (a value taken from `await import()`
 * carries none).
 */
import './polyfill.js';

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
export { restateEndpoint } from './endpoint.js';
export { restateOrchestrator } from './client.js';
export { restateLayout, DEFAULT_ORGANISATION } from './layout.js';
export { installPromiseWithResolvers, withResolvers } from './polyfill.js';
