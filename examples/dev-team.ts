/**
 * The reference scenario: the development team (CTO → leads → specialists → developers)
 * receives a mix of tasks. Each one travels down to the deepest agent that can do it; every
 * delegation hop is printed, then each outcome and the organisation's status.
 *
 * The organisation lives in a SQLite file in the working directory (ECHELON_DB to choose
 * another): each run leaves a deployment waiting for a person's approval, and the next run
 * resumes it from the file and approves it.
 *
 * Run: npm start   (or: npx tsx examples/dev-team.ts)
 */
import { resolve } from 'node:path';
import { checkSpans, createOrchestrator, developmentTeam, fullStackFeature, hierarchyMetrics, type Outcome } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';

const hierarchy = developmentTeam();
const metrics = hierarchyMetrics(hierarchy);
console.log(`The development team: ${metrics.totalNodes} agents, ${metrics.depth} levels, breadth ${metrics.breadthByLevel.join('/')}`);
for (const node of hierarchy.nodes()) {
  console.log(`${'  '.repeat(node.level)}${node.id} (${node.role}) — ${node.capabilities.join(', ')}`);
}
for (const warning of checkSpans(hierarchy)) console.log(`  note: ${warning.message}`);

// ── Durability: the state of the organisation is kept in this file, and resumed from it.
const file = process.env.ECHELON_DB ?? 'echelon-dev-team.db';
const store = sqliteStore(file);
console.log(`\nState: ${resolve(file)} (delete it to start afresh)`);

// The reference's executors, one per role.
const org = createOrchestrator({
  hierarchy,
  store,
  resume: true,
  executors: {
    byRole: {
      executive: async () => ({ decision: 'Strategic direction set' }),
      manager: async () => ({ coordination: 'Work distributed to team' }),
      specialist: async () => ({ expertise: 'Technical solution designed' }),
      worker: async () => ({ code: '# Implementation complete' }),
    },
  },
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

// ── Durability: what the last run left waiting for a person is still waiting; approve it now.
for (const approval of org.approvals.pending()) {
  console.log(`\nResumed from the file: ${approval.taskType} (${approval.taskId}) has waited for ${approval.approver}'s approval since the last run`);
  org.approvals.approve(approval.id, { by: approval.approver, comment: 'approved on the next run' });
  show(await org.outcome(approval.taskId));
  console.log('    its journal, across both runs:');
  for (const entry of org.journal({ taskId: approval.taskId })) console.log(`      session ${entry.session}: ${entry.actor} ${entry.type}`);
}

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

// ── Durability: a deployment waits for a person; it stays waiting in the file for the next run.
console.log('\nA deployment that needs a person\'s approval');
void org.submit({ type: 'python', payload: { feature: 'deploy user authentication' }, context: { requiresApproval: true } });
await org.flush();
for (const approval of org.approvals.pending()) console.log(`  ${approval.taskId} waits for ${approval.approver}: run npm start again to resume it from the file and approve it`);

console.log('\nStatus', org.status());
await org.stop();
store.close();
