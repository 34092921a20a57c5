/**
 * A web team designed on paper: two backend developers, three frontend developers, one database
 * administrator. `echelon check` already warns that with the default strategy (capability
 * matching: the first capable report gets every task) be_dev_2, fe_dev_2 and fe_dev_3 never get
 * any work; the simulation of a working day shows what that costs — the report points at
 * `fe_dev_1`, busy 95 % of the time with components queueing behind it for forty minutes each,
 * while its two colleagues sit idle. `bottleneck-balanced.ts` is the fix (load balancing, and a
 * second DBA); `--compare` runs both on the same workload.
 *
 * Check it:     npm run echelon -- check examples/bottleneck.ts
 * Simulate it:  npm run echelon -- simulate examples/bottleneck.ts --html bottleneck.html --png charts
 * Compare:      npm run echelon -- simulate examples/bottleneck.ts --compare examples/bottleneck-balanced.ts
 * Or run the scenario (a few tasks, in real time): npx tsx examples/bottleneck.ts
 */
import { createOrchestrator, defineHierarchy, type AgentSpec } from '../src/index.js';
import { defineScenario, isMainModule, runScenario } from '../src/scenario/index.js';
import { defineDesign, latency, type Design } from '../src/simulate/index.js';

/** The team; `dbas` names its database administrators (one here, two in the balanced design). */
export function webTeam(dbas: readonly string[]): AgentSpec {
  return {
    id: 'cto',
    role: 'executive',
    capabilities: ['roadmap'],
    children: [
      {
        id: 'backend_lead',
        role: 'manager',
        capabilities: ['api_review'],
        children: [
          { id: 'be_dev_1', role: 'worker', capabilities: ['endpoint'] },
          { id: 'be_dev_2', role: 'worker', capabilities: ['endpoint'] },
          ...dbas.map((id) => ({ id, role: 'worker' as const, capabilities: ['migration', 'query_tuning'] })),
        ],
      },
      {
        id: 'frontend_lead',
        role: 'manager',
        capabilities: ['design_review'],
        children: [
          { id: 'fe_dev_1', role: 'worker', capabilities: ['component'] },
          { id: 'fe_dev_2', role: 'worker', capabilities: ['component'] },
          { id: 'fe_dev_3', role: 'worker', capabilities: ['component'] },
        ],
      },
    ],
  };
}

/** A task may take an hour (the default five minutes would time most of this work out). */
export const EXECUTION = { timeoutMs: 3_600_000 } as const;

/** A working day (8 h) of the team's usual work, with modelled people and agents (`dbas` as in {@link webTeam}). */
export const simulationFor = (dbas: readonly string[]): NonNullable<Design['simulation']> => ({
  workload: {
    arrivals: [
      { task: 'endpoint', perSecond: 1 / 600 }, // one every ten minutes
      { task: 'component', perSecond: 1 / 400 },
      { task: 'migration', perSecond: 1 / 420 },
      { task: 'query_tuning', perSecond: 1 / 1800 },
      // Schema changes to production wait for the backend lead's approval.
      { task: { type: 'migration', approval: { role: 'manager', reason: 'production schema change' } }, perSecond: 1 / 3600 },
    ],
    durationMs: 8 * 3_600_000,
  },
  agents: {
    byRole: { worker: { latency: latency.lognormal(480_000, 0.5), failureRate: 0.02, cost: latency.uniform(2_000, 6_000) } },
    byId: Object.fromEntries(dbas.map((id) => [id, { latency: latency.lognormal(300_000, 0.4), cost: 3_000 }])),
    default: { latency: latency.lognormal(60_000, 0.3), cost: 500 },
  },
  people: { approvals: { responseMs: latency.exponential(900_000), rejectRate: 0.1 } },
  seed: 42,
});

/** The design `echelon check` and `echelon simulate` read: workers take one task at a time (the default). */
export const design = defineDesign({ organisation: { hierarchy: defineHierarchy(webTeam(['dba'])), execution: EXECUTION }, simulation: simulationFor(['dba']) });

/** The design as a scenario: a few tasks in real time, routed as the design routes them. */
export function designScenario(of: Design, description: string) {
  return defineScenario({
    description,
    organisation: (host, { sleep }) =>
      createOrchestrator({
        ...of.organisation,
        executors: async (task, { agent, signal }) => {
          await sleep(200, signal);
          return `${task.type} done by ${agent.id}`;
        },
        ...host,
      }),
    async run(org, { log }) {
      const outcomes = await Promise.all(['endpoint', 'component', 'component', 'migration', 'query_tuning'].map((type) => org.submit({ type })));
      for (const outcome of outcomes) log(`${outcome.type}: ${outcome.status} by ${outcome.executedBy} via ${outcome.delegationChain.join(' → ')}`);
      log('How long do tasks wait on a busy day? npm run echelon -- simulate examples/bottleneck.ts --compare examples/bottleneck-balanced.ts');
    },
  });
}

const scenario = designScenario(design, 'A web team whose managers give every task to their first capable report: a few tasks in real time (simulate a day with echelon simulate)');

export default scenario;
if (isMainModule(import.meta.url)) await runScenario(scenario);
