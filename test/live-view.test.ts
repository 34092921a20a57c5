import { getEventListeners } from 'node:events';
import { request } from 'node:http';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { developmentTeam, fullStackFeature, memoryStore, type LiveView } from '../src/index.js';
import { AGENT_STATES } from '../src/charts.js';
import { serveLiveView, type LiveViewOptions, type LiveViewSnapshot } from '../src/inspect/index.js';
import { flush, leakWarningsDuring, orchestrators } from './support/helpers.js';
import { sseFrames } from './support/sse.js';

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

/** The status line the server answers `bytes`, sent as they are on a socket of its own (Node's client sends only a path). */
const statusLine = (view: LiveView, bytes: string) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(view.port, '127.0.0.1', () => socket.end(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk)).on('error', reject).on('close', () => resolve(Buffer.concat(chunks).toString('latin1').split('\r\n')[0]!));
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

  it('answers a malformed %-escape in an id with 400 invalid_request, not 500, and goes on serving', async () => {
    const { view, approval } = await parked();
    for (const [path, init] of [
      ['/api/tasks/%E0%A4%A', {}],
      ['/api/tasks/%ZZ/stream', {}],
      ['/api/approvals/%ZZ/approve', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"by":"cto"}' }],
      ['/api/escalations/%ZZ/resolve', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"by":"cto","result":"x"}' }],
    ] as const) {
      const response = await fetch(`${base(view)}${path}`, init);
      expect([path, response.status, ((await response.json()) as { error: { code: string; message: string } }).error]).toEqual([
        path,
        400,
        { code: 'invalid_request', message: expect.stringContaining('malformed %-escape') },
      ]);
    }
    expect((await post(view, `/api/approvals/${approval.id}/approve`, { by: 'cto' })).status).toBe(200);
  });

  it('answers a request target that is no URL (GET //[) with 400 invalid_request, and goes on serving', async () => {
    // new URL('//[', base) throws: thrown in the request listener, it ended the process, organisation and all.
    const { view, approval } = await parked();
    for (const target of ['//[', '//a:b@/api/state', '//x:99999/']) {
      expect([target, await raw(view, target, { host: `127.0.0.1:${view.port}` })]).toEqual([target, 400]);
    }
    expect((await post(view, `/api/approvals/${approval.id}/approve`, { by: 'cto' })).status).toBe(200);
  });

  it('answers a target that is no path on this server — absolute-form (GET http://other.host/), *, /\\other.host — with 400, over a real socket', async () => {
    // new URL(target, base) takes the host from such a target and the path from it: GET http://other.host/api/state was served the organisation (200).
    const { view } = await parked();
    const host = `127.0.0.1:${view.port}`;
    const targets = ['http://other.host/api/state', `http://${host}/api/state`, 'http://other.host/', '/\\other.host/api/state', '/\t/other.host/api/state', '*'];
    for (const target of targets) expect([target, await statusLine(view, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)]).toEqual([target, 'HTTP/1.1 400 Bad Request']);
    expect(await statusLine(view, `GET /api/state HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
  });

  it('takes a ?limit= of replay steps that is no whole number as the replay view does (1.5 is 1): it was 400, "replaySteps: latest must be a whole number"', async () => {
    const org = start({ store: memoryStore() });
    await org.submit({ id: 'p1', type: 'python' });
    const view = await serveLiveView(org);
    const indexes = async (query: string) => ((await (await fetch(`${base(view)}/api/history${query}`)).json()) as Array<{ index: number }>).map((step) => step.index);
    const last = org.journal().length;
    expect(await indexes('?limit=1.5')).toEqual([last]);
    expect(await indexes('?limit=2.9')).toEqual([last - 1, last]);
    expect(await indexes('?limit=abc')).toEqual([last]);
  });

  it('answers HEAD / as GET / without the page (curl -I, health checks)', async () => {
    const { view } = await parked();
    const head = await fetch(`${base(view)}/`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'text/html; charset=utf-8', '']);
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
    // A misspelt option is refused with a suggestion, not ignored (the view would listen on a port nobody asked for).
    await expect(serveLiveView(org, { prot: 4321 } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('unknown option "prot" — did you mean "port"?') });
    await expect(serveLiveView(null as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('serveLiveView needs the orchestrator') });
    const open = await serveLiveView(org, { host: '0.0.0.0', token: TOKEN });
    // 0.0.0.0 is where it listens, not an address to browse to: the URL names one of this machine's.
    const { hostname } = new URL(open.url);
    expect(hostname).not.toBe('0.0.0.0');
    expect(open.url).toBe(`http://${hostname}:${open.port}/#token=${TOKEN}`);
    expect(open.host).toBe('0.0.0.0');
    expect((await fetch(`http://${hostname}:${open.port}/api/state?token=${TOKEN}`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${open.port}/api/state`)).status).toBe(401);
  });

  it('pushes events and fresh snapshots to the page over Server-Sent Events', async () => {
    const org = start();
    const view = await serveLiveView(org);
    const response = await fetch(`${view.url}api/events`);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const { frames, until, cancel } = sseFrames<{ type?: string; agents?: unknown[]; events?: unknown[] }>(response);
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
      'task.ended',
      'task.completed',
    ]);
    await cancel();
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

  it('closes a view whose organisation stopped while it was starting to listen', async () => {
    const org = start();
    const opening = serveLiveView(org);
    await org.stop();
    const view = await opening;
    await expect(fetch(`${view.url}api/state`)).rejects.toThrow();
  });

  it('ends any number of views with the organisation through one listener on org.signal: twelve views draw no MaxListenersExceededWarning', async () => {
    const org = start();
    const warnings = await leakWarningsDuring(async () => {
      const views = [];
      for (let i = 0; i < 12; i++) views.push(await serveLiveView(org, { port: 0 }));
      expect(getEventListeners(org.signal, 'abort')).toHaveLength(1);
      // A view closed by hand stops following the organisation; the last one takes the listener off.
      await views.pop()!.close();
      await org.stop();
      for (const view of views) await expect(fetch(`${view.url}api/state`)).rejects.toThrow();
    });
    expect(warnings).toEqual([]);
    const other = start();
    const closing = await Promise.all(Array.from({ length: 3 }, () => serveLiveView(other, { port: 0 })));
    for (const view of closing) await view.close();
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
  });

  it('resolves an escalation waiting for a person through the escalations API, only as those offered', async () => {
    let fixed = false;
    const org = start({
      executors: async (task, { agent }) => {
        if (!fixed) throw new Error(`broken on ${agent.id}`);
        return `${task.type} by ${agent.id}`;
      },
      onEscalation: () => undefined, // a person decides, on the page
    });
    const view = await serveLiveView(org);
    const waiting = async () => {
      for (let round = 0; round < 50 && !org.escalations.active().some((e) => e.to === 'human'); round++) await flush();
      return org.escalations.active().find((e) => e.to === 'human')!;
    };
    const state = async () => (await (await fetch(`${view.url}api/state`)).json()) as LiveViewSnapshot;
    const resolve = (id: string, body: unknown) => post(view, `/api/escalations/${id}/resolve`, body);

    // A python task nobody else can do: the person completes it by hand.
    const python = org.submit({ id: 'py', type: 'python' });
    const first = await waiting();
    const shown = (await state()).escalations.find((e) => e.id === first.id)!;
    expect(shown).toMatchObject({ waitingForPerson: true, from: 'cto', deciders: ['cto'], assignees: ['backend_dev_1'] });
    const refused = await resolve(first.id, { by: 'backend_dev_1', result: 'x' });
    expect([refused.status, await codeOf(refused)]).toEqual([403, 'escalation_unauthorized']);
    expect(await codeOf(await resolve(first.id, { by: 'cto', assignTo: 'frontend_dev_1' }))).toBe('escalation_unauthorized');
    expect(await codeOf(await resolve(first.id, { by: 'cto', result: 'a', fail: 'b' }))).toBe('invalid_request');
    expect(org.escalations.get(first.id)?.status).toBe('active');
    expect((await resolve(first.id, { by: 'cto', result: 'done by hand' })).status).toBe(200);
    expect(await python).toMatchObject({ status: 'completed', result: 'done by hand', executedBy: 'human:cto' });
    expect(await codeOf(await resolve(first.id, { by: 'cto', result: 'again' }))).toBe('unknown_escalation');

    // Coding fails on both workers; once fixed, the person hands it to the frontend developer.
    const coding = org.submit({ id: 'code', type: 'coding' }, { at: 'backend_dev_1' });
    const second = await waiting();
    expect((await state()).escalations.find((e) => e.id === second.id)).toMatchObject({ deciders: ['cto'], assignees: ['backend_dev_1', 'frontend_dev_1'] });
    fixed = true;
    expect((await resolve(second.id, { by: 'cto', assignTo: 'frontend_dev_1' })).status).toBe(200);
    expect(await coding).toMatchObject({ status: 'completed', result: 'coding by frontend_dev_1', executedBy: 'frontend_dev_1' });

    // And a failure, with the reason given.
    fixed = false;
    const sql = org.submit({ id: 'sql', type: 'sql' });
    const third = await waiting();
    await resolve(third.id, { by: 'cto', fail: 'not today' });
    expect(await sql).toMatchObject({ status: 'failed', error: { code: 'escalation_unresolved', message: expect.stringContaining('not today') } });
  });

  it('lists tasks (filtered by status, type, agent, id) and gives each one\'s timeline', async () => {
    const org = start();
    const view = await serveLiveView(org);
    await org.submit({ id: 'a-python', type: 'python' });
    await org.submit({ id: 'b-react', type: 'react' });
    const parked = org.submit({ id: 'c-css', type: 'css', context: { requiresApproval: true } });
    await flush();
    const list = async (query: string) => ((await (await fetch(`${view.url}api/tasks${query}`)).json()) as Array<{ id: string }>).map((task) => task.id);
    expect(await list('')).toEqual(['c-css', 'b-react', 'a-python']);
    expect(await list('?status=completed')).toEqual(['b-react', 'a-python']);
    expect(await list('?status=active')).toEqual(['c-css']);
    expect(await list('?type=python')).toEqual(['a-python']);
    expect(await list('?agent=frontend_lead')).toEqual(['c-css', 'b-react']);
    expect(await list('?search=REACT')).toEqual(['b-react']);
    expect(await list('?limit=1')).toEqual(['c-css']);

    const timeline = (await (await fetch(`${view.url}api/tasks/a-python`)).json()) as {
      source: string;
      rows: Array<{ type: string; actor: string; text: string; state?: string }>;
      outcome: { status: string; executedBy: string; result: string; delegationChain: string[] };
    };
    expect(timeline.source).toBe('events');
    // Without a store, from the events: the same entries the journal would hold (task.ended included).
    expect(timeline.rows.map((row) => row.type)).toEqual(['task.submitted', 'task.delegated', 'task.delegated', 'task.delegated', 'task.started', 'task.ended', 'task.settled']);
    expect(timeline.rows[4]).toMatchObject({ actor: 'backend_dev_1', state: 'executing', text: 'python a-python executing at backend_dev_1' });
    expect(timeline.rows[5]).toMatchObject({ actor: 'backend_dev_1' });
    expect(timeline.outcome).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1', result: '"python done"', delegationChain: ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1'] });
    const active = (await (await fetch(`${view.url}api/tasks/c-css`)).json()) as { rows: Array<{ type: string; actor: string; state?: string }>; outcome?: unknown };
    expect(active.rows.at(-1)).toMatchObject({ type: 'approval.requested', actor: 'frontend_dev_1', state: 'awaitingApproval' });
    expect(active.outcome).toBeUndefined();
    await org.submit({ id: 'd-budget', type: 'sql', budget: { cost: 10 } });
    const budgeted = (await (await fetch(`${view.url}api/tasks/d-budget`)).json()) as { outcome: { budget: unknown } };
    expect(budgeted.outcome.budget).toMatchObject({ limit: { cost: 10 }, used: { cost: 0 }, left: { cost: 10 } });
    const unknown = await fetch(`${view.url}api/tasks/nope`);
    expect([unknown.status, await codeOf(unknown)]).toEqual([404, 'unknown_task']);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'react_specialist' });
    await parked;
  });

  it('keeps the active tasks and the latest finished ones (history)', async () => {
    const org = start();
    const view = await serveLiveView(org, { history: 2 });
    const parked = org.submit({ id: 'waiting', type: 'css', context: { requiresApproval: true } });
    for (const id of ['one', 'two', 'three']) await org.submit({ id, type: 'sql' });
    const ids = ((await (await fetch(`${view.url}api/tasks`)).json()) as Array<{ id: string }>).map((task) => task.id);
    expect(ids).toEqual(['three', 'two', 'waiting']);
    expect((await fetch(`${view.url}api/tasks/one`)).status).toBe(404);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'react_specialist' });
    await parked;
  });

  it('opened on a resumed organisation, lists the tasks it took up again and finds finished ones in the journal', async () => {
    const store = memoryStore();
    const first = start({ store, decomposers: { byType: { full_stack_feature: fullStackFeature() } } });
    await first.submit({ id: 'earlier', type: 'sql' });
    await first.submit({ id: 'feature', type: 'full_stack_feature', payload: { feature: 'login' } });
    void first.submit({ id: 'waiting', type: 'css', context: { requiresApproval: true } }).catch(() => undefined);
    await first.flush();
    await first.stop();

    const org = start({ store, resume: true });
    const view = await serveLiveView(org);
    type Listed = { id: string; type: string; status: string; agents: string[]; at: string };
    const list = async () => (await (await fetch(`${view.url}api/tasks`)).json()) as Listed[];
    // Before, the list was empty and every task of the first run a 404: the view had seen none of their events.
    expect(await list()).toEqual([expect.objectContaining({ id: 'waiting', type: 'css', status: 'active', agents: ['cto', 'frontend_lead', 'react_specialist', 'frontend_dev_1'], at: 'frontend_dev_1' })]);
    const earlier = (await (await fetch(`${view.url}api/tasks/earlier`)).json()) as { task: Listed & { executedBy: string }; outcome: { status: string }; rows: unknown[] };
    expect(earlier).toMatchObject({ task: { id: 'earlier', status: 'completed', executedBy: 'db_specialist' }, outcome: { status: 'completed' } });
    expect(earlier.rows.length).toBeGreaterThan(3);
    // A subtask's id finds its submitted task, from the journal too.
    expect(((await (await fetch(`${view.url}api/tasks/feature.backend`)).json()) as { task: { id: string; splitBy: string } }).task).toMatchObject({ id: 'feature', splitBy: expect.any(String) });
    expect((await fetch(`${view.url}api/tasks/never-submitted`)).status).toBe(404);

    // The resumed task goes on being followed: approved now, it is listed as completed.
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'react_specialist' });
    expect(await org.outcome('waiting')).toMatchObject({ status: 'completed' });
    await flush();
    expect((await list()).find((task) => task.id === 'waiting')).toMatchObject({ status: 'completed', executedBy: 'frontend_dev_1' });
  });

  it('tells the browser not to sniff: every answer — page, JSON, event stream, refusal — is what its content-type says', async () => {
    const view = await serveLiveView(start());
    for (const path of ['', 'api/state', 'api/tasks', 'api/nothing-here', 'api/tasks/unknown']) {
      const response = await fetch(`${view.url}${path}`);
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      await response.arrayBuffer();
    }
    const controller = new AbortController();
    const stream = await fetch(`${view.url}api/events`, { signal: controller.signal });
    expect(stream.headers.get('x-content-type-options')).toBe('nosniff');
    controller.abort();
  });

  it('takes at most 200 held tasks from the journal when it opens; the others open by id', async () => {
    const store = memoryStore();
    const first = start({ store });
    for (let n = 0; n < 205; n++) void first.submit({ id: `held-${n}`, type: 'css', context: { requiresApproval: true } }).catch(() => undefined);
    await first.flush();
    await first.stop();
    const org = start({ store, resume: true });
    const view = await serveLiveView(org);
    const listed = ((await (await fetch(`${view.url}api/tasks?limit=1000`)).json()) as Array<{ id: string }>).map((task) => task.id);
    expect(listed).toHaveLength(200);
    const left = Array.from({ length: 205 }, (_, n) => `held-${n}`).filter((id) => !listed.includes(id));
    expect(left).toHaveLength(5);
    expect(((await (await fetch(`${view.url}api/tasks/${left[0]}`)).json()) as { task: { id: string; status: string } }).task).toMatchObject({ id: left[0], status: 'active' });
  });

  it('without a store, lists only what it sees from when it opens', async () => {
    const org = start();
    const waiting = org.submit({ id: 'before', type: 'css', context: { requiresApproval: true } });
    await flush();
    const view = await serveLiveView(org);
    expect(await (await fetch(`${view.url}api/tasks`)).json()).toEqual([]);
    expect((await fetch(`${view.url}api/tasks/before`)).status).toBe(404);
    org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'react_specialist' });
    await waiting;
  });

  it('shows a split task\'s subtask tree, while it runs and once it settled', async () => {
    const parts = new Map<string, () => void>();
    const org = start({
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
      executors: (task) => new Promise((resolve) => parts.set(task.id, () => resolve(`${task.type} done`))),
    });
    const view = await serveLiveView(org);
    const feature = org.submit({ id: 'auth', type: 'full_stack_feature', payload: { feature: 'login' } });
    await flush();
    const tree = async () => ((await (await fetch(`${view.url}api/tasks/auth`)).json()) as { subtasks: Array<{ id: string; status: string; subtasks: unknown[] }> }).subtasks;
    expect(await tree()).toEqual([
      { id: 'auth.backend', status: 'active', subtasks: [] },
      { id: 'auth.frontend', status: 'active', subtasks: [] },
    ]);
    for (const finish of parts.values()) finish();
    expect((await feature).status).toBe('completed');
    expect(await tree()).toEqual([
      expect.objectContaining({ id: 'auth.backend', status: 'completed', executedBy: expect.any(String) }),
      expect.objectContaining({ id: 'auth.frontend', status: 'completed', executedBy: expect.any(String) }),
    ]);
    // A subtask's id finds its submitted task's timeline.
    expect(((await (await fetch(`${view.url}api/tasks/auth.backend`)).json()) as { task: { id: string } }).task.id).toBe('auth');
  });

  it('sends the agent statechart, drawn from its definition, and each agent\'s active states', async () => {
    const org = start();
    const view = await serveLiveView(org);
    const state = (await (await fetch(`${view.url}api/state`)).json()) as LiveViewSnapshot & { statechart: string };
    expect(state.statechart).toMatch(/^<svg [^>]*role="img"/);
    for (const name of AGENT_STATES) expect(state.statechart).toContain(`data-state="${name}"`);
    expect(state.agents.find((agent) => agent.id === 'cto')!.statePath).toEqual(['receiving']);
  });
});
