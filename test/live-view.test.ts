import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { developmentTeam, type LiveView } from '../src/index.js';
import { serveLiveView, type LiveViewOptions, type LiveViewSnapshot } from '../src/inspect/index.js';
import { flush, orchestrators } from './support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });

const TOKEN = 'a-token-long-enough-to-count';

/** An organisation with a python task parked for approval at backend_dev_1, served. */
const parked = async (serve: LiveViewOptions = {}) => {
  const org = start();
  const view = await serveLiveView(org, serve);
  const outcome = org.submit({ id: 'risky', type: 'python', context: { requiresApproval: true } });
  await flush();
  return { org, view, outcome, approval: org.approvals.pending()[0]! };
};

const base = (view: LiveView) => `http://127.0.0.1:${view.port}`;

const post = (view: LiveView, path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base(view)}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** A raw request, to send headers fetch will not (a foreign Host). */
const raw = (view: LiveView, path: string, headers: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    request({ host: '127.0.0.1', port: view.port, path, headers }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    })
      .on('error', reject)
      .end();
  });

const codeOf = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

describe('serveLiveView(org)', () => {
  it('binds to 127.0.0.1 by default and serves the organisation as JSON', async () => {
    const { view, approval } = await parked();
    expect(view.host).toBe('127.0.0.1');
    expect(view.url).toBe(`http://127.0.0.1:${view.port}/`);
    const state = (await (await fetch(`${view.url}api/state`)).json()) as LiveViewSnapshot & { events: Array<{ type: string; text: string }> };
    expect(state.agents.map((agent) => agent.id)).toEqual(developmentTeam().nodes().map((node) => node.id));
    expect(state.agents.find((agent) => agent.id === 'backend_dev_1')).toMatchObject({ state: 'awaitingApproval', awaitingApproval: 1, parent: 'api_specialist' });
    expect(state.agents.find((agent) => agent.id === 'cto')).toMatchObject({ parent: null, load: { backend_lead: 1 }, totalLoad: 1 });
    expect(state.approvals).toEqual([
      expect.objectContaining({ id: approval.id, taskId: 'risky', requester: 'backend_dev_1', approver: 'api_specialist', eligible: ['api_specialist', 'backend_lead', 'cto'] }),
    ]);
    expect(state.status).toMatchObject({ activeTasks: 1, pendingApprovals: 1 });
    expect(state.events.map((event) => event.type)).toEqual(['task.submitted', 'task.delegated', 'task.delegated', 'task.delegated', 'approval.requested']);
    expect(state.events[1]!.text).toBe('python risky: cto → backend_lead');
  });

  it('approves and rejects through the orchestrator API, as the identity the page chose', async () => {
    const first = await parked();
    const approved = await post(first.view, `/api/approvals/${first.approval.id}/approve`, { by: 'backend_lead', comment: 'ship it' });
    expect(approved.status).toBe(200);
    expect(await first.outcome).toMatchObject({ status: 'completed', approvals: [{ decisions: [{ by: 'backend_lead', decision: 'approved', note: 'ship it' }] }] });

    const org = start();
    const view = await serveLiveView(org);
    const outcome = org.submit({ type: 'css', context: { requiresApproval: true } });
    await flush();
    const [approval] = org.approvals.pending();
    expect((await post(view, `/api/approvals/${approval!.id}/reject`, { by: 'react_specialist', reason: 'not now' })).status).toBe(200);
    expect(await outcome).toMatchObject({ status: 'rejected', error: { code: 'rejected' } });
  });

  it('refuses decisions the approvals API refuses, with its error codes', async () => {
    const { view, approval, org } = await parked();
    const path = `/api/approvals/${approval.id}/approve`;
    expect(await codeOf(await post(view, path, { by: 'frontend_lead' }))).toBe('approval_unauthorized');
    expect((await post(view, path, { by: 'frontend_lead' })).status).toBe(403);
    expect(await codeOf(await post(view, path, { by: 'backend_dev_1' }))).toBe('self_approval');
    expect(await codeOf(await post(view, path, { by: 'nobody_here' }))).toBe('unknown_agent');
    const unknown = await post(view, '/api/approvals/apv_nope/approve', { by: 'cto' });
    expect([unknown.status, await codeOf(unknown)]).toEqual([404, 'unknown_approval']);
    expect(org.approvals.pending()).toHaveLength(1);
  });

  it('refuses malformed actions', async () => {
    const { view, approval } = await parked();
    const path = `/api/approvals/${approval.id}/approve`;
    expect(await codeOf(await post(view, path, {}))).toBe('invalid_request');
    expect(await codeOf(await post(view, path, { by: 42 }))).toBe('invalid_request');
    expect(await codeOf(await post(view, path, ['cto']))).toBe('invalid_request');
    const notJson = await fetch(`${view.url}${path.slice(1)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{by:' });
    expect([notJson.status, await codeOf(notJson)]).toEqual([400, 'invalid_request']);
    const form = await fetch(`${view.url}${path.slice(1)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'by=cto' });
    expect(await codeOf(form)).toBe('invalid_request');
    expect((await fetch(`${view.url}api/nothing`)).status).toBe(404);
  });

  it('only takes actions from its own page: a foreign Origin or Host is refused', async () => {
    const { view, approval, org } = await parked();
    const path = `/api/approvals/${approval.id}/approve`;
    const foreign = await post(view, path, { by: 'cto' }, { origin: 'https://evil.example' });
    expect([foreign.status, await codeOf(foreign)]).toEqual([401, 'unauthorized']);
    expect(await raw(view, '/api/state', { host: `evil.example:${view.port}` })).toBe(401);
    expect(await raw(view, '/api/state', { host: `localhost:${view.port}` })).toBe(200);
    expect(org.approvals.pending()).toHaveLength(1);
  });

  it('with a token, reading and acting need it; the page gets it from the URL fragment', async () => {
    const { view, approval, outcome } = await parked({ token: TOKEN });
    expect(view.url).toBe(`http://127.0.0.1:${view.port}/#token=${TOKEN}`);
    expect((await fetch(base(view))).status).toBe(200); // the page itself holds no data
    expect((await fetch(`${base(view)}/api/state`)).status).toBe(401);
    expect((await fetch(`${base(view)}/api/events`)).status).toBe(401);
    expect((await fetch(`${base(view)}/api/state?token=wrong-token-of-some-length`)).status).toBe(401);
    expect((await fetch(`${base(view)}/api/state?token=${TOKEN}`)).status).toBe(200);
    const path = `/api/approvals/${approval.id}/approve`;
    const without = await post(view, path, { by: 'cto' });
    expect([without.status, await codeOf(without)]).toEqual([401, 'unauthorized']);
    expect((await post(view, path, { by: 'cto' }, { 'x-echelon-token': 'wrong-token-of-some-length' })).status).toBe(401);
    expect((await post(view, path, { by: 'cto' }, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await outcome).status).toBe('completed');
  });

  it('will not listen beyond loopback without a token, and checks its options', async () => {
    const org = start();
    await expect(serveLiveView(org, { host: '0.0.0.0' })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('pass a token') });
    for (const options of [{ port: -1 }, { port: 1.5 }, { port: 70_000 }, { token: 'short' }, { host: '' }, { history: 0 }]) {
      await expect(serveLiveView(org, options)).rejects.toMatchObject({ code: 'invalid_option' });
    }
    const open = await serveLiveView(org, { host: '0.0.0.0', token: TOKEN });
    expect(open.url).toBe(`http://0.0.0.0:${open.port}/#token=${TOKEN}`);
    expect((await fetch(`http://127.0.0.1:${open.port}/api/state`)).status).toBe(401);
  });

  it('pushes events and fresh snapshots to the page over Server-Sent Events', async () => {
    const org = start();
    const view = await serveLiveView(org);
    const response = await fetch(`${view.url}api/events`);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const frames: Array<{ event: string; data: { type?: string; agents?: unknown[]; events?: unknown[] } }> = [];
    const until = async (predicate: () => boolean) => {
      let buffer = '';
      while (!predicate()) {
        const { value, done } = await reader.read();
        if (done) throw new Error('the stream ended');
        buffer += value;
        const parts = buffer.split('\n\n');
        buffer = parts.pop()!;
        for (const part of parts) {
          const event = /^event: (.+)$/m.exec(part)?.[1];
          const data = /^data: (.+)$/m.exec(part)?.[1];
          if (event !== undefined && data !== undefined) frames.push({ event, data: JSON.parse(data) });
        }
      }
    };
    await until(() => frames.some((frame) => frame.event === 'state'));
    expect(frames[0]).toMatchObject({ event: 'state', data: { events: [] } });
    await org.submit({ type: 'css' });
    await until(() => frames.some((frame) => frame.event === 'snapshot'));
    expect(frames.filter((frame) => frame.event === 'event').map((frame) => frame.data.type)).toEqual([
      'task.submitted',
      'task.delegated',
      'task.delegated',
      'task.delegated',
      'task.started',
      'task.completed',
    ]);
    await reader.cancel();
  });

  it('serves one self-contained page: no external scripts, styles or fonts, and a CSP that forbids them', async () => {
    const org = start();
    const view = await serveLiveView(org);
    const page = await fetch(view.url);
    const html = await page.text();
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/@import|url\(/);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+'; connect-src 'self'/);
  });

  it('closes when the organisation stops', async () => {
    const org = start();
    const view = await serveLiveView(org);
    expect((await fetch(`${view.url}api/state`)).status).toBe(200);
    await org.stop();
    await expect(fetch(`${view.url}api/state`)).rejects.toThrow();
  });
});
