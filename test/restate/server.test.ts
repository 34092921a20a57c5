/**
 * restate-server from the npm package, on loopback: started on free ports under a temp base dir,
 * healthy, a deployment registered, SIGKILLed and restarted with its state, stopped with nothing
 * left behind — and never outliving the process that started it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Http2Server } from 'node:http2';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestateServer, type RestateServer } from '../../src/restate/server.js';
import { alive, restateSdk, waitFor } from '../support/restate.js';

const sdk = await restateSdk();

/** A virtual object counting per key: enough to see state survive a crash. */
const counter = sdk.object({
  name: 'server_test_counter',
  handlers: {
    add: async (ctx: import('@restatedev/restate-sdk').ObjectContext, by: number) => {
      const next = ((await ctx.get<number>('count')) ?? 0) + by;
      ctx.set('count', next);
      return next;
    },
  },
});

let endpoint: Http2Server;
let endpointUrl: string;
beforeAll(async () => {
  endpoint = createServer(sdk.createEndpointHandler({ services: [counter] }));
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));

/** The empty `invoker-*` dirs the server makes per partition in its TMPDIR at each start. */
const invokerDirs = (server: RestateServer) => readdirSync(join(server.baseDir, '.restate-tmp')).filter((name) => name.startsWith('invoker-'));

const add = async (server: RestateServer, key: string, by: number) => {
  const response = await fetch(`${server.ingressUrl}/server_test_counter/${key}/add`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(by), signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return (await response.json()) as number;
};

describe('startRestateServer', () => {
  it('refuses bad options before starting anything', async () => {
    await expect(startRestateServer({ ingresPort: 1 } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('did you mean "ingressPort"') });
    await expect(startRestateServer({ adminPort: 70_000 })).rejects.toMatchObject({ code: 'invalid_option', details: { path: 'adminPort' } });
    await expect(startRestateServer({ nodePort: 1.5 })).rejects.toMatchObject({ code: 'invalid_option', details: { path: 'nodePort' } });
    await expect(startRestateServer({ binary: '/nonexistent/restate-server' })).rejects.toMatchObject({ code: 'invalid_option', details: { path: 'binary' } });
    await expect(startRestateServer({ partitions: 0 })).rejects.toMatchObject({ code: 'invalid_option', details: { path: 'partitions' } });
    await expect(startRestateServer({ syncWrites: 'no' } as never)).rejects.toMatchObject({ code: 'invalid_option' });
  });

  it('provisions the partitions it is given, and writes its logs unsynced when told', async () => {
    const server = await startRestateServer({ partitions: 2, syncWrites: false });
    try {
      const toml = readFileSync(join(server.baseDir, 'restate.toml'), 'utf8');
      expect(toml).toMatch(/^default-num-partitions = 2$/m);
      expect(toml.match(/^rocksdb-disable-wal-fsync = true$/gm)).toHaveLength(2);
      await server.register(endpointUrl);
      expect(await add(server, 'b', 4)).toBe(4);
    } finally {
      await server.stop();
    }
    const plain = await startRestateServer();
    try {
      expect(readFileSync(join(plain.baseDir, 'restate.toml'), 'utf8')).not.toMatch(/default-num-partitions|fsync/);
    } finally {
      await plain.stop();
    }
  });

  it('runs on free loopback ports, registers, survives SIGKILL with its state, and stops leaving nothing', async () => {
    const lines: string[] = [];
    const server = await startRestateServer({ log: (line) => lines.push(line) });
    try {
      const ports = [server.ingressUrl, server.adminUrl].map((url) => Number(new URL(url).port));
      expect(new Set(ports).size).toBe(2);
      expect(ports).not.toContain(8080);
      expect(ports).not.toContain(9070);
      expect(readFileSync(join(server.baseDir, 'restate.toml'), 'utf8')).not.toMatch(/0\.0\.0\.0/);
      expect(alive(server.pid!)).toBe(true);

      await expect(server.register('not a url')).rejects.toMatchObject({ code: 'invalid_option' });
      // A URL that serves no Restate endpoint: refused, with the admin API's reason.
      await expect(server.register(server.adminUrl)).rejects.toMatchObject({ code: 'deployment_rejected', message: expect.stringContaining('404') });
      await server.register(endpointUrl);
      expect(await add(server, 'a', 2)).toBe(2);
      expect(await add(server, 'a', 3)).toBe(5);

      const { pid, ingressUrl, adminUrl } = server;
      // The server's temp dirs go under its base dir (not /tmp, where thousands piled up), emptied at each start.
      expect(invokerDirs(server).length).toBeGreaterThan(0);
      expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain(`TMPDIR=${join(server.baseDir, '.restate-tmp')}`);
      await server.kill();
      expect(alive(pid!)).toBe(false);
      // Read once the server is dead: it makes them as its partitions start, so a count taken while it runs can still grow.
      const firstRun = invokerDirs(server);
      expect(firstRun.length).toBeGreaterThan(0);
      expect(server.pid).toBeUndefined();
      await expect(fetch(`${adminUrl}/health`)).rejects.toThrow();

      // A tmp/ of the user's own in the base dir is theirs: a start empties only the server's .restate-tmp/ (before: tmp/, removed at each start).
      mkdirSync(join(server.baseDir, 'tmp'), { recursive: true });
      writeFileSync(join(server.baseDir, 'tmp', 'mine'), 'kept');
      await server.restart();
      expect(readFileSync(join(server.baseDir, 'tmp', 'mine'), 'utf8')).toBe('kept');
      expect(invokerDirs(server).filter((name) => firstRun.includes(name))).toEqual([]);
      expect([server.ingressUrl, server.adminUrl]).toEqual([ingressUrl, adminUrl]);
      expect(server.pid).not.toBe(pid);
      await server.register(endpointUrl, { force: true });
      expect(await add(server, 'a', 1)).toBe(6);
      expect(lines.length).toBeGreaterThan(0);
    } finally {
      await server.stop();
    }
    const { pid, baseDir } = server;
    expect(pid).toBeUndefined();
    expect(existsSync(baseDir)).toBe(false);
    await server.stop(); // twice is fine
    await expect(server.register(endpointUrl)).rejects.toMatchObject({ code: 'engine_unavailable' });
  });

  it('does not outlive a program that started it and was SIGKILLed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures/orphan.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    const started = await new Promise<{ pid: number; baseDir: string }>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.once('data', (line: string) => resolve(JSON.parse(line)));
      child.once('exit', (code) => reject(new Error(`the fixture exited (${code}) before it printed the server`)));
    });
    expect(alive(started.pid)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !alive(started.pid), 10_000, `restate-server ${started.pid} outlived the SIGKILLed program that started it`);
    rmSync(started.baseDir, { recursive: true, force: true });
  });
});
