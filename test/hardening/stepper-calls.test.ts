/**
 * The stepper called as a user's program might call it: `step()` again before the last one
 * answered (a button pressed twice), and after `close()`.
 */
import { describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, type ScenarioStep } from '../../src/index.js';
import { createStepper, defineScenario } from '../../src/scenario/index.js';

const scenario = defineScenario({
  description: 'two tasks, one after the other',
  organisation: (host, { sleep }) =>
    createOrchestrator({
      hierarchy: developmentTeam(),
      executors: async (task, { signal }) => {
        await sleep(100, signal);
        return `${task.type} done`;
      },
      ...host,
    }),
  async run(org) {
    await org.submit({ id: 'first', type: 'python' });
    await org.submit({ id: 'second', type: 'api_design' });
  },
});

const shown = (step: ScenarioStep | undefined) => step && { index: step.index, at: step.at, deliveries: step.deliveries.map((delivery) => `${delivery.agent} ← ${delivery.summary}`) };

describe('createStepper, called out of turn', () => {
  it('step() called again before the last one answered takes the next step after it: one message each, as when awaited in turn', async () => {
    const inTurn = await createStepper(scenario, { log: () => {} });
    const expected: unknown[] = [];
    for (let step = await inTurn.step(); step !== undefined; step = await inTurn.step()) expected.push(shown(step));
    await inTurn.close();

    const atOnce = await createStepper(scenario, { log: () => {} });
    const steps = await Promise.all(Array.from({ length: expected.length + 2 }, () => atOnce.step()));
    await atOnce.close();
    expect(steps.map(shown)).toEqual([...expected, undefined, undefined]);
  });

  it('step() after close() resolves undefined, not with the orchestrator_stopped the closing gave the scenario’s own submit', async () => {
    const stepper = await createStepper(scenario, { log: () => {} });
    await stepper.step();
    await stepper.close();
    await expect(stepper.step()).resolves.toBeUndefined();
    expect(stepper.finished).toBe(false); // its run() did not finish: it was closed
    await stepper.close(); // a second close is harmless
  });

  it('a step waiting for a person ends with undefined when the stepper is closed meanwhile', async () => {
    const waiting = defineScenario({
      description: 'waits for a person',
      organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', ...host }),
      async run(org) {
        await org.submit({ type: 'python', context: { requiresApproval: true } });
      },
    });
    const stepper = await createStepper(waiting, { log: () => {}, waitForPeople: true });
    let step = await stepper.step();
    while (step !== undefined && stepper.org.approvals.pending().length === 0) step = await stepper.step();
    const stuck = stepper.step(); // nothing moves until someone decides
    await stepper.close();
    await expect(stuck).resolves.toBeUndefined();
  });
});

describe('createStepper on a big scenario', () => {
  it('reads again only the agents a step moved: each step’s statuses are what org.agentState says, at a fraction of the reads', async () => {
    let reads = 0;
    let read: ((agentId: string) => unknown) | undefined;
    const many = defineScenario({
      description: '200 tasks at once',
      organisation: (host) => {
        const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async (task) => task.type, ...host });
        read = org.agentState.bind(org);
        org.agentState = (agentId) => {
          reads++;
          return read!(agentId) as ReturnType<typeof org.agentState>;
        };
        return org;
      },
      async run(org) {
        await Promise.all(Array.from({ length: 200 }, (_, i) => org.submit({ id: `t${i}`, type: i % 2 === 0 ? 'python' : 'react' })));
      },
    });
    const stepper = await createStepper(many, { log: () => {} });
    const agents = stepper.org.hierarchy.nodes().map((node) => node.id);
    let steps = 0;
    for (let step = await stepper.step(); step !== undefined; step = await stepper.step()) {
      steps++;
      expect(step.agents).toEqual(agents.map((id) => read!(id)));
    }
    await stepper.close();
    expect(steps).toBeGreaterThan(1_000);
    expect(reads).toBeLessThan((steps * agents.length) / 3);
  });
});
