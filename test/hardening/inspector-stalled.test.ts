/**
 * `inspectOrganisation` with an inspector server that stops reading, and with addresses ws cannot
 * parse. Before: every message was queued in the socket for a server that took none (300 MB after
 * 66,000 messages, without end), and `ws://localhost:99999` was ws's SyntaxError, not an EchelonError.
 */
import { createHash } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { inspectOrganisation } from '../../src/inspector.js';
import { orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });
/** Runs `size` tasks, then lets the inspector convert what they did (it does on a timer, one per event). */
const batch = async (org: ReturnType<typeof start>, size: number) => {
  await Promise.all(Array.from({ length: size }, (_, i) => org.submit({ type: ['python', 'react', 'sql'][i % 3]! })));
  await new Promise((resolve) => setTimeout(resolve, 1));
};

/** A WebSocket server that completes the handshake, then reads nothing (until `resume`). */
async function stalledServer() {
  let raw: Socket | undefined;
  const server = createServer((socket) => {
    socket.once('data', (request) => {
      const key = /Sec-WebSocket-Key: (.+)\r\n/i.exec(String(request))![1]!.trim();
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.pause();
      raw = socket;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}`,
    resume: () => raw!.resume(), // what it reads it throws away
    close: () => {
      raw?.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** An organisation whose inspector has worked past what the server would take: it drops messages. */
async function droppingInspector(url: string) {
  const org = start();
  const inspector = await inspectOrganisation(org, { url });
  for (let round = 0; round < 100 && !(inspector.dropped > 0); round++) await batch(org, 200);
  expect(inspector.dropped).toBeGreaterThan(0);
  return { org, inspector };
}

describe('inspectOrganisation with a server that stops reading', () => {
  it('drops what the server cannot take (past 16 MB waiting) instead of keeping it, and announces every agent again once it reads', async () => {
    const server = await stalledServer();
    try {
      const { org, inspector } = await droppingInspector(server.url);
      // More work while the server reads nothing: none of it is queued for it.
      const sent = inspector.sent;
      await batch(org, 200);
      expect(inspector.sent).toBe(sent);
      // It reads again: once what waited is taken, every agent is announced afresh, then the work goes on.
      server.resume();
      await vi.waitFor(
        async () => {
          await batch(org, 3);
          expect(inspector.sent).toBeGreaterThan(sent + developmentTeam().nodes().length);
        },
        { timeout: 60_000, interval: 10 },
      );
      await org.stop();
    } finally {
      await server.close();
    }
  }, 120_000);
});

describe('inspector.stop() with a server that reads nothing', () => {
  it('lets the socket go after a second of grace, not after ws\'s 30-second close timeout (simulated time)', async () => {
    const server = await stalledServer();
    try {
      const { org, inspector } = await droppingInspector(server.url);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      let stopped = false;
      const stopping = inspector.stop().then(() => (stopped = true));
      // Simulated time: 2 s is past the grace and far short of ws's close timeout. The socket's own end is real I/O.
      await vi.advanceTimersByTimeAsync(2_000);
      vi.useRealTimers();
      await vi.waitFor(() => expect(stopped).toBe(true), { timeout: 20_000, interval: 10 });
      await stopping;
      await org.stop();
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  }, 120_000);
});

describe('inspectOrganisation at the door', () => {
  it('refuses addresses ws cannot parse and a connectTimeoutMs no timer holds (invalid_option, not a SyntaxError or a warning)', async () => {
    const org = start();
    for (const url of ['ws://localhost:99999', 'ws://[', 'ws://localhost:8080/#part']) {
      await expect(inspectOrganisation(org, { url })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('is no WebSocket address') });
    }
    await expect(inspectOrganisation(org, { url: 'ws://127.0.0.1:1', connectTimeoutMs: 2 ** 31 })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('connectTimeoutMs') });
  });
});
