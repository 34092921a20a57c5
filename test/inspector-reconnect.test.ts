/**
 * inspectOrganisation's `reconnect`: the Stately inspector server restarted while an organisation
 * runs. The server runs in a process of its own, killed as a restart would, so the inspector's
 * connection really drops; a second process then listens on the same port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { connect as connectTo, createServer } from 'node:net';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { developmentTeam } from '../src/index.js';
import { inspectOrganisation } from '../src/inspector.js';
import { freePort } from './support/free-port.js';
import { orchestrators } from './support/helpers.js';

const create = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });
const agentIds = developmentTeam().nodes().map((node) => node.id);
const FAST = { delayMs: 20, maxDelayMs: 100 } as const;

const servers = new Set<ChildProcess>();
afterEach(() => {
  for (const server of servers) server.kill('SIGKILL');
  servers.clear();
});

/** `createInspectorServer` in a process of its own, on `port`. */
function inspectorServer(port: number): ChildProcess {
  const script = `import('@statelyai/inspect/server').then(({ createInspectorServer }) => createInspectorServer({ port: ${port}, autoOpen: false }))`;
  const server = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), stdio: 'ignore' });
  servers.add(server);
  return server;
}

const kill = (server: ChildProcess) => new Promise<void>((resolve) => (server.once('exit', () => resolve()), server.kill('SIGKILL')));

/** Waits, a few milliseconds at a time, for a condition. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** An inspector page's connection (as the inspector's browser tab has), once the server listens: what the server sends it. */
async function page(port: number) {
  for (;;) {
    const socket = new WebSocket(`ws://127.0.0.1:${port}`);
    const opened = await new Promise<boolean>((resolve) => socket.once('open', () => resolve(true)).once('error', () => resolve(false)));
    if (!opened) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    const received: StatelyInspectionEvent[] = [];
    socket.on('message', (data) => received.push(JSON.parse(String(data)) as StatelyInspectionEvent));
    return { received, close: () => socket.close() };
  }
}

/** The agents a page was told of, by id (`agent:<id>`, with a definition). */
const announced = (received: readonly StatelyInspectionEvent[]) =>
  new Set(received.flatMap((event) => (event.type === '@xstate.actor' && event.name.startsWith('agent:') && event.definition !== undefined ? [event.name.slice('agent:'.length)] : [])));

