/**
 * One echelon service process (started by restate-cluster.ts): builds
 * `restateEndpoint({ ...options, hosts })` from the organisation's options module, listens on the
 * given port (0: a free one) and prints `LISTENING <url>`. SIGTERM closes it.
 *
 * Usage: node --import tsx test/support/restate-service.ts <options module> '<hosts as JSON>' <port>
 */
import { pathToFileURL } from 'node:url';
import { restateEndpoint, type RestateOrganisationOptions } from '../../src/restate/index.js';

const [modulePath, hostsJson, portText] = process.argv.slice(2);
if (modulePath === undefined || hostsJson === undefined || portText === undefined) throw new Error('usage: restate-service.ts <options module> <hosts JSON> <port>');
const loaded = ((await import(pathToFileURL(modulePath).href)) as { default: RestateOrganisationOptions | (() => RestateOrganisationOptions) }).default;
const options = typeof loaded === 'function' ? loaded() : loaded;
const listening = await restateEndpoint({ ...options, hosts: JSON.parse(hostsJson) as string[] }).listen(Number(portText));
console.log(`LISTENING ${listening.url}`);
process.once('SIGTERM', () => void listening.close().then(() => process.exit(0)));
