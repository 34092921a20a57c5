/**
 * Escalation in the development team: a worker given work it cannot do escalates until
 * someone can route it; an emergency goes straight to the CTO; a cross-team task is resolved
 * by the nearest common ancestor of the teams; a failure nobody can fix reaches a person.
 *
 * Run: npx tsx examples/escalation.ts   (or step through it: npm run echelon -- step examples/escalation.ts)
 */
import { inspect } from 'node:util';
import { createOrchestrator, developmentTeam, type Outcome } from '../src/index.js';
import { defineScenario, isMainModule, runScenario } from '../src/scenario/index.js';

const scenario = defineScenario({
  description: 'A worker escalates work it cannot do, an emergency reaches the CTO, a cross-team task goes to the common ancestor, a failure reaches a person',

  organisation: (host, { log }) =>
    createOrchestrator({
      hierarchy: developmentTeam(),
      executors: async (task, { agent }) => {
        if (task.type === 'python' && task.payload === 'legacy') throw new Error('the legacy build is broken');
        return `${task.type} handled by ${agent.id}`;
      },
      // Escalations that reach the top with nobody to resolve them come to a person.
      onEscalation: (escalation) => {
        log(`    📟 on-call paged: ${escalation.message}`);
        return { result: 'rolled back by the on-call engineer', by: 'alice' };
      },
      ...host,
    }),

  async run(org, { log }) {
    org.on('escalation.raised', ({ escalation }) => log(`    ↑ ${escalation.from} → ${escalation.to}: ${escalation.reason} — ${escalation.message}`));
    org.on('escalation.resolved', ({ escalation }) => log(`    ✓ ${escalation.id} ${escalation.status} by ${escalation.resolvedBy}`));

    const show = (outcome: Outcome) =>
      log(`  → ${outcome.status}: ${outcome.status === 'completed' ? String(outcome.result) : outcome.error?.message} (${outcome.escalations.length} escalation(s))\n`);

    log('1. A React task handed straight to a backend developer');
    show(await org.submit({ type: 'react' }, { at: 'backend_dev_1' }));

    log('2. An emergency found by a worker goes straight to the executive');
    show(await org.submit({ type: 'python', context: { isEmergency: true } }));

    log('3. A cross-team task goes to the common ancestor of the teams, which routes it');
    show(await org.submit({ type: 'css', context: { requiresCrossTeam: true, teams: ['backend_lead', 'frontend_lead'] } }));

    log('4. A policy decision is taken one level up');
    show(await org.submit({ type: 'sql', context: { requiresPolicyDecision: true } }));

    log('5. A failure nobody in the team can recover from reaches a person');
    show(await org.submit({ type: 'python', payload: 'legacy' }));

    log(`Status ${inspect(org.status())}`);
  },
});

export default scenario;
if (isMainModule(import.meta.url)) await runScenario(scenario);
