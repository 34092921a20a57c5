/**
 * Replaying a long run: each step holds every agent, so a journal's steps are entries × agents
 * states — for 200 agents and 35,000 entries, 7 million, which took the live view's `/api/history`
 * 12 s of the organisation's time and 2 GB of memory to build, for the 2,000 a page gets.
 * `replaySteps(…, { latest })` builds only the latest steps, and the live view asks for no more.
 */
import { describe, expect, it, vi } from 'vitest';
import { developmentTeam, memoryStore } from '../../src/index.js';
import { serveLiveView } from '../../src/inspect/index.js';
import { replaySteps } from '../../src/replay/index.js';
import { orchestrators } from '../support/helpers.js';

const start = orchestrators({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done` });

/** An organisation on a memory store after a few tasks, one of them parked for approval. */
async function ran() {
  const org = start({ store: memoryStore() });
  for (const [index, type] of ['python', 'css', 'sql'].entries()) await org.submit({ id: `t${index}`, type });
  void org.submit({ id: 'parked', type: 'python', context: { requiresApproval: true } });
  await org.flush();
  const links = org.hierarchy.nodes().map((node) => ({ id: node.id, parent: node.parentId ?? null }));
  return { org, links, journal: org.journal() };
}

describe('replaySteps(entries, agents, { latest })', () => {
  it('builds only the latest steps, each agent\'s state counted from the first entry', async () => {
    const { journal, links } = await ran();
    const all = replaySteps(journal, links);
    expect(all.length).toBeGreaterThan(10);
    expect(replaySteps(journal, links, { latest: 4 })).toEqual(all.slice(-4));
    // The parked task's agent still awaits approval in the last step, though its request came before the latest 4.
    expect(replaySteps(journal, links, { latest: 1 })[0]!.agents.find((agent) => agent.id === 'backend_dev_1')!.state).toBe('awaitingApproval');
    expect(replaySteps(journal, links, { latest: 0 })).toEqual([]);
    expect(replaySteps(journal, links, { latest: 10_000 })).toEqual(all);
  });

  it('refuses a latest that is not a whole number ≥ 0 (invalid_option)', async () => {
    const { journal, links } = await ran();
    for (const latest of [-1, 1.5, Number.NaN, '3']) {
      expect(() => replaySteps(journal, links, { latest: latest as number })).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('replaySteps: latest') }));
    }
  });
});

describe("the live view's /api/history", () => {
  it('answers the latest steps without building the whole run (org.history() would build every step)', async () => {
    const { org } = await ran();
    const view = await serveLiveView(org);
    const history = vi.spyOn(org, 'history');
    const latest = (await (await fetch(`${view.url}api/history?limit=3`)).json()) as unknown[];
    expect(latest).toEqual(JSON.parse(JSON.stringify(org.history().slice(-3))));
    const ofTask = (await (await fetch(`${view.url}api/history?task=t1`)).json()) as unknown[];
    expect(ofTask).toEqual(JSON.parse(JSON.stringify(org.history('t1'))));
    expect(history).toHaveBeenCalledTimes(2); // the two calls above, none by the server
    await org.stop();
  });
});
