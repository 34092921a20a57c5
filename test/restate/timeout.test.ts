/**
 * A Restate server that takes the connection and never answers: every client call but the wait
 * for an outcome gives up after `requestTimeoutMs` with `engine_unavailable`, saying it timed out
 * and after how long. Before, `submit` (and the others) waited for ever.
 */
import './quiet.js';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type Socket } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { restateOrchestrator } from '../../src/restate/index.js';

const options = { name: 'timeout', hierarchy: developmentTeam(), executors: { default: async () => 'done' } };

/** A loopback server that accepts connections, reads what it is sent and answers nothing. */
async function silent(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => (sockets.add(socket), socket.resume()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => (sockets.forEach((socket) => socket.destroy()), server.close(() => resolve()))));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('restateOrchestrator against a server that never answers', () => {
  it('fails each call after requestTimeoutMs with engine_unavailable, saying it timed out', async () => {
    const url = await silent();
    const org = restateOrchestrator({ ...options, ingressUrl: url, adminUrl: url, requestTimeoutMs: 50 });
    await expect(org.submit({ id: 'login-1', type: 'api_design' })).rejects.toMatchObject({
      code: 'engine_unavailable',
      details: { taskId: 'login-1', timedOut: true, timeoutMs: 50 },
      message: expect.stringMatching(/did not answer the submission of task "login-1" within 50 ms \(requestTimeoutMs\).*org\.outcome\("login-1"\) tells/),
    });
    for (const call of [() => org.agentState('cto'), () => org.cancel('login-1'), () => org.approvals.pending(), () => org.approvals.approve('apv_1', { by: 'cto' }), () => org.status(), () => org.journal()]) {
      await expect(call()).rejects.toMatchObject({ code: 'engine_unavailable', details: { timedOut: true, timeoutMs: 50 } });
    }
  });

  it('refuses a requestTimeoutMs that is not a whole number of ms, at the door', () => {
    for (const requestTimeoutMs of [0, -1, 1.5, Number.NaN, 2 ** 31, '50']) {
      expect(() => restateOrchestrator({ ...options, ingressUrl: 'http://127.0.0.1:1', adminUrl: 'http://127.0.0.1:1', requestTimeoutMs } as never)).toThrow(expect.objectContaining({ code: 'invalid_option', details: { option: 'requestTimeoutMs' } }));
    }
    expect(() => restateOrchestrator({ ...options, ingressUrl: 'http://127.0.0.1:1', adminUrl: 'http://127.0.0.1:1', requestTimeoutMs: Infinity })).not.toThrow();
  });
});

describe("restateOrchestrator's wait for an outcome", () => {
  it('attaches again when fetch gives up on the headers (undici: 5 minutes; an approval waits for days), and gets the outcome', async () => {
    // The wait fetch allows for a response's headers, made short here; restored after.
    const { Agent, getGlobalDispatcher, setGlobalDispatcher } = await import('undici');
    const before = getGlobalDispatcher();
    setGlobalDispatcher(new Agent({ headersTimeout: 100 }));
    onTestFinished(() => setGlobalDispatcher(before));
    const attaches: string[] = [];
    const held = new Set<ServerResponse>();
    const server = createHttpServer((request, response) => {
      attaches.push(request.url ?? '');
      // The first attach is left waiting, as Restate leaves one until its task ends; the second gets the outcome.
      if (attaches.length === 1) return void held.add(response);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ taskId: 'waits-1', status: 'completed', result: 'done' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => (held.forEach((response) => response.destroy()), server.closeAllConnections(), server.close(() => resolve()))));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const org = restateOrchestrator({ ...options, ingressUrl: url, adminUrl: url });
    await expect(org.outcome('waits-1')).resolves.toMatchObject({ taskId: 'waits-1', status: 'completed', result: 'done' });
    expect(attaches).toHaveLength(2);
    expect(attaches.every((path) => path.endsWith('/waits-1/attach'))).toBe(true);
  });
});
