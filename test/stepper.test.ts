import { afterEach, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, EchelonError, type OrchestratorOptions, type ScenarioStep, type Stepper } from '../src/index.js';
import { AGENT_STATES } from '../src/charts.js';
import { createStepper, defineScenario, runScenario, StepClock, type ScenarioHost } from '../src/scenario/index.js';
import needsApproval from './fixtures/needs-approval.js';

const steppers: Stepper[] = [];
afterEach(async () => {
  await Promise.all(steppers.splice(0).map((stepper) => stepper.close()));
});

const start = async (...args: Parameters<typeof createStepper>) => {
  const stepper = await createStepper(...args);
  steppers.push(stepper);
  return stepper;
};

/** A scenario on the development team that submits `tasks` one after the other. */
const scenario = (tasks: string[], options: Partial<OrchestratorOptions> = {}) =>
  defineScenario({
    description: `submits ${tasks.join(', ')}`,
    organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async (task) => `${task.type} done`, ...options, ...host }),
    async run(org) {
      for (const type of tasks) await org.submit({ id: `t-${type}`, type });
    },
  });

/** Steps to the end, returning every step (the start included). */
const all = async (stepper: Stepper, limit = 10_000) => {
  const steps: ScenarioStep[] = [stepper.start];
  for (let step = await stepper.step(); step !== undefined; step = await stepper.step()) {
    steps.push(step);
    if (steps.length > limit) throw new Error('runaway scenario');
  }
  return steps;
};

const who = (step: ScenarioStep) => step.deliveries.map((delivery) => `${delivery.helper ? `${delivery.agent}/${delivery.helper.split(':')[0]}` : delivery.agent} ← ${delivery.message.type}`);

describe('StepClock', () => {
  it('releases exactly one timer per fire(), by due time and then in the order they were set', () => {
    const clock = new StepClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@10'), 10);
    clock.setTimeout(() => {
      fired.push('a@0');
      clock.setTimeout(() => fired.push('c@0, set while firing'), 0);
    }, 0);
    const cancelled = clock.setTimeout(() => fired.push('cancelled'), 5);
    clock.clearTimeout(cancelled);
    expect(clock.hasDue()).toBe(true);
    expect(clock.fire()).toBe(true);
    expect(fired).toEqual(['a@0']);
    expect(clock.pending).toBe(2);
    clock.fire();
    expect(fired).toEqual(['a@0', 'c@0, set while firing']);
    expect(clock.hasDue()).toBe(false);
    expect(clock.nextDue()).toBe(10);
    clock.fire();
    expect(clock.now()).toBe(10);
    expect(clock.fire()).toBe(false);
    expect(fired).toEqual(['a@0', 'c@0, set while firing', 'b@10']);
  });

  it('refuses a start that is no finite number', () => {
    for (const start of [Number.NaN, Number.POSITIVE_INFINITY, '5']) {
      expect(() => new StepClock(start as number)).toThrow(expect.objectContaining({ code: 'invalid_option', message: expect.stringContaining('StepClock: start must be a finite number') }));
    }
  });

  it('tells sleepers apart from the organisation’s own timers', async () => {
    const clock = new StepClock(100);
    clock.setTimeout(() => {}, 50);
    expect(clock.hasSleeper()).toBe(false);
    const slept = clock.sleep(20);
    expect(clock.hasSleeper()).toBe(true);
    clock.fire();
    await slept;
    expect(clock.now()).toBe(120);
    expect(clock.hasSleeper()).toBe(false);
  });
});

