/**
 * The reference scenario: the development team (CTO → leads → specialists → developers)
 * receives a mix of tasks. Each one travels down to the deepest agent that can do it; every
 * delegation hop is printed, then each outcome and the organisation's status.
 *
 * Run: npm start   (or: npx tsx examples/dev-team.ts)
 * Step through it: npm run echelon -- step examples/dev-team.ts
 */
import { inspect } from 'node:util';
import {
  checkSpans,
  createOrchestrator,
  defineScenario,
  developmentTeam,
  fullStackFeature,
  hierarchyMetrics,
  isMainModule,
  referenceExecutors,
  runScenario,
  type Outcome,
} from '../src/index.js';

const scenario = defineScenario({
  description: 'The reference development team routes a mix of tasks to the deepest agent that can do each one, and splits a full-stack feature',

  organisation: (host) =>
    createOrchestrator({
      hierarchy: developmentTeam(),
      // The reference's executors, one per role.
      executors: { byRole: referenceExecutors() },
      // The reference's TaskDecomposer: a full-stack feature splits into a backend and a frontend part.
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
      ...host,
    }),

  async run(org, { log }) {
    const { hierarchy } = org;
    const metrics = hierarchyMetrics(hierarchy);
    log(`The development team: ${metrics.totalNodes} agents, ${metrics.depth} levels, breadth ${metrics.breadthByLevel.join('/')}`);
    for (const node of hierarchy.nodes()) log(`${'  '.repeat(node.level)}${node.id} (${node.role}) — ${node.capabilities.join(', ')}`);
    for (const warning of checkSpans(hierarchy)) log(`  note: ${warning.message}`);

    let verbose = true;
    org.on('task.delegated', (event) => verbose && log(`    ${event.from} → ${event.to}`));
    org.on('task.started', (event) => verbose && log(`    ${event.agent} executes`));

    const show = (outcome: Outcome) => {
      const result = outcome.status === 'completed' ? JSON.stringify(outcome.result) : outcome.error?.message;
      log(`  ${outcome.status === 'completed' ? '✓' : '✗'} ${outcome.type}: ${outcome.status} by ${outcome.executedBy ?? 'nobody'} via ${outcome.delegationChain.join(' → ')}: ${result}`);
    };

    log('\nThe reference example: api_design for user authentication, submitted at the CTO');
    show(await org.submit({ type: 'api_design', payload: { feature: 'user authentication' } }));

    log('\nA mix of tasks');
    for (const type of ['database', 'react', 'python']) {
      log(`  ${type}`);
      show(await org.submit({ type, payload: { feature: 'user authentication' } }));
    }

    log('\nThe full list: one task per capability in the team, all in flight at once');
    verbose = false;
    const everything = [...new Set(hierarchy.nodes().flatMap((node) => node.capabilities))];
    for (const outcome of await Promise.all(everything.map((type) => org.submit({ type })))) show(outcome);

    log('\nA full-stack feature, split into parallel parts and merged');
    verbose = true;
    const feature = await org.submit({ type: 'full_stack_feature', payload: { feature: 'user authentication' } });
    show(feature);
    for (const part of feature.subtasks ?? []) {
      log(`      ${part.taskId}: ${part.status} by ${part.executedBy} via ${part.delegationChain.join(' → ')}`);
    }

    log('\nA task nobody can do');
    show(await org.submit({ type: 'quantum_computing' }));

    log(`\nStatus ${inspect(org.status())}`);
  },
});

export default scenario;
if (isMainModule(import.meta.url)) await runScenario(scenario);
