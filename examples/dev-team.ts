/**
 * The reference scenario: the development team (CTO → leads → specialists → developers)
 * receives a mix of tasks. Each one travels down to the deepest agent that can do it; every
 * delegation hop is printed, then each outcome and the organisation's status.
 *
 * Run: npm start   (or: npx tsx examples/dev-team.ts)
 */
import { checkSpans, createOrchestrator, developmentTeam, referenceExecutors, fullStackFeature, hierarchyMetrics, type Outcome } from '../src/index.js';

const hierarchy = developmentTeam();
const metrics = hierarchyMetrics(hierarchy);
console.log(`The development team: ${metrics.totalNodes} agents, ${metrics.depth} levels, breadth ${metrics.breadthByLevel.join('/')}`);
for (const node of hierarchy.nodes()) {
  console.log(`${'  '.repeat(node.level)}${node.id} (${node.role}) — ${node.capabilities.join(', ')}`);
}
for (const warning of checkSpans(hierarchy)) console.log(`  note: ${warning.message}`);

// The reference's executors, one per role.
const org = createOrchestrator({
  hierarchy,
  executors: { byRole: referenceExecutors() },
  // The reference's TaskDecomposer: a full-stack feature splits into a backend and a frontend part.
  decomposers: { byType: { full_stack_feature: fullStackFeature() } },
});

let verbose = true;
org.on('task.delegated', (event) => verbose && console.log(`    ${event.from} → ${event.to}`));
org.on('task.started', (event) => verbose && console.log(`    ${event.agent} executes`));

const show = (outcome: Outcome) => {
  const result = outcome.status === 'completed' ? JSON.stringify(outcome.result) : outcome.error?.message;
  console.log(`  ${outcome.status === 'completed' ? '✓' : '✗'} ${outcome.type}: ${outcome.status} by ${outcome.executedBy ?? 'nobody'} via ${outcome.delegationChain.join(' → ')}: ${result}`);
};

console.log('\nThe reference example: api_design for user authentication, submitted at the CTO');
show(await org.submit({ type: 'api_design', payload: { feature: 'user authentication' } }));

console.log('\nA mix of tasks');
for (const type of ['database', 'react', 'python']) {
  console.log(`  ${type}`);
  show(await org.submit({ type, payload: { feature: 'user authentication' } }));
}

console.log('\nThe full list: one task per capability in the team, all in flight at once');
verbose = false;
const everything = [...new Set(hierarchy.nodes().flatMap((node) => node.capabilities))];
for (const outcome of await Promise.all(everything.map((type) => org.submit({ type })))) show(outcome);

console.log('\nA full-stack feature, split into parallel parts and merged');
verbose = true;
const feature = await org.submit({ type: 'full_stack_feature', payload: { feature: 'user authentication' } });
show(feature);
for (const part of feature.subtasks ?? []) {
  console.log(`      ${part.taskId}: ${part.status} by ${part.executedBy} via ${part.delegationChain.join(' → ')}`);
}

console.log('\nA task nobody can do');
show(await org.submit({ type: 'quantum_computing' }));

console.log('\nStatus', org.status());
await org.stop();
