/**
 * The reference scenario: the development team (CTO → leads → specialists → developers)
 * receives a mix of tasks. Each one travels down to the deepest agent that can do it; every
 * delegation hop is printed, then each outcome and the organisation's status.
 *
 * Run on its own (npm start), the organisation lives in a SQLite file in the working directory
 * (ECHELON_DB to choose another): each run leaves a deployment waiting for a person's approval,
 * and the next run resumes it from the file and approves it. Stepped or watched through the CLI,
 * it runs in memory.
 *
 * Run: npm start   (or: npx tsx examples/dev-team.ts)
 * Step through it: npm run echelon -- step examples/dev-team.ts
 */
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { checkSpans, createOrchestrator, developmentTeam, fullStackFeature, hierarchyMetrics, referenceExecutors, type Outcome, type Store } from '../src/index.js';
import { defineScenario, isMainModule, runScenario } from '../src/scenario/index.js';
import { sqliteStore } from '../src/sqlite.js';

// ── Durability: on its own, the state of the organisation is kept in this file and resumed from it.
const standalone = isMainModule(import.meta.url);
const file = process.env.ECHELON_DB ?? 'echelon-dev-team.db';
const store: Store | undefined = standalone ? sqliteStore(file) : undefined;

const scenario = defineScenario({
  description: 'The reference development team routes a mix of tasks to the deepest agent that can do each one, and splits a full-stack feature',

  organisation: (host, { log }) => {
    if (store !== undefined) log(`State: ${resolve(file)} (delete it to start afresh)`);
    return createOrchestrator({
      hierarchy: developmentTeam(),
      // The reference's executors, one per role.
      executors: { byRole: referenceExecutors() },
      // The reference's TaskDecomposer: a full-stack feature splits into a backend and a frontend part.
      decomposers: { byType: { full_stack_feature: fullStackFeature() } },
      ...(store === undefined ? {} : { store, resume: true }),
      ...host,
    });
  },

  async run(org, { log }) {
    const { hierarchy } = org;
    // What a resumed organisation holds before anything else runs: tasks an interrupted run left in flight.
    const held = new Set(hierarchy.nodes().flatMap((node) => Object.entries(org.agentState(node.id).held).filter(([, phase]) => phase !== 'parked').map(([id]) => id)));
    const metrics = hierarchyMetrics(hierarchy);
    log(`The development team: ${metrics.totalNodes} agents, ${metrics.depth} levels, breadth ${metrics.breadthByLevel.join('/')}`);
    for (const node of hierarchy.nodes()) log(`${'  '.repeat(node.level)}${node.id} (${node.role}) — ${node.capabilities.join(', ')}`);
    for (const warning of checkSpans(hierarchy)) log(`  note: ${warning.message}`);

    let verbose = true;
    org.on('task.delegated', (event) => verbose && log(`    ${event.from} → ${event.to}`));
    org.on('task.started', (event) => verbose && log(`    ${event.agent} executes`));

    const show = (outcome: Outcome) => {
      const result = outcome.status === 'completed' ? JSON.stringify(outcome.result) : outcome.error?.message;
      log(`  ${outcome.status === 'completed' ? '✓' : '✗'} ${outcome.type}: ${outcome.status} ${outcome.splitBy !== undefined ? `split by ${outcome.splitBy}` : outcome.executedBy !== undefined ? `by ${outcome.executedBy}` : 'before anyone ran it'} via ${outcome.delegationChain.join(' → ')}: ${result}`);
    };

    // ── Durability: what the last run left waiting for a person is still waiting; approve it now.
    for (const approval of org.approvals.pending()) {
      log(`\nResumed from the file: ${approval.taskType} (${approval.taskId}) has waited for ${approval.approver}'s approval since the last run`);
      org.approvals.approve(approval.id, { by: approval.approver, comment: 'approved on the next run' });
      show(await org.outcome(approval.taskId));
      log('    its journal, across both runs:');
      for (const entry of org.journal({ taskId: approval.taskId })) log(`      session ${entry.session}: ${entry.actor} ${entry.type}`);
    }

    // ── Durability: tasks an interrupted run left in flight (Ctrl-C, a crash) were taken up again on resume.
    if (held.size > 0) {
      log(`\nResumed from the file: ${held.size} task(s) the last run left in flight, taken up again`);
      const outcomes = await Promise.all([...held].map((id) => org.outcome(id)));
      const parts = new Set(outcomes.flatMap((outcome) => (outcome.subtasks ?? []).map((part) => part.taskId)));
      for (const outcome of outcomes) if (!parts.has(outcome.taskId)) show(outcome);
    }

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

    if (store !== undefined) {
      // ── Durability: a deployment waits for a person; it stays waiting in the file for the next run.
      log("\nA deployment that needs a person's approval");
      void org.submit({ type: 'python', payload: { feature: 'deploy user authentication' }, context: { requiresApproval: true } });
      await org.flush();
      for (const approval of org.approvals.pending()) log(`  ${approval.taskId} waits for ${approval.approver}: run npm start again to resume it from the file and approve it`);
    }

    log(`\nStatus ${inspect(org.status())}`);
  },
});

export default scenario;
if (standalone) {
  // Ctrl-C stops the run where it is: what it left in flight is in the file, and the next run resumes it.
  process.once('SIGINT', () => {
    console.log(`\nInterrupted: the tasks in flight are kept in ${file}; npm start resumes them.`);
    process.exit(130);
  });
  await runScenario(scenario);
  store?.close();
}
