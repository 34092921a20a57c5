import { describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, type Scenario } from '../src/index.js';
import { createStepper, defineScenario, isMainModule, isScenario, runScenario, type ScenarioHost } from '../src/scenario/index.js';
import devTeam from '../examples/dev-team.js';
import { codeOf } from './support/helpers.js';

describe('the scenario format', () => {
  it('defineScenario checks the shape and names what is missing', () => {
    const run = () => {};
    const organisation = () => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1 });
    expect(codeOf(() => defineScenario(null as unknown as Scenario))).toBe('invalid_scenario');
    expect(codeOf(() => defineScenario({ description: ' ', organisation, run }))).toBe('invalid_scenario');
    expect(codeOf(() => defineScenario({ description: 'x', run } as unknown as Scenario))).toBe('invalid_scenario');
    expect(codeOf(() => defineScenario({ description: 'x', organisation } as unknown as Scenario))).toBe('invalid_scenario');
    expect(() => defineScenario({ description: 'x', organisation: 'no' } as unknown as Scenario)).toThrow(/organisation\(host, context\)/);
    expect(codeOf(() => defineScenario({ description: 'x', organisation, run }))).toBe('accepted');
    expect(isScenario(devTeam)).toBe(true);
    // A slip in a key's name is said as one.
    expect(() => defineScenario({ description: 'x', organization: organisation, run } as unknown as Scenario)).toThrow(/It has "organization" — did you mean "organisation"\?/);
    expect(() => defineScenario({ descripton: 'x', organisation, run } as unknown as Scenario)).toThrow(/did you mean "description"/);
    expect(() => defineScenario({ description: 'x', organisation, runs: run } as unknown as Scenario)).toThrow(/It has "runs" — did you mean "run"\?/);
    expect(() => defineScenario({ description: 'x', organisation, other: run } as unknown as Scenario)).not.toThrow(/did you mean/);
    expect(isScenario({ description: 'x' })).toBe(false);
  });

  it('defineScenario refuses a key no runner reads, instead of ignoring it', () => {
    const run = () => {};
    const organisation = () => createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1 });
    const refused = (scenario: object) => () => defineScenario(scenario as Scenario);
    expect(refused({ description: 'x', organisation, run, setup: () => {} })).toThrow(/^A scenario has description, organisation and run; it also has "setup", which no runner reads\. Do setup in organisation\(\) or run\(\)/);
    expect(codeOf(refused({ description: 'x', organisation, run, steps: 20 }))).toBe('invalid_scenario');
    expect(refused({ description: 'x', organisation, run, descriptions: 'y' })).toThrow(/it also has "descriptions", which no runner reads — did you mean "description"\?/);
  });

  it('runScenario runs a scenario on the real clock and stops its organisation', async () => {
    let org: ReturnType<Scenario['organisation']> | undefined;
    const lines: string[] = [];
    await runScenario(
      defineScenario({
        description: 'one task',
        organisation: (host, { sleep }) => {
          org = createOrchestrator({
            hierarchy: developmentTeam(),
            executors: async (_task, { signal }) => {
              await sleep(1, signal);
              return 'slept';
            },
            ...host,
          });
          return org;
        },
        async run(organisation, { log }) {
          log(String((await organisation.submit({ type: 'css' })).result));
        },
      }),
      { log: (line) => lines.push(line) },
    );
    expect(lines).toEqual(['slept']);
    await expect(org!.submit({ type: 'css' })).rejects.toMatchObject({ code: 'orchestrator_stopped' });
  });

  it('refuses an organisation() that returns no organisation, for every runner, with invalid_scenario', async () => {
    // A block body without a return: before, runScenario threw "TypeError: Cannot read properties of undefined (reading 'stop')".
    const forgetful = defineScenario({
      description: 'forgets to return its organisation',
      organisation: ((host: ScenarioHost) => {
        createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 1, ...host });
      }) as never,
      run: async (org) => void (await org.submit({ type: 'css' })),
    });
    const refusal = { code: 'invalid_scenario', message: expect.stringMatching(/^The scenario's organisation\(\) returned undefined, not an organisation: .*return/) };
    await expect(runScenario(forgetful, { log: () => undefined })).rejects.toMatchObject(refusal);
    await expect(createStepper(forgetful)).rejects.toMatchObject(refusal);
    const stranger = defineScenario({ description: 'returns something else', organisation: (() => ({ stop: () => undefined })) as never, run: () => {} });
    await expect(runScenario(stranger, { log: () => undefined })).rejects.toMatchObject({ code: 'invalid_scenario', message: expect.stringContaining('returned an object, not an organisation') });
  });

  it('the reference scenario runs on its own, as npm start does', async () => {
    const lines: string[] = [];
    await runScenario(devTeam, { log: (line) => lines.push(line) });
    expect(lines).toContain('  ✓ api_design: completed by api_specialist via cto → backend_lead → api_specialist: {"expertise":"Technical solution designed"}');
    const capabilities = new Set(developmentTeam().nodes().flatMap((node) => node.capabilities));
    // The first four, one per capability, then the full-stack feature.
    expect(lines.filter((line) => line.startsWith('  ✓'))).toHaveLength(4 + capabilities.size + 1);
    expect(lines).toContainEqual(expect.stringMatching(/✗ quantum_computing: failed before anyone ran it/));
  });

  it('isMainModule tells the program being run from a module it imported', () => {
    expect(isMainModule(import.meta.url)).toBe(false);
    expect(isMainModule('file:///no/such/file.ts')).toBe(false);
  });
});
