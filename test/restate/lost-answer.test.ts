/**
 * A submission the real server took whose answer never reached the client: a proxy in front of the
 * ingress hands the submission on and then drops the connection (or holds the answer until the
 * client's requestTimeoutMs runs out). The client says the task may have been submitted, naming its
 * id; submitting again with that id gets the one outcome, and the executor ran once.
 */
import './quiet.js';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { developmentTeam } from '../../src/index.js';
import { restateOrchestrator } from '../../src/restate/index.js';
import { restateOrg, sharedServer } from './support.js';

type Fate = 'drop' | 'hold';

/** A proxy to `target` that, for a submission (`…/run/send`) of a task in `lose`, passes it on, waits for the server's answer and then drops or holds it. */
async function lossyProxy(target: string, lose: Map<string, Fate>): Promise<{ url: string; forwarded: string[] }> {
  const forwarded: string[] = [];
  const held = new Set<ServerResponse>();
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const fate = [...lose].find(([id]) => incoming.url?.endsWith(`/${id}/run/send`))?.[1];
    const upstream = request(new URL(incoming.url ?? '/', target), { method: incoming.method, headers: incoming.headers }, (answer) => {
      const body: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => body.push(chunk));
      answer.on('end', () => {
        forwarded.push(`${incoming.url} ${answer.statusCode}`);
        if (fate === 'drop') return void incoming.socket.destroy();
        if (fate === 'hold') return void held.add(outgoing);
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(body));
      });
    });
    upstream.on('error', () => incoming.socket.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => (held.forEach((response) => response.destroy()), server.closeAllConnections(), server.close(() => resolve()))));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, forwarded };
}

describe('a submission whose answer is lost on the way back, on a real server', () => {
  it('is said to be maybe submitted; submitting the id again gets one outcome, and the executor ran once', async () => {
    const runs: string[] = [];
    const options = { name: `lost${process.pid}`, hierarchy: developmentTeam(), executors: { default: async (task: { id: string }) => (runs.push(task.id), `done ${task.id}`) } };
    const direct = await restateOrg(options);
    const { ingressUrl, adminUrl } = await sharedServer();
    const proxy = await lossyProxy(ingressUrl, new Map<string, Fate>([['dropped-1', 'drop'], ['held-1', 'hold']]));
    const lossy = restateOrchestrator({ ...options, ingressUrl: proxy.url, adminUrl, requestTimeoutMs: 1_000 });

    await expect(lossy.submit({ id: 'dropped-1', type: 'api_design' })).rejects.toMatchObject({
      code: 'engine_unavailable',
      details: { taskId: 'dropped-1' },
      message: expect.stringContaining('The task may have been submitted: org.outcome("dropped-1") tells'),
    });
    await expect(lossy.submit({ id: 'held-1', type: 'database' })).rejects.toMatchObject({ code: 'engine_unavailable', details: { taskId: 'held-1', timedOut: true, timeoutMs: 1_000 } });
    // The server took both: the proxy saw its answers.
    expect(proxy.forwarded.filter((line) => / 20\d$/.test(line))).toHaveLength(2);

    const [dropped, held] = await Promise.all([direct.submit({ id: 'dropped-1', type: 'api_design' }), direct.submit({ id: 'held-1', type: 'database' })]);
    expect(dropped).toMatchObject({ taskId: 'dropped-1', status: 'completed', result: 'done dropped-1' });
    expect(held).toMatchObject({ taskId: 'held-1', status: 'completed', result: 'done held-1' });
    // Again, through the proxy that loses nothing else, and by outcome: the same one.
    expect(await direct.submit({ id: 'dropped-1', type: 'api_design' })).toEqual(dropped);
    expect(await lossy.outcome('held-1')).toEqual(held);
    expect(runs.sort()).toEqual(['dropped-1', 'held-1']);
    const settled = (await direct.journal()).filter((entry) => entry.type === 'task.settled').map((entry) => entry.taskId);
    expect(settled.sort()).toEqual(['dropped-1', 'held-1']);
  }, 60_000);
});
