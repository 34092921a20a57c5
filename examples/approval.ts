/**
 * Approvals in the development team: a production deployment waits until a person approves
 * it through the API; another is left undecided, expires, moves one level up, and is approved
 * there; a third is rejected; and an agent approves routine work by rule.
 *
 * Run: npx tsx examples/approval.ts   (or step through it: npm run echelon -- step examples/approval.ts)
 */
import { createOrchestrator, developmentTeam, type Approval, type ApproverPolicy, type Orchestrator } from '../src/index.js';
import { defineScenario, isMainModule, runScenario } from '../src/scenario/index.js';

/** The frontend's specialist approves routine style changes itself and leaves everything else to a person. */
function routineOnly(): ApproverPolicy {
  return (request) => ((request.payload as { routine?: boolean } | undefined)?.routine ? { approve: true, comment: 'routine change' } : undefined);
}

/** The next approval request (to `approver`, if given): what a person watching the queue would see. */
function nextRequest(org: Orchestrator, approver?: string): Promise<Approval> {
  return new Promise((resolve) => {
    const stop = org.on('approval.requested', ({ approval }) => {
      if (approver !== undefined && approval.approver !== approver) return;
      stop();
      resolve(approval);
    });
  });
}

const scenario = defineScenario({
  description: 'A deployment waits for a person; another expires and is approved a level up; one is rejected; an agent approves routine work',

  organisation: (host) =>
    createOrchestrator({
      hierarchy: developmentTeam(),
      executors: async (task, { agent }) => `${task.type} (${JSON.stringify(task.payload)}) shipped by ${agent.id}`,
      approvals: { approvers: { byId: { react_specialist: routineOnly() } } },
      ...host,
    }),

  async run(org, { log }) {
    org.on('approval.requested', ({ approval }) =>
      log(`    ? ${approval.id}: ${approval.requester} asks ${approval.approver} (level ≤ ${approval.requiredLevel}) — ${approval.reason}`),
    );
    org.on('approval.decided', ({ approval }) =>
      log(`    ${approval.status === 'approved' ? '✓' : '✗'} ${approval.id} ${approval.status} by ${approval.decisions.map((d) => d.by).join(', ') || 'nobody'}`),
    );

    // 1. A deployment parks at the backend developer; a person approves it as the API specialist.
    log('1. deploy the API: waits for a human approval');
    const parked = nextRequest(org);
    const deploy = org.submit({ type: 'python', payload: { deploy: 'api' }, approval: { reason: 'production deployment' } });
    const pending = await parked;
    log(`    (${org.agentState('backend_dev_1').state}) a person looks at the queue and approves as ${pending.approver}`);
    try {
      org.approvals.approve(pending.id, { by: 'backend_dev_1' });
    } catch (error) {
      log(`    refused: ${(error as Error).message}`);
    }
    org.approvals.approve(pending.id, { by: 'api_specialist', comment: 'green on staging' });
    log(`  → ${(await deploy).status}\n`);

    // 2. Nobody answers within 150 ms: the request moves one level up, where the backend lead approves it.
    log('2. deploy the database: expires, escalates, approved one level up');
    const escalated = nextRequest(org, 'backend_lead');
    const migration = org.submit({ type: 'python', payload: { deploy: 'db' }, approval: { reason: 'schema change', timeoutMs: 150 } });
    org.approvals.approve((await escalated).id, { by: 'backend_lead' });
    log(`  → ${(await migration).status}\n`);

    // 3. A rejection ends it.
    log('3. deploy on a Friday: rejected');
    const asked = nextRequest(org);
    const friday = org.submit({ type: 'css', payload: { deploy: 'theme' }, context: { requiresApproval: true } });
    org.approvals.reject((await asked).id, { by: 'frontend_lead', reason: 'no deploys on Friday' });
    const rejected = await friday;
    log(`  → ${rejected.status}: ${rejected.error?.message}\n`);

    // 4. Routine work is approved by the agent's own rule.
    log('4. a routine style change: the specialist approves it by rule');
    log(`  → ${(await org.submit({ type: 'css', payload: { routine: true }, context: { requiresApproval: true } })).status}\n`);
  },
});

export default scenario;
if (isMainModule(import.meta.url)) await runScenario(scenario);
