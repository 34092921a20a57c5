/**
 * One service process of the Restate example: serves the subtrees it is told to host (agent ids,
 * as JSON in argv) on a free port, and prints `LISTENING <url>` for the example to register.
 * In production this is your service, run by whatever runs your services.
 */
import { restateEndpoint } from '../../src/restate/index.js';
import { organisation } from './organisation.js';

const hosts = JSON.parse(process.argv[2] ?? '[]') as string[];
const listening = await restateEndpoint({ ...organisation, hosts }).listen(0);
console.log(`LISTENING ${listening.url}`);
// The example ends this process with SIGTERM; its stdin closing (the example gone) ends it too.
const close = () => void listening.close().then(() => process.exit(0));
process.once('SIGTERM', close);
process.stdin.on('end', close).resume();
