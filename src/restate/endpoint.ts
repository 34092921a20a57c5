/**
 * A service process of an organisation on Restate: the object services of the units it hosts (its
 * agents), their executor and decision services, and — in the process hosting the root — the organisation-wide
 * parts (the task workflow, the cases, the resources). Served over HTTP/2 on 127.0.0.1; register
 * its URL with the server (`POST /deployments`, or `RestateServer.register`).
 */
import './polyfill.js';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { endpoint } from '@restatedev/restate-sdk';
import { EchelonError } from '../errors.js';
import { listenRefusal } from '../listening.js';
import { agentObject } from './agent-object.js';
import { caseObject } from './case-object.js';
import { decisionService } from './decision-service.js';
import { executorService } from './executor-service.js';
import { organisation } from './organisation.js';
import { resourcesObject } from './resources-object.js';
import { taskWorkflow } from './task-workflow.js';
import type { RestateEndpoint, RestateEndpointOptions, RestateListening } from './types.js';

/**
 * The endpoint of one service process, built from the organisation's options and the units it
 * hosts.
 *
 * @example
 * ```ts
 * // backend.ts — serves the backend lead's subtree
 * const served = await restateEndpoint({ ...organisationOptions, hosts: ['backend_lead'] }).listen();
 * await server.register(served.url);
 * ```
 */
export function restateEndpoint(options: RestateEndpointOptions): RestateEndpoint {
  const org = organisation(options, 'restateEndpoint');
  const { layout } = org;
  const hosts = options.hosts ?? layout.units;
  if (!Array.isArray(hosts) || hosts.length === 0) throw new EchelonError('invalid_option', `restateEndpoint: hosts must name at least one unit (${layout.units.join(', ')}).`);
  for (const [index, unit] of hosts.entries()) {
    if (hosts.indexOf(unit) !== index) throw new EchelonError('invalid_option', `restateEndpoint: hosts names "${String(unit)}" twice; name each unit once.`, { details: { unit } });
    if (!layout.units.includes(unit)) {
      throw new EchelonError('invalid_option', `restateEndpoint: "${String(unit)}" is not a unit of this organisation; units are ${layout.units.join(', ')} (set them with the units option, the same in every process).`, { details: { unit } });
    }
  }
  const definitions = [
    ...hosts.flatMap((unit) => [agentObject(org, unit), executorService(org, unit), decisionService(org, unit)]),
    ...(hosts.includes(options.hierarchy.root.id) ? [caseObject(org), taskWorkflow(org), resourcesObject(layout)] : []),
  ];
  return {
    services: definitions.map((definition) => definition.name),
    async listen(given: number | string = 0, host = '127.0.0.1'): Promise<RestateListening> {
      if (typeof host !== 'string' || host.trim() === '') {
        throw new EchelonError('invalid_option', `restateEndpoint: listen's host is the address to listen on ('127.0.0.1', '0.0.0.0' for every interface, '::'), got ${JSON.stringify(host) ?? String(host)}.`);
      }
      // A string of digits is a port, as Node reads it (listen(process.env.PORT)); any other string Node takes for a pipe's path, and a number out of range throws a RangeError.
      const port: unknown = typeof given === 'string' && /^\d{1,5}$/.test(given) ? Number(given) : given;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new EchelonError('invalid_option', `restateEndpoint: listen takes a port, a whole number from 0 (a free one) to 65535, got ${typeof given === 'string' ? `"${given}"` : String(given)}.`);
      }
      const served = endpoint();
      for (const definition of definitions) served.bind(definition);
      const server = http2.createServer(served.http2Handler());
      const sessions = new Set<http2.ServerHttp2Session>();
      server.on('session', (session) => {
        sessions.add(session);
        session.once('close', () => sessions.delete(session));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error: NodeJS.ErrnoException) => reject(listenRefusal('restateEndpoint', error, port, host)));
        server.listen(port, host, () => resolve());
      });
      const bound = (server.address() as AddressInfo).port;
      return {
        url: `http://${urlHost(host)}:${bound}`,
        port: bound,
        close: () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            // Restate keeps its HTTP/2 sessions open: end them so close() returns.
            for (const session of sessions) session.destroy();
          }),
      };
    },
  };
}

/** The host of the URL to register for an endpoint listening on `host`: loopback for every interface (register the address the server reaches this machine at instead, when it runs elsewhere). */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
