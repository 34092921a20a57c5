/**
 * The Restate host for the conformance suite: one restate-server per test file (R2's
 * `startRestateServer`), and per organisation a fresh name — so its services, objects and
 * workflows are new and no case sees another's state — served by `restateEndpoint` in the test
 * process (the cases' executors and policies run here, as journaled steps), registered with the
 * server, and driven through `restateOrchestrator` over the ingress only. Time is the server's:
 * `advance(ms)` lets real time pass.
 */
import './quiet-restate.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { restateEndpoint, restateOrchestrator, startRestateServer, type RestateListening, type RestateServer } from '../../src/restate/index.js';
import type { ConformanceHost } from './host.js';

/** How often a condition is read again, and how long before a case is called stuck (a hang guard, never a measured duration). */
const POLL_MS = 25;
const GIVE_UP_MS = 20_000;

let server: RestateServer | undefined;
let listening: RestateListening[] = [];
let organisations = 0;

const running = (): RestateServer => {
  if (!server) throw new Error('restate host: setup() has not started the server');
  return server;
};

export const restateHost: ConformanceHost = {
  name: 'restate',
  realTime: true,
  async setup() {
    server = await startRestateServer();
  },
  async teardown() {
    const endpoints = listening;
    listening = [];
    // Endpoints stay up until the file ends, so work a case left behind (a gate never opened)
    // does not make the server retry a missing deployment while later cases run.
    await Promise.allSettled(endpoints.map((endpoint) => endpoint.close()));
    await server?.stop();
    server = undefined;
  },
  async start(options) {
    const at = running();
    const name = `conformance${++organisations}`;
    const endpoint = await restateEndpoint({ ...options, name }).listen(0);
    listening.push(endpoint);
    await at.register(endpoint.url, { force: true });
    const org = restateOrchestrator({ ...options, name, ingressUrl: at.ingressUrl, adminUrl: at.adminUrl });
    return { org, advance: (ms) => sleep(ms), close: () => org.stop() };
  },
  async until(read, done, what) {
    const deadline = Date.now() + GIVE_UP_MS;
    let value = await read();
    while (!done(value)) {
      if (Date.now() > deadline) throw new Error(`restate: still waiting after ${GIVE_UP_MS} ms for ${what}; last read: ${JSON.stringify(value)}`);
      await sleep(POLL_MS);
      value = await read();
    }
    return value;
  },
};
