/**
 * Approvals in the development team: a production deployment waits until a person approves
 * it through the API; another is left undecided, expires, moves one level up, and is approved
 * there; a third is rejected; and an agent approves routine work by rule.
 *
 * Run: npx tsx examples/approval.ts
 */
import { createOrchestrator, developmentTeam, type ApproverPolicy } from '../src/index.js';

const org = createOrchestrator({
  hierarchy: developmentTeam(),
  executors: async (task, { agent }) => `${task.type} (${JSON.stringify(task.payload)}) shipped by ${agent.id}`,
  approvals: { approvers: { byId: { react_specialist: routineOnly() } } },
});

/** The frontend's specialist approves routine style changes itself and leaves everything else to a person. */
function routineOnly(): ApproverPolicy {
  return (request) => ((request.payload as { routine?: boolean } | undefined)?.routine ? { approve: true, comment: 'routine change' } : undefined);
}

org.on('approval.requested', ({ approval }) =>
  console.log(`    ? ${approval.id}: ${approval.requester} asks ${approval.approver} (level ≤ ${approval.requiredLevel}) — ${approval.reason}`),
);
org.on('approval.decided', ({ approval }) =>
  console.log(`    ${approval.status === 'approved' ? '✓' : '✗'} ${approval.id} ${approval.status} by ${approval.decisions.map((d) => d.by).join(', ') || 'nobody'}`),
);

// 1. A deployment parks at the backend developer; a person approves it as the API specialist.
console.log('1. deploy the API: waits for a human approval');
const deploy = org.submit({ type: 'python', payload: { deploy: 'api' }, approval: { reason: 'production deployment' } });
await new Promise((resolve) => setTimeout(resolve, 50));
const [pending] = org.approvals.pending();
console.log(`    (${org.agentState('backend_dev_1').state}) a person looks at the queue and approves as ${pending!.approver}`);
try {
  org.approvals.approve(pending!.id, { by: 'backend_dev_1' });
} catch (error) {
  console.log(`    refused: ${(error as Error).message}`);
}
org.approvals.approve(pending!.id, { by: 'api_specialist', comment: 'green on staging' });
console.log(`  → ${(await deploy).status}\n`);

// 2. Nobody answers within 150 ms: the request moves one level up, where the backend lead approves it.
console.log('2. deploy the database: expires, escalates, approved one level up');
const migration = org.submit({ type: 'python', payload: { deploy: 'db' }, approval: { reason: 'schema change', timeoutMs: 150 } });
const escalated = await new Promise<string>((resolve) =>
  org.on('approval.requested', ({ approval }) => approval.approver === 'backend_lead' && resolve(approval.id)),
);
org.approvals.approve(escalated, { by: 'backend_lead' });
console.log(`  → ${(await migration).status}\n`);

// 3. A rejection ends it.
console.log('3. deploy on a Friday: rejected');
const friday = org.submit({ type: 'css', payload: { deploy: 'theme' }, context: { requiresApproval: true } });
await new Promise((resolve) => setTimeout(resolve, 50));
org.approvals.reject(org.approvals.pending()[0]!.id, { by: 'frontend_lead', reason: 'no deploys on Friday' });
const rejected = await friday;
console.log(`  → ${rejected.status}: ${rejected.error?.message}\n`);

// 4. Routine work is approved by the agent's own rule.
console.log('4. a routine style change: the specialist approves it by rule');
console.log(`  → ${(await org.submit({ type: 'css', payload: { routine: true }, context: { requiresApproval: true } })).status}\n`);

await org.stop();
