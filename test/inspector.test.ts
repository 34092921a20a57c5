import { getEventListeners } from 'node:events';
import { createServer } from 'node:net';
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { InspectionEvent } from 'xstate';
import { developmentTeam, type Orchestrator, type OrchestratorOptions } from '../src/index.js';
import { AGENT_STATES } from '../src/charts.js';
import { inspectOrganisation } from '../src/inspector.js';
import { freePort } from './support/free-port.js';
import { orchestrators } from './support/helpers.js';

const create = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });
const start = (inspect: OrchestratorOptions['inspect']) => create({ inspect });
const team = developmentTeam();
const agentIds = team.nodes().map((node) => node.id);

/** Which agent an inspected actor is (by identity with the system's registry). */
const agentOf = (org: Orchestrator, ref: unknown) => agentIds.find((id) => org.actor.system.get(id) === ref);

describe('inspection (opt-in)', () => {
  it('an XState inspect observer receives every agent actor and its snapshots', async () => {
    const events: InspectionEvent[] = [];
    const org = start((event) => events.push(event));
    await org.submit({ type: 'python' });
    const registered = events.filter((event) => event.type === '@xstate.actor').map((event) => agentOf(org, event.actorRef));
    expect(registered.filter(Boolean).sort()).toEqual([...agentIds].sort());
    const statesSeen = new Map<string, Set<string>>();
    for (const event of events) {
      if (event.type !== '@xstate.snapshot') continue;
      const agent = agentOf(org, event.actorRef);
      if (agent === undefined) continue;
      const value = (event.snapshot as unknown as { value: unknown }).value;
      const state = typeof value === 'string' ? value : Object.keys(value as object)[0]!;
      expect(AGENT_STATES).toContain(state);
      statesSeen.set(agent, (statesSeen.get(agent) ?? new Set()).add(state));
    }
    // Every agent on the way reported snapshots; the worker was seen executing.
    for (const agent of ['cto', 'backend_lead', 'api_specialist', 'backend_dev_1']) expect(statesSeen.get(agent)?.size).toBeGreaterThan(0);
    expect([...statesSeen.get('backend_dev_1')!]).toContain('executing');
  });

  it('@statelyai/inspect receives every agent, with its definition and snapshots', async () => {
    const received: StatelyInspectionEvent[] = [];
    let sawAll: () => void;
    const done = new Promise<void>((resolve) => (sawAll = resolve));
    let sessions = new Map<string, string>();
    const executing = (event: StatelyInspectionEvent) =>
      event.type === '@xstate.snapshot' && sessions.get(event.sessionId) === 'react_specialist' && (event.snapshot as { value?: unknown }).value === 'executing';
    // The inspector hands events over when the event loop is idle: wait for the ones the test needs.
    const inspector = createInspector({
      send(event) {
        received.push(event);
        const agents = new Set(received.filter((seen) => seen.type === '@xstate.actor').map((seen) => sessions.get(seen.sessionId)));
        if (agentIds.every((id) => agents.has(id)) && received.some(executing)) sawAll();
      },
    });
    const org = start(inspector.inspect);
    sessions = new Map(agentIds.map((id) => [org.actor.system.get(id)!.sessionId, id]));
    await org.submit({ type: 'react' });
    await done;
    const actors = received.filter((event) => event.type === '@xstate.actor' && sessions.has(event.sessionId));
    expect(actors.map((event) => sessions.get(event.sessionId)).sort()).toEqual([...agentIds].sort());
    for (const actor of actors) expect(actor.type === '@xstate.actor' && JSON.parse(actor.definition!)).toMatchObject({ id: 'agent', initial: 'receiving' });
  });

});

