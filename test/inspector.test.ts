import { createServer } from 'node:net';
import { createInspector, createWebSocketInspector, createWebSocketReceiver, type StatelyInspectionEvent } from '@statelyai/inspect';
import { createInspectorServer } from '@statelyai/inspect/server';
import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { AGENT_STATES, developmentTeam, type Orchestrator, type OrchestratorOptions } from '../src/index.js';
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

  it('createWebSocketInspector sends it all to an inspector server (as in the README)', async () => {
    const port = await freePort();
    const server = createInspectorServer({ port, autoOpen: false });
    const receiver = createWebSocketReceiver({ server: `ws://127.0.0.1:${port}` });
    const inspector = createWebSocketInspector({ url: `ws://127.0.0.1:${port}` });
    try {
      const registered = new Set<string>();
      let sessions = new Set<string>();
      const allAgents = new Promise<void>((resolve) =>
        receiver.subscribe((event) => {
          if (event.type === '@xstate.actor' && sessions.has(event.sessionId) && event.definition !== undefined) registered.add(event.sessionId);
          if (registered.size === agentIds.length) resolve();
        }),
      );
      const org = start(inspector.inspect);
      sessions = new Set(agentIds.map((id) => org.actor.system.get(id)!.sessionId));
      await allAgents;
      expect([...registered].sort()).toEqual([...sessions].sort());
    } finally {
      inspector.stop();
      server.stop();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
