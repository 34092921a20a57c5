/**
 * The Restate client and endpoint at the door, with no server at all: a client whose server does
 * not answer, or answers with an HTTP error, refuses every call with `engine_unavailable` (not the
 * fetch's TypeError or the SDK's HttpCallError), and an endpoint refuses a port that is not one
 * and a unit named twice before it listens.
 */
import './quiet.js';
import { createServer as createHttpServer } from 'node:http';
import http2 from 'node:http2';
import { createServer } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { developmentTeam, EchelonError } from '../../src/index.js';
import { restateEndpoint, restateOrchestrator } from '../../src/restate/index.js';

const options = { name: 'door', hierarchy: developmentTeam(), executors: { default: async () => 'done' } };
const code = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: unknown) => (error instanceof EchelonError ? error.code : `${(error as Error).name}: ${(error as Error).message}`));

/** A loopback port nobody listens on: bound by this process, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** An HTTP server answering `status` to everything, as restate-server does while its partitions recover (503) or to a bad token (401). */
async function answering(status: number, body: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createHttpServer((request, response) => request.resume().on('end', () => response.writeHead(status).end(body)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('echelon/restate at the door', () => {
  it('refuses org.forget, saying Restate keeps the state and what its retention removes, after checking the query as in-process (no server reached)', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const org = restateOrchestrator({ ...options, ingressUrl: url, adminUrl: url });
    await expect(org.forget({ settledBefore: 1 })).rejects.toMatchObject({
      code: 'invalid_option',
      details: { host: 'restate' },
      message: expect.stringMatching(/not offered on Restate.*retention removes a finished task's workflow \(door-task\).*restate kv clear door-case\/<task id>/),
    });
    await expect(org.forget({ settledBefore: Number.NaN })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('settledBefore must be') });
    await expect(org.forget({ settledbefore: 1 } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('settledBefore') });
  });

  it('refuses every call of a client whose server does not answer with engine_unavailable', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const org = restateOrchestrator({ ...options, ingressUrl: url, adminUrl: url });
    // submit, agentState and cancel threw the fetch's "TypeError: fetch failed" before.
    expect(await code(org.submit({ type: 'api_design' }))).toBe('engine_unavailable');
    expect(await code(org.agentState('cto'))).toBe('engine_unavailable');
    expect(await code(org.cancel('t1'))).toBe('engine_unavailable');
    expect(await code(org.outcome('t1'))).toBe('engine_unavailable');
    expect(await code(org.approvals.approve('apv_1', { by: 'cto' }))).toBe('engine_unavailable');
    await expect(org.submit({ id: 'login-1', type: 'api_design' })).rejects.toThrow(new RegExp(`Restate server at ${url} did not answer`));
    // What is wrong with the call itself is still said first.
    expect(await code(org.submit({ type: '' }))).toBe('invalid_task');
    // A task Restate would never settle (a message over about 10 MiB): refused before it is sent. Before, submit waited for ever.
    await expect(org.submit({ id: 'big', type: 'api_design', payload: 'é'.repeat(5 * 1024 * 1024) })).rejects.toMatchObject({
      code: 'invalid_task',
      details: { taskId: 'big', limit: 8 * 1024 * 1024 },
      message: expect.stringMatching(/is 10\.0 MiB \([\d,]+ bytes\) as JSON; on Restate a task is at most 8\.0 MiB/),
    });
    expect(await code(org.agentState('nobody'))).toBe('unknown_agent');
    // Infinity, which JSON carries as null: a timeout became the default, a retry's maxDelayMs and a budget's timeMs failed the task.
    for (const [field, task] of [
      ['execution.timeoutMs', { execution: { timeoutMs: Infinity } }],
      ['execution.retry.maxDelayMs', { execution: { retry: { maxDelayMs: Infinity } } }],
      ['approval.timeoutMs', { approval: { timeoutMs: Infinity } }],
      ['budget.timeMs', { budget: { timeMs: Infinity } }],
    ] as const) {
      await expect(org.submit({ id: 'unbounded', type: 'api_design', ...task })).rejects.toMatchObject({ code: 'invalid_task', details: { taskId: 'unbounded', field }, message: expect.stringContaining(`${field} is Infinity, which JSON`) });
    }
    // An id is in its workflow's URL: one the ingress would refuse (414, 64 KiB) is refused at the door, and no longer id is asked about (the admin API refused a query of 5 MiB with a 413).
    const long = 'i'.repeat(64 * 1024);
    await expect(org.submit({ id: long, type: 'api_design' })).rejects.toMatchObject({ code: 'invalid_task', details: { taskId: long, limit: 2048 }, message: expect.stringContaining('on Restate a task id is at most 2048 characters') });
    for (const call of [() => org.outcome(long), () => org.cancel(long)]) await expect(call()).rejects.toMatchObject({ code: 'unknown_task', message: `No task "${'i'.repeat(60)}…": on Restate no task id is over 2048 characters.` });
    await expect(org.approvals.approve(long, { by: 'cto' })).rejects.toMatchObject({ code: 'unknown_approval', message: `No approval "${'i'.repeat(60)}…".` });
    await expect(org.escalations.resolve(long, { fail: 'no' })).rejects.toMatchObject({ code: 'unknown_escalation' });
    expect(await org.approvals.get(long)).toBeUndefined();
    // A journal query is checked as in-process, before the server is asked (before: { limit: -1 } read it all).
    expect(await code(org.journal({ limit: -1 }))).toBe('invalid_option');
    expect(await code(org.journal({ taskid: 't1' } as never))).toBe('invalid_option');
    // The submission may have reached the server: its id comes back, to ask for it or submit again with it.
    const failed = await org.submit({ type: 'api_design' }).catch((error: EchelonError) => error);
    expect(failed).toMatchObject({ code: 'engine_unavailable', details: { taskId: expect.stringMatching(/^task_/) } });
    expect((failed as EchelonError).message).toContain(`org.outcome("${(failed as EchelonError).details!.taskId as string}") tells`);
  });

  it('refuses every call answered with an HTTP error with engine_unavailable, naming the status, and asks nothing again', async () => {
    // Before: the SDK's HttpCallError "Request failed: 503" escaped from submit, outcome, cancel and agentState.
    const recovering = await answering(503, 'partition not ready');
    onTestFinished(recovering.close);
    const org = restateOrchestrator({ ...options, ingressUrl: recovering.url, adminUrl: recovering.url });
    for (const call of [() => org.submit({ id: 'login-1', type: 'api_design' }), () => org.outcome('t1'), () => org.cancel('t1'), () => org.agentState('cto')]) {
      await expect(call()).rejects.toMatchObject({ code: 'engine_unavailable', details: { status: 503 }, message: expect.stringMatching(/answered 503 to .* \(partition not ready\): the server is recovering or overloaded; try again shortly/) });
    }
    const refused = await answering(401, 'missing token');
    onTestFinished(refused.close);
    const unauthorised = restateOrchestrator({ ...options, ingressUrl: refused.url, adminUrl: refused.url });
    await expect(unauthorised.submit({ id: 'login-1', type: 'api_design' })).rejects.toMatchObject({
      code: 'engine_unavailable',
      details: { status: 401, taskId: 'login-1' },
      message: expect.stringMatching(/answered 401 .*check ingressUrl, the headers \(authentication\)/),
    });
    // Refused, not unsure: nothing says it may have been submitted.
    await expect(unauthorised.submit({ id: 'login-1', type: 'api_design' })).rejects.not.toThrow(/may have been submitted/);
  });

  it('refuses a port that is not one, and a unit named twice, before it listens', async () => {
    const endpoint = restateEndpoint(options);
    // listen(-1) threw a RangeError; listen('x') listened on a UNIX socket ./x and said port undefined.
    for (const port of [-1, 65_536, 1.5, 'x', '', '70000', Number.NaN]) await expect(endpoint.listen(port as number)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^restateEndpoint: listen takes a port/) });
    expect(() => restateEndpoint({ ...options, hosts: ['backend_lead', 'backend_lead'] })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('"backend_lead" twice') }));
  });

  it('takes a port given as a string of digits, as Node does (listen(process.env.PORT))', async () => {
    const port = String(await closedPort());
    // The port was free a moment ago; whichever way, the string is read as that port and never as a pipe's path.
    const served = await restateEndpoint(options).listen(port).catch((error: EchelonError) => error);
    if (served instanceof EchelonError) expect(served.message).toContain(`port ${port} is in use`);
    else {
      expect(served.port).toBe(Number(port));
      await served.close();
    }
  });

  it('listens on the host it is given (a server elsewhere reaches it on 0.0.0.0), and refuses one that is no address of this machine', async () => {
    const served = await restateEndpoint(options).listen(0, '0.0.0.0');
    try {
      expect(served.url).toBe(`http://127.0.0.1:${served.port}`);
      // Listening on every interface, it is reached on the loopback address its url names.
      const session = http2.connect(`http://127.0.0.1:${served.port}`);
      await new Promise<void>((resolve, reject) => (session.once('connect', () => resolve()), session.once('error', reject)));
      session.destroy();
    } finally {
      await served.close();
    }
    await expect(restateEndpoint(options).listen(0, '192.0.2.1')).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('cannot listen on 192.0.2.1 (EADDRNOTAVAIL)') });
    for (const host of ['', ' ', 7]) await expect(restateEndpoint(options).listen(0, host as string)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringMatching(/^restateEndpoint: listen's host/) });
  });

  it('refuses a port in use with invalid_option, naming it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(restateEndpoint(options).listen(port)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining(`port ${port} is in use`) });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
