/**
 * The admin API's SQL queries (src/restate/admin-query.ts) against a stand-in server on loopback:
 * a restarted restate-server answers 500 ("node … was shut down or removed") while its partitions
 * recover, and a read through the client then waits for it instead of failing at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { adminQuery } from '../../src/restate/admin-query.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
});

/** An admin API answering each query with the next of `statuses` (the last one repeats); counts the queries. */
async function admin(statuses: readonly number[]) {
  let asked = 0;
  server = createServer((request, response) => {
    request.resume();
    const status = statuses[Math.min(asked++, statuses.length - 1)]!;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(status === 200 ? JSON.stringify({ rows: [{ n: 3 }] }) : JSON.stringify({ message: 'Datafusion error: External error: node N1:2 was shut down or removed' }));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, asked: () => asked };
}

describe('echelon/restate: admin queries', () => {
  it('asks again while the server answers 5xx (partitions recovering after a restart), then returns the rows', async () => {
    const api = await admin([500, 500, 200]);
    expect(await adminQuery(api.url, 'SELECT 1', {}, [1, 1, 1])).toEqual([{ n: 3 }]);
    expect(api.asked()).toBe(3);
  });

  it('gives up with engine_unavailable after its waits, and at once on a 4xx', async () => {
    const failing = await admin([500]);
    await expect(adminQuery(failing.url, 'SELECT 1', {}, [1, 1])).rejects.toMatchObject({ code: 'engine_unavailable', message: expect.stringContaining('(500, after 3 tries)') });
    expect(failing.asked()).toBe(3);
    await new Promise((resolve) => server!.close(resolve));
    const refused = await admin([400]);
    await expect(adminQuery(refused.url, 'SELECT nonsense', {}, [1, 1])).rejects.toMatchObject({ code: 'engine_unavailable', message: expect.stringContaining('(400)') });
    expect(refused.asked()).toBe(1);
  });
});
