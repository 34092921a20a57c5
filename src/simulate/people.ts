/**
 * People in a simulation: approvals nobody in the organisation decides by rule and escalations
 * that reach a person are answered after a modelled response time, by the approver asked (and,
 * for a quorum, the next ancestors with the authority), through the orchestrator's own API.
 */
import type { ApproverPolicy } from '../approval/approvers.js';
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import type { Orchestrator } from '../runtime/index.js';
import { agentKey } from '../show.js';
import type { Approval, Escalation, EscalationResolution } from '../types.js';
import type { SimulationClock } from './clock.js';
import { sample, type PersonModel } from './models.js';
import type { Random } from './random.js';

/** The default person: answers within a minute (fixed 60 s) and never rejects. */
export const DEFAULT_PERSON = { responseMs: { kind: 'fixed', ms: 60_000 } } as const satisfies PersonModel;

export function approvalDesk(org: Orchestrator, hierarchy: Hierarchy, clock: SimulationClock, model: PersonModel, random: Random, decidesByRule: (agentId: string) => ApproverPolicy | undefined): void {
  const scheduled = new Set<string>();
  org.on('approval.requested', ({ approval }) => {
    if (decidesByRule(approval.approver) !== undefined) return;
    // One person per approver asked; a quorum asks the next ancestors with the authority too.
    for (const by of approversFor(hierarchy, approval)) {
      const key = agentKey(by, approval.id);
      if (scheduled.has(key)) continue;
      scheduled.add(key);
      const reject = random() < (model.rejectRate ?? 0);
      clock.setTimeout(() => {
        scheduled.delete(key);
        const current = org.approvals.get(approval.id);
        if (current === undefined || current.status !== 'pending' || current.decisions.some((decision) => decision.by === by)) return;
        try {
          if (reject) org.approvals.reject(approval.id, { by, reason: 'rejected (simulated)' });
          else org.approvals.approve(approval.id, { by });
        } catch {
          // The request moved on meanwhile (expired up a level, cancelled): its new approver is asked anew.
        }
      }, sample(model.responseMs, random));
    }
  });
}

function approversFor(hierarchy: Hierarchy, approval: Approval): string[] {
  const chosen = [approval.approver];
  for (const node of hierarchy.ancestors(approval.approver)) {
    if (chosen.length >= approval.quorum) break;
    if (node.level <= approval.requiredLevel) chosen.push(node.id);
  }
  return chosen;
}

/** `onEscalation` for a simulation: a person resolves each escalation that reaches the top after a response time. */
export function escalationDesk(clock: SimulationClock, model: PersonModel, random: Random, org: () => Orchestrator): (escalation: Escalation) => void {
  return (escalation) => {
    const resolution: EscalationResolution = random() < (model.rejectRate ?? 0) ? { fail: 'failed by a person (simulated)', by: 'person' } : { result: 'resolved by a person (simulated)', by: 'person' };
    clock.setTimeout(() => {
      try {
        org().escalations.resolve(escalation.id, resolution);
      } catch {
        // Resolved or cancelled meanwhile.
      }
    }, sample(model.responseMs, random));
  };
}