describe('inspectOrganisation with reconnect: the inspector server restarted', () => {
  it('connects again once a server listens again, and announces every agent to it; its work follows', async () => {
    const port = await freePort();
    const first = inspectorServer(port);
    (await page(port)).close(); // it listens
    const org = create();
    const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${port}`, reconnect: FAST });
    expect(inspector.connected).toBe(true);
    await org.submit({ type: 'python' });

    await kill(first);
    await until(() => !inspector.connected);
    // Work done while no server listens is not sent, and does not stop the inspector; nor is an announcement asked for then.
    const sent = inspector.sent;
    expect((await org.submit({ type: 'react' })).status).toBe('completed');
    inspector.announce();
    expect(inspector.sent).toBe(sent);

    inspectorServer(port);
    const tab = await page(port);
    await until(() => inspector.reconnects === 1 && inspector.connected);
    await until(() => announced(tab.received).size === agentIds.length);
    expect([...announced(tab.received)].sort()).toEqual([...agentIds].sort());

    const worker = tab.received.find((event) => event.type === '@xstate.actor' && event.name === 'agent:backend_dev_1')!.sessionId;
    const executing = () => tab.received.some((event) => event.type === '@xstate.snapshot' && event.sessionId === worker && (event.snapshot as { value?: unknown }).value === 'executing');
    expect(executing()).toBe(false);
    await org.submit({ type: 'python' });
    await until(executing);
    await inspector.stop();
    expect(inspector.connected).toBe(false);
    tab.close();
  });

  it('stops trying once stopped, or once the organisation stops, and connects to no server started later', async () => {
    for (const end of ['inspector.stop()', 'org.stop()'] as const) {
      const port = await freePort();
      const first = inspectorServer(port);
      (await page(port)).close();
      const org = create();
      const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${port}`, reconnect: FAST });
      await kill(first);
      await until(() => !inspector.connected);
      if (end === 'inspector.stop()') await inspector.stop();
      else await org.stop();
      expect(getEventListeners(org.signal, 'abort')).toHaveLength(0);

      inspectorServer(port);
      const tab = await page(port);
      // Several times the longest delay: a try still scheduled would have connected by now.
      await new Promise((resolve) => setTimeout(resolve, 10 * FAST.maxDelayMs));
      expect(inspector.reconnects, end).toBe(0);
      expect(announced(tab.received).size, end).toBe(0);
      tab.close();
    }
  });

  it('waits longer each time for a server that drops every connection at once, rather than announcing to it every delayMs', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    let connections = 0;
    server.on('connection', (socket) => {
      connections++;
      socket.close();
    });
    const org = create();
    const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`, reconnect: { delayMs: 10, maxDelayMs: 160 } });
    try {
      const started = performance.now();
      await until(() => inspector.reconnects >= 5);
      // Waits of 10, 20, 40, 80 and 160 ms before the five: at least 310 ms (each retried after 10 ms, 50).
      expect(performance.now() - started).toBeGreaterThanOrEqual(300);
      expect(connections).toBeGreaterThanOrEqual(6);
    } finally {
      await inspector.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a frame it cannot read, once connected, is a connection lost like any other: the process stays up, and it connects again', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    let connections = 0;
    server.on('connection', (socket) => {
      // The first connection gets bytes no WebSocket frame starts with (reserved bits and opcode).
      if (++connections === 1) (socket as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0xff, 0x00]));
    });
    const org = create();
    const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`, reconnect: FAST });
    try {
      await until(() => inspector.reconnects === 1 && inspector.connected);
      expect(connections).toBe(2);
    } finally {
      await inspector.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('stopped while a try waits on a host that takes the connection and never answers, it lets that connection go at once', async () => {
    // One port: the first connection reaches a WebSocket server, every later one is held without a byte in answer.
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const held: import('node:net').Socket[] = [];
    let first: import('node:net').Socket | undefined;
    const door = createServer((socket) => {
      if (first !== undefined) return void held.push(socket.resume()); // read, so that the client's close is seen
      first = socket;
      const upstream = connectTo((server.address() as { port: number }).port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => {}).on('close', () => upstream.destroy());
      upstream.on('error', () => {});
    });
    await new Promise<void>((resolve) => door.listen(0, '127.0.0.1', resolve));
    const org = create();
    // A handshake this long would keep the process alive long after the stop.
    const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${(door.address() as { port: number }).port}`, reconnect: FAST, connectTimeoutMs: 2 ** 31 - 1 });
    try {
      first!.destroy();
      await until(() => held.length === 1);
      const closed = new Promise((resolve) => held[0]!.once('close', resolve));
      await inspector.stop();
      await closed;
      expect(held[0]!.destroyed).toBe(true);
    } finally {
      for (const socket of held) socket.destroy();
      await org.stop();
      await new Promise((resolve) => door.close(resolve));
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('without reconnect, stops with its server (as before)', async () => {
    const port = await freePort();
    const first = inspectorServer(port);
    (await page(port)).close();
    const org = create();
    const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${port}` });
    await kill(first);
    await until(() => getEventListeners(org.signal, 'abort').length === 0);
    expect(inspector.connected).toBe(false);
    expect(inspector.reconnects).toBe(0);
  });

  it('refuses a reconnect option it cannot follow, before connecting', async () => {
    const org = create();
    const url = `ws://127.0.0.1:${await freePort()}`; // nothing answers: the refusal at the door comes first
    const refused = (reconnect: unknown, message: string) =>
      expect(inspectOrganisation(org, { url, reconnect } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining(message) });
    await refused('yes', 'reconnect');
    await refused({ delayMs: 0 }, 'reconnect.delayMs');
    await refused({ delayMs: 1.5 }, 'reconnect.delayMs');
    await refused({ maxDelayMs: 2 ** 31 }, 'reconnect.maxDelayMs');
    await refused({ delayMs: 1_000, maxDelayMs: 10 }, 'at least reconnect.delayMs');
    await refused({ maxDelay: 10 }, 'did you mean "reconnect.maxDelayMs"');
  });

  it('takes a maxDelayMs under the default delay alone, starting its delays there', async () => {
    const org = create();
    const url = `ws://127.0.0.1:${await freePort()}`;
    // Refused before as 'reconnect.maxDelayMs (100) must be at least reconnect.delayMs (250)': a delayMs nobody gave.
    await expect(inspectOrganisation(org, { url, reconnect: { maxDelayMs: 100 } })).rejects.toMatchObject({ code: 'inspector_unreachable' });
  });
});