describe('stepping through a scenario', () => {
  it('delivers one message per step, naming the receiver, the sender and the states it went through', async () => {
    const stepper = await start(scenario(['python']), { log: () => {} });
    // Submitting reaches the CTO at once (from outside); its message to backend_lead waits.
    expect(who(stepper.start)).toEqual(['cto ← task.assign']);
    expect(stepper.start.deliveries[0]!.from).toBeUndefined();
    expect(stepper.start.deliveries[0]!.states).toEqual(['receiving', 'evaluatingEscalation', 'delegating', 'receiving']);
    expect(stepper.start.events.map((event) => event.type)).toEqual(['task.submitted', 'task.delegated']);

    const first = (await stepper.step())!;
    expect(first).toMatchObject({ index: 1, timer: false, at: 0 });
    expect(first.deliveries).toHaveLength(1);
    expect(first.deliveries[0]).toMatchObject({
      agent: 'backend_lead',
      from: 'cto',
      summary: 'task.assign python t-python',
      states: ['receiving', 'evaluatingEscalation', 'delegating', 'receiving'],
    });

    const rest = await all(stepper);
    expect(rest.slice(1).flatMap(who)).toEqual([
      'api_specialist ← task.assign',
      'backend_dev_1 ← task.assign',
      'backend_dev_1 ← echelon.executed',
      'api_specialist ← task.completed',
      'backend_lead ← task.completed',
      'cto ← task.completed',
    ]);
    const executing = rest.find((step) => step.deliveries[0]?.agent === 'backend_dev_1' && step.deliveries[0].message.type === 'task.assign')!;
    expect(executing.deliveries[0]!.states.at(-1)).toBe('executing');
    expect(executing.agents.find((agent) => agent.id === 'backend_dev_1')).toMatchObject({ state: 'executing', running: ['t-python'] });
    expect(rest.at(-1)!.events.map((event) => event.type)).toEqual(['task.completed']);
    expect(stepper.finished).toBe(true);
    expect(await stepper.step()).toBeUndefined();
  });

  it('every step reports every agent in org-chart order, in one of the five states', async () => {
    const stepper = await start(scenario(['css', 'database']), { log: () => {} });
    const steps = await all(stepper);
    const seen = new Set<string>();
    for (const step of steps) {
      expect(step.agents.map((agent) => agent.id)).toEqual(developmentTeam().nodes().map((node) => node.id));
      for (const agent of step.agents) {
        expect(AGENT_STATES).toContain(agent.state);
        seen.add(agent.state);
      }
    }
    // Two tasks delegated down and executed: more than the start, and the states move.
    expect(steps.length).toBeGreaterThan(2);
    expect([...seen]).toEqual(expect.arrayContaining(['receiving', 'executing']));
  });

  it('moves simulated time to the next timer when no message is due: sleeps, backoff and timeouts, without waiting', async () => {
    let attempts = 0;
    const timing = defineScenario({
      description: 'work that takes time, fails once, and hangs',
      organisation: (host, { sleep }) =>
        createOrchestrator({
          hierarchy: developmentTeam(),
          execution: { timeoutMs: 5_000, retry: { attempts: 2, initialDelayMs: 300, jitter: 0 } },
          executors: async (task, { signal }) => {
            if (task.type === 'css') {
              await sleep(60_000, signal); // longer than the timeout: aborted at 5 s
              return 'never';
            }
            await sleep(1_000);
            if (++attempts === 1) throw new Error('flaky');
            return 'done';
          },
          ...host,
        }),
      async run(org, { log }) {
        const python = await org.submit({ type: 'python' });
        log(`python ${python.status} after ${python.attempts} attempts at t=${python.settledAt}`);
        const css = await org.submit({ type: 'css', execution: { retry: { attempts: 1 } } });
        log(`css ${css.status}: ${css.error?.code}`);
      },
    });
    const lines: string[] = [];
    const stepper = await start(timing, { log: (line) => lines.push(line) });
    const steps = await all(stepper);
    // 1000 (first attempt) + 300 (backoff) + 1000 (second attempt)
    expect(lines[0]).toBe('python completed after 2 attempts at t=2300');
    expect(lines[1]).toMatch(/^css failed: /);
    const timers = steps.filter((step) => step.timer);
    expect(timers.map((step) => step.at)).toEqual([1000, 1300, 2300, 7300]);
    expect(steps.find((step) => step.at === 7300)!.deliveries.map((delivery) => delivery.summary)).toContainEqual(expect.stringMatching(/^timer /));
  });

  it('waits in real time for an executor doing real work, rather than timing it out in simulated time', async () => {
    const realWork = defineScenario({
      description: 'an executor waiting on something outside the clock',
      organisation: (host) =>
        createOrchestrator({
          hierarchy: developmentTeam(),
          execution: { timeoutMs: 60_000 },
          executors: () => new Promise((resolve) => setTimeout(() => resolve('answered'), 20)),
          ...host,
        }),
      async run(org, { log }) {
        const outcome = await org.submit({ type: 'python' });
        log(`${outcome.status}: ${String(outcome.result)}`);
      },
    });
    const lines: string[] = [];
    const stepper = await start(realWork, { log: (line) => lines.push(line) });
    const steps = await all(stepper);
    expect(lines).toEqual(['completed: answered']);
    expect(steps.some((step) => step.timer)).toBe(false);
  });

  it('fails with scenario_stalled when the scenario waits for a decision nobody will make', async () => {
    const stepper = await start(needsApproval, { log: () => {} });
    const error = await all(stepper).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(EchelonError);
    expect(error).toMatchObject({ code: 'scenario_stalled', message: expect.stringContaining('of python risky (asked: api_specialist)') });
  });

  it('says a wait on the real clock (setTimeout in run) does not move the stepper, and to sleep on the context instead', async () => {
    let timer: NodeJS.Timeout | undefined;
    const waitsOnTheRealClock = defineScenario({
      description: 'waits with setTimeout',
      organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', ...host }),
      async run(org) {
        await org.submit({ type: 'python' });
        await new Promise((resolve) => (timer = setTimeout(resolve, 60_000))); // the stepper refuses first; cleared below
      },
    });
    const stepper = await start(waitsOnTheRealClock, { log: () => {} });
    const error = await all(stepper).catch((thrown: unknown) => thrown);
    clearTimeout(timer);
    expect(error).toMatchObject({ code: 'scenario_stalled', message: expect.stringContaining("wait with the context's sleep(ms, signal)") });
  });

  it('with waitForPeople, waits for a person to decide and goes on', async () => {
    const lines: string[] = [];
    const stepper = await start(needsApproval, { log: (line) => lines.push(line), waitForPeople: true });
    const steps: ScenarioStep[] = [];
    const running = (async () => {
      for (let step = await stepper.step(); step !== undefined; step = await stepper.step()) steps.push(step);
    })();
    const requested = await new Promise<string>((resolve) => {
      const pending = stepper.org.approvals.pending();
      if (pending.length > 0) resolve(pending[0]!.id);
      else stepper.org.on('approval.requested', (event) => resolve(event.approval.id));
    });
    stepper.org.approvals.approve(requested, { by: 'backend_lead' });
    await running;
    expect(lines).toEqual(['risky: completed by backend_dev_1', 'safe: completed by react_specialist']);
    expect(steps.flatMap((step) => step.deliveries).some((delivery) => delivery.message.type === 'approval.granted' && delivery.from === undefined)).toBe(true);
  });

  it('rejects a scenario that does not hand the host options to its organisation', async () => {
    const careless = defineScenario({
      description: 'forgets the host',
      organisation: () => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1 }),
      run: () => {},
    });
    await expect(createStepper(careless)).rejects.toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('...host') });
  });

  it('refuses a scenario whose organisation() throws with invalid_scenario, saying so', async () => {
    const broken = defineScenario({
      description: 'cannot build its organisation',
      organisation: () => {
        throw new TypeError('no organisation today');
      },
      run: () => {},
    });
    await expect(createStepper(broken)).rejects.toMatchObject({ code: 'invalid_scenario', message: "The scenario's organisation() threw: TypeError: no organisation today." });
  });

  it('refuses an organisation() that returns a promise (an async one), saying so, when stepping and when run on its own', async () => {
    const eager = defineScenario({
      description: 'builds its organisation asynchronously',
      organisation: (async (host: ScenarioHost) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, ...host })) as never,
      run: () => {},
    });
    // Before: the stepper said the host options were not passed on, and runScenario handed the promise to run() and threw a TypeError from stop().
    const refusal = { code: 'invalid_scenario', message: expect.stringContaining('returned a promise') };
    await expect(createStepper(eager)).rejects.toMatchObject(refusal);
    await expect(runScenario(eager, { log: () => undefined })).rejects.toMatchObject(refusal);
    const broken = defineScenario({ description: 'throws', organisation: () => { throw new TypeError('no organisation today'); }, run: () => {} });
    await expect(runScenario(broken, { log: () => undefined })).rejects.toMatchObject({ code: 'invalid_scenario', message: "The scenario's organisation() threw: TypeError: no organisation today." });
  });

  it('refuses options it does not take, or of the wrong kind, with invalid_option', async () => {
    const scenario = defineScenario({ description: 'nothing', organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, ...host }), run: () => {} });
    await expect(createStepper(scenario, { log: 5 } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('log') });
    await expect(createStepper(scenario, { waitForPeopel: true } as never)).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('did you mean "waitForPeople"') });
  });

  it('passes on the error a scenario throws', async () => {
    const failing = defineScenario({
      description: 'throws',
      organisation: (host) => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, ...host }),
      run: async (org) => {
        await org.submit({ type: 'css' });
        throw new Error('the scenario broke');
      },
    });
    const stepper = await start(failing, { log: () => {} });
    await expect(all(stepper)).rejects.toThrow('the scenario broke');
  });
});
