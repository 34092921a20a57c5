/**
 * The on-call desk: a production deployment waits for a person's approval, and a broken legacy
 * build fails, escalates up the team and reaches a person. On its own (or under `echelon step`)
 * the on-call engineer answers both from this file; under `echelon view` they wait for you: press
 * Approve, and resolve the escalation, on the page.
 *
 * Run: npm run echelon -- view examples/on-call.ts   (or on its own: npx tsx examples/on-call.ts)
 */
import { createOrchestrator, developmentTeam, type Approval, type Orchestrator } from '../src/index.js';
import { defineScenario, isMainModule, runScenario } from '../src/scenario/index.js';

/** The next approval request: what a person watching the queue would see. */
function nextRequest(org: Orchestrator): Promise<Approval> {
  return new Promise((resolve) => {
    const stop = org.on('approval.requested', ({ approval }) => {
      stop();
      resolve(approval);
    });
  });
}

const scenario = defineScenario({
  description: 'A deployment waits for a person to approve it and a broken build reaches a person: decide both on the page under echelon view',

  organisation: (host, { log, sleep, waitsForPeople }) =>
    createOrchestrator({
      hierarchy: developmentTeam(),
      executors: async (task, { agent, signal }) => {
        await sleep(300, signal);
        if (task.payload === 'legacy') throw new Error(`the legacy build is broken on ${agent.id}`);
        return `${task.type} shipped by ${agent.id}`;
      },
      // An escalation nobody in the team can resolve comes to the on-call person.
      onEscalation: (escalation) => {
        log(`    📟 on-call paged: ${escalation.message}`);
        if (waitsForPeople) {
          log('    … waiting for you: resolve it under "Active escalations" on the page');
          return undefined;
        }
        return { result: 'rolled back by the on-call engineer', by: 'alice' };
      },
      ...host,
    }),

  async run(org, { log, waitsForPeople }) {
    org.on('approval.decided', ({ approval }) => log(`    ${approval.status} by ${approval.decisions.map((d) => d.by).join(', ') || 'nobody'}`));
    org.on('escalation.resolved', ({ escalation }) => escalation.to === 'human' && log(`    escalation ${escalation.status} by ${escalation.resolvedBy}`));

    log('1. deploy the API: waits for a person to approve it');
    const asked = nextRequest(org);
    const deploy = org.submit({ id: 'deploy-api', type: 'python', payload: { deploy: 'api' }, approval: { reason: 'production deployment' } });
    const request = await asked;
    if (waitsForPeople) log(`    … waiting for you: approve or reject it as ${request.approver} (or above) on the page`);
    else org.approvals.approve(request.id, { by: request.approver, comment: 'green on staging' });

    log('2. rebuild the legacy service: fails, escalates, reaches a person');
    const legacy = org.submit({ id: 'legacy-build', type: 'python', payload: 'legacy' });

    for (const outcome of await Promise.all([deploy, legacy])) {
      log(`  → ${outcome.taskId}: ${outcome.status}${outcome.status === 'completed' ? ` (${String(outcome.result)})` : `: ${outcome.error?.message}`}`);
    }
  },
});

export default scenario;
if (isMainModule(import.meta.url)) await runScenario(scenario);
