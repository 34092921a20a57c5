/**
 * One restate-server per test file (R2's `startRestateServer`), and organisations served on it
 * from this process: each gets a fresh organisation name, so tests never see each other's state.
 */
import './quiet.js';
import { afterAll } from 'vitest';
import { restateEndpoint, restateOrchestrator, startRestateServer, type RestateOrchestrator, type RestateOrganisationOptions, type RestateServer } from '../../src/restate/index.js';

let server: Promise<RestateServer> | undefined;
const closers: Array<() => Promise<void>> = [];
let counter = 0;

/** The file's server, started on first use and stopped after the file's tests. */
export function sharedServer(): Promise<RestateServer> {
  server ??= startRestateServer();
  return server;
}

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  if (server !== undefined) await (await server).stop();
});

/** Serves an organisation (every unit, in this process) under a fresh name, and returns its client. */
export async function restateOrg(options: RestateOrganisationOptions, endpoints: ReadonlyArray<readonly string[] | undefined> = [undefined]): Promise<RestateOrchestrator> {
  const restate = await sharedServer();
  const named = { ...options, name: options.name ?? `t${process.pid}x${++counter}` };
  for (const hosts of endpoints) {
    const served = await restateEndpoint({ ...named, ...(hosts === undefined ? {} : { hosts }) }).listen();
    closers.push(() => served.close());
    await restate.register(served.url, { force: true });
  }
  return restateOrchestrator({ ...named, ingressUrl: restate.ingressUrl, adminUrl: restate.adminUrl });
}
