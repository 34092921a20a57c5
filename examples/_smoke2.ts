import { createOrchestrator, developmentTeam } from '../src/index.js';
const org = createOrchestrator({
  hierarchy: developmentTeam(),
  executors: {
    default: async (task, { agent }) => ({ by: agent.id }),
    byId: { backend_dev_1: async (task) => { if ((task.payload as any)?.fail) throw new Error('compile error'); return { code: 'ok' }; } },
  },
});
org.on('escalation.raised', (e) => console.log('  raised', e.escalation.reason, e.escalation.from, '→', e.escalation.to));
org.on('escalation.resolved', (e) => console.log('  resolved', e.escalation.id, e.escalation.status, 'by', e.escalation.resolvedBy));
org.on('approval.requested', (e) => console.log('  approval requested', e.approval.id, 'from', e.approval.requester, 'to', e.approval.approver));
org.on('approval.decided', (e) => console.log('  approval decided', e.approval.id, e.approval.status));
org.on('agent.fault', (e) => console.log('  FAULT', e.agent, e.error));
const show = (o: any) => console.log(o.type, '→', o.status, o.executedBy, o.delegationChain.join('>'), o.error?.message ?? '', 'esc:', o.escalations.map((e: any) => `${e.reason}:${e.from}->${e.to}:${e.status}`).join(','));
show(await org.submit({ type: 'python', payload: { fail: true } }));
show(await org.submit({ type: 'react' }, { at: 'backend_dev_1' }));
show(await org.submit({ type: 'python', context: { isEmergency: true } }));
show(await org.submit({ type: 'python', context: { requiresPolicyDecision: true } }));
show(await org.submit({ type: 'python', context: { requiresCrossTeam: true, teams: ['backend_lead', 'frontend_lead'] } }));
const p = org.submit({ type: 'python', context: { requiresApproval: true } });
await new Promise((r) => setTimeout(r, 10));
console.log('pending', org.approvals.pending().map((a) => a.id));
try { org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'frontend_lead' }); } catch (e: any) { console.log('refused:', e.code, e.message); }
org.approvals.approve(org.approvals.pending()[0]!.id, { by: 'api_specialist', comment: 'ok' });
show(await p);
const q = org.submit({ type: 'python', context: { requiresApproval: true } });
await new Promise((r) => setTimeout(r, 10));
org.approvals.reject(org.approvals.pending()[0]!.id, { by: 'cto', reason: 'not now' });
show(await q);
const slow = org.submit({ type: 'strategy' });
const c = await org.cancel((await new Promise<string>((r) => org.on('task.started', (e) => r(e.task.id)))) );
show(c);
show(await slow);
console.log(org.status());
await org.stop();