/** A separate inspector client (as the inspector's page would be): everything the server sends it, once connected. */
const client = async (port: number) => {
  const received: StatelyInspectionEvent[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const socket = new WebSocket(`ws://127.0.0.1:${port}`);
  socket.on('message', (data) => {
    received.push(JSON.parse(String(data)) as StatelyInspectionEvent);
    for (const wait of waiting.filter((w) => received.length >= w.count)) wait.resolve();
  });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  /** Resolves once `count` messages arrived. */
  const until = (count: number) => new Promise<void>((resolve) => (received.length >= count ? resolve() : waiting.push({ count, resolve })));
  return { received, until, close: () => socket.close() };
};

/** The agents an inspector client knows, by name, with their definitions and parents. */
const registrations = (received: readonly StatelyInspectionEvent[]) => {
  const agents = new Map<string, { definition: { id: string; initial: string; states: Record<string, unknown> }; parentId: string | undefined; sessionId: string }>();
  for (const event of received) {
    if (event.type !== '@xstate.actor' || !event.name.startsWith('agent:') || event.definition === undefined) continue;
    agents.set(event.name, { definition: JSON.parse(event.definition), parentId: event.parentId, sessionId: event.sessionId });
  }
  return agents;
};

const expectWholeOrganisation = (agents: ReturnType<typeof registrations>) => {
  expect([...agents.keys()].sort()).toEqual(agentIds.map((id) => `agent:${id}`).sort());
  for (const { definition } of agents.values()) {
    expect(definition).toMatchObject({ id: 'agent', initial: 'receiving' });
    expect(Object.keys(definition.states)).toEqual(expect.arrayContaining([...AGENT_STATES]));
  }
  // Each agent's parent is its manager's actor.
  for (const node of team.nodes()) {
    if (node.parentId === undefined) continue;
    expect(agents.get(`agent:${node.id}`)!.parentId).toBe(agents.get(`agent:${node.parentId}`)!.sessionId);
  }
};

describe('inspectOrganisation (echelon/inspector) with the Stately inspector server', () => {
  it('in the README\'s order, an inspector open from the start gets every agent with its definition, then their work', async () => {
    const port = await freePort();
    const server = createInspectorServer({ port, autoOpen: false });
    try {
      const page = await client(port);
      const org = start(undefined);
      const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${port}` });
      // More than the 200 events the stock inspector would defer: the registrations are not the ones lost.
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => org.submit({ type: i % 2 === 0 ? 'python' : 'react' })));
      expect(outcomes.every((outcome) => outcome.status === 'completed')).toBe(true);
      await inspector.stop();
      await page.until(inspector.sent);
      page.close();
      expectWholeOrganisation(registrations(page.received));
      // The worker was seen executing.
      const worker = registrations(page.received).get('agent:backend_dev_1')!.sessionId;
      expect(page.received.some((event) => event.type === '@xstate.snapshot' && event.sessionId === worker && (event.snapshot as { value?: unknown }).value === 'executing')).toBe(true);
    } finally {
      server.stop();
    }
  });

  it('an inspector that connects after a run of 10,000 tasks still gets every agent from the server\'s replay', async () => {
    const port = await freePort();
    const server = createInspectorServer({ port, autoOpen: false });
    try {
      const org = start(undefined);
      const inspector = await inspectOrganisation(org, { url: `ws://127.0.0.1:${port}` });
      for (let batch = 0; batch < 100; batch++) {
        await Promise.all(Array.from({ length: 100 }, (_, i) => org.submit({ type: ['python', 'react', 'sql', 'css'][i % 4]! })));
      }
      await inspector.stop();
      // The server, in this process, reads slower than 10,000 tasks run: what it could not take in time (16 MB behind) was dropped.
      expect(inspector.sent + inspector.dropped).toBeGreaterThan(100_000);
      const late = await client(port);
      await late.until(200); // the server replays its last 200 messages
      late.close();
      expectWholeOrganisation(registrations(late.received));
    } finally {
      server.stop();
    }
  }, 120_000);

  it('stops when its server closes the connection: an inspector opened again after each drop leaves none of the earlier ones watching', async () => {
    const org = start(undefined);
    // A server that closes each connection once a task's work has been sent to it.
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const connections: WebSocket[] = [];
    server.on('connection', (socket) => connections.push(socket));
    const url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      for (let reconnect = 0; reconnect < 5; reconnect++) {
        const inspector = await inspectOrganisation(org, { url });
        await org.submit({ type: 'python' });
        const closed = new Promise((resolve) => connections.at(-1)!.once('close', resolve));
        connections.at(-1)!.close();
        await closed;
        // Its client end closes too, a few turns of the event loop later: the inspector then lets the organisation go.
        for (let turn = 0; turn < 10_000 && getEventListeners(org.signal, 'abort').length > 0; turn++) await new Promise((resolve) => setImmediate(resolve));
        expect(getEventListeners(org.signal, 'abort')).toHaveLength(0);
        await inspector.stop(); // already stopped: resolves
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a bad address, and says what to start when nothing answers', async () => {
    const org = start(undefined);
    await expect(inspectOrganisation(org, { url: 'http://localhost:8080' })).rejects.toMatchObject({ code: 'invalid_option' });
    await expect(inspectOrganisation(org, { url: `ws://127.0.0.1:${await freePort()}` })).rejects.toMatchObject({
      code: 'inspector_unreachable',
      message: expect.stringContaining('createInspectorServer'),
    });
  });

  it('gives up on a server that takes the connection but never answers, after connectTimeoutMs', async () => {
    const org = start(undefined);
    // Accepts TCP connections and says nothing: the WebSocket handshake never completes.
    const held: import('node:net').Socket[] = [];
    const silent = createServer((socket) => void held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = silent.address() as { port: number };
      await expect(inspectOrganisation(org, { url: `ws://127.0.0.1:${port}`, connectTimeoutMs: 50 })).rejects.toMatchObject({
        code: 'inspector_unreachable',
        message: expect.stringContaining('timed out'),
      });
      await expect(inspectOrganisation(org, { url: `ws://127.0.0.1:${port}`, connectTimeoutMs: 0 })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('connectTimeoutMs') });
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('refuses, before connecting, no organisation, no options, an unknown or misspelt option', async () => {
    const org = start(undefined);
    const url = `ws://127.0.0.1:${await freePort()}`; // nothing answers: a refusal at the door comes first
    await expect(inspectOrganisation(undefined as never, { url })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('needs the orchestrator') });
    await expect(inspectOrganisation(org, undefined as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('{ url') });
    await expect(inspectOrganisation(org, { url, replayWindw: 100 } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('did you mean "replayWindow"') });
  });
});
