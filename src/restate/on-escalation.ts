/**
 * `onEscalation` on Restate: the case of the escalation's task asks it inside a journaled step, and
 * the case takes no other message meanwhile (a person's `resolve`, an agent's report). In process
 * it is a notification nothing waits for; here an answer that never came left the case waiting for
 * ever (Restate aborted the step after its timeout and asked again), and one the journal cannot
 * hold (a BigInt, a cycle, over 8 MiB) failed the step and was asked again for ever. So the wait
 * is bounded by the decision timeout of the agent the escalation reached, and an answer that is
 * late, or is not JSON data within Restate's message limit, is logged and not taken: the
 * escalation waits for a person, as when `onEscalation` answers nothing.
 */
import type { OrchestratorOptions } from '../runtime/options.js';
import { DEFAULT_DECISION_TIMEOUT_MS } from '../runtime/ports.js';
import { resolveSetting } from '../settings/index.js';
import { jsonProblem } from '../json.js';
import { logThrown } from '../show.js';
import type { Escalation, EscalationResolution } from '../types.js';
import { clearLongTimeout, setLongTimeout, type LongTimeout } from '../long-timer.js';
import { MESSAGE_LIMIT_BYTES, mib, oversized, sized } from './message-size.js';

/** What the journaled step keeps: the answer, or `null` for none to take. */
export interface Asked {
  readonly resolution: EscalationResolution | null;
}

/** Asks `onEscalation` about `escalation` for one journaled step: never longer than the reached agent's decision timeout, and only an answer the journal can keep. */
export function askerOf(options: Pick<OrchestratorOptions, 'hierarchy' | 'onEscalation' | 'decisions'>, log: (...parts: unknown[]) => void) {
  const timeoutFor = resolveSetting<number>(options.hierarchy, 'decisions.timeoutMs', options.decisions?.timeoutMs);
  return async (escalation: Escalation): Promise<Asked> => {
    const { onEscalation } = options;
    if (onEscalation === undefined) return { resolution: null };
    const timeoutMs = timeoutFor(escalation.to) ?? DEFAULT_DECISION_TIMEOUT_MS;
    let timer: LongTimeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      if (Number.isFinite(timeoutMs)) timer = setLongTimeout(() => resolve('late'), timeoutMs);
    });
    try {
      const answer = await Promise.race([Promise.resolve().then(() => onEscalation(escalation)), late]);
      if (answer === 'late') {
        log(`echelon: onEscalation did not answer escalation ${escalation.id} within ${timeoutMs} ms (decisions.timeoutMs); on Restate its task's case waits no longer: the escalation waits for a person (org.escalations.resolve), and a later answer is not taken.`);
        return { resolution: null };
      }
      if (answer === undefined || answer === null) return { resolution: null };
      const problem = jsonProblem(answer, 'the resolution');
      const bytes = problem === undefined ? oversized(answer) : undefined;
      if (problem === undefined && bytes === undefined) return { resolution: answer };
      const why = problem ?? `the resolution is ${sized(bytes!)} as JSON, and on Restate it is at most ${mib(MESSAGE_LIMIT_BYTES)}`;
      log(`echelon: onEscalation answered escalation ${escalation.id} with what Restate's journal cannot keep (${why}); not taken: the escalation waits for a person (org.escalations.resolve).`);
      return { resolution: null };
    } catch (error) {
      logThrown(`echelon: onEscalation threw for escalation ${escalation.id}:`, error, log);
      return { resolution: null };
    } finally {
      if (timer !== undefined) clearLongTimeout(timer);
    }
  };
}
