/**
 * The decisions an agent awaits, in the process that asked for them. A decision answering with a
 * promise (a model routing, say) is a promise in the process whose agent turn called the policy:
 * the agent object registers it here and goes on taking messages, and the unit's decision service
 * (`decision-service.ts`, served by the same process) waits for it under its timeout, as one
 * journaled step, and sends the answer back to the agent as an ordinary message. A decision the
 * agent stops waiting for (its task cancelled, the approval withdrawn) is aborted here and
 * answers nothing; one this process no longer has (it was restarted meanwhile) answers with what
 * the agent prepared for that case: ask the decision again.
 */
import type { AgentEvent, AgentInternalEvent } from '../../machines/agent.types.js';
import { decisionTimedOut, type Effect } from '../../machines/ports.js';
import { settleCharges, type Charge, type Invocation } from './scope.js';
import { agentKey } from '../show.js';
import { clearLongTimeout, setLongTimeout } from '../long-timer.js';

type Await = Extract<Effect, { type: 'await' }>;

/** What the decision service journals: the message for the agent (none: nobody waits any more), and what the decision charged. */
export interface DecisionAnswer {
  readonly event?: AgentEvent;
  readonly charged: readonly Charge[];
}

interface Entry {
  readonly id: string;
  readonly effect: Await;
  /** The invocation of the turn that asked: the decision charges its task's budget there. */
  readonly here: Invocation;
  forgotten: boolean;
  /** Ends the wait of a decision service invocation waiting for it, once the agent forgets it. */
  stop?: () => void;
}

/** The decisions awaited in this process, by agent and key. */
export class PendingDecisions {
  readonly #entries = new Map<string, Entry>();
  /**
   * Keys the agent stopped waiting for before this process had them (a withdrawal that reached a
   * restarted process first): a wait for one is then answered with nothing, not `again`, so a
   * request nobody needs is not asked again. Bounded, oldest first out.
   */
  readonly #forgotten = new Set<string>();

  /** How many decisions this process waits for now. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Registers a decision an agent's turn awaits, under `id` (from the turn's journaled randomness,
   * so a replayed turn registers the same one: the first registration is kept, the replay's
   * promise is aborted). A newer decision under the same key supersedes an older one.
   */
  register(agentId: string, id: string, effect: Await, here: Invocation): void {
    // Its rejection is read when the decision service waits for it (later): until then it is handled here, so Node does not end the process over it.
    effect.promise.catch(() => undefined);
    const key = agentKey(agentId, effect.key);
    this.#forgotten.delete(key);
    const known = this.#entries.get(key);
    if (known?.id === id) {
      effect.abort();
      return;
    }
    if (known !== undefined) this.#drop(key, known);
    this.#entries.set(key, { id, effect, here, forgotten: false });
  }

  /** The agent stops waiting for the decision under `key`: its signal aborts, and it answers nothing. */
  forget(agentId: string, key: string): void {
    const where = agentKey(agentId, key);
    const entry = this.#entries.get(where);
    if (entry === undefined) {
      this.#forgotten.add(where);
      if (this.#forgotten.size > FORGOTTEN_KEPT) this.#forgotten.delete(this.#forgotten.values().next().value as string);
      return;
    }
    if (!entry.forgotten) abandon(entry);
  }

  /**
   * Waits for the decision registered as `id` under its timeout, and says what to tell the agent:
   * its answer, its failure, the timeout's failure — or `again` (ask it again) when this process
   * does not have it (it was restarted since), and nothing when the agent forgot it (here, or
   * before this process had it) or a newer one replaced it.
   */
  settle(agentId: string, key: string, id: string, timeoutMs: number, again: AgentEvent): Promise<DecisionAnswer> {
    const where = agentKey(agentId, key);
    const entry = this.#entries.get(where);
    if (entry === undefined) return Promise.resolve(this.#forgotten.delete(where) ? { charged: [] } : { event: again, charged: [] });
    if (entry.id !== id) return Promise.resolve({ charged: [] });
    const { effect, here } = entry;
    return new Promise<DecisionAnswer>((resolve) => {
      let done = false;
      const finish = (event: (() => AgentInternalEvent) | undefined) => {
        if (done) return;
        done = true;
        clearLongTimeout(timer);
        if (this.#entries.get(where) === entry) this.#entries.delete(where);
        const charged = settleCharges(here);
        resolve(event === undefined || entry.forgotten ? { charged } : { event: event(), charged });
      };
      // Any delay: a month, or Infinity (a Node timer fires a longer one after 1 ms).
      const timer = setLongTimeout(() => {
        effect.abort();
        finish(() => effect.fail(decisionTimedOut(agentId, timeoutMs)));
      }, timeoutMs);
      entry.stop = () => finish(undefined);
      if (entry.forgotten) {
        finish(undefined);
        return;
      }
      effect.promise.then(
        (value) => finish(() => effect.answer(value)),
        (error: unknown) => finish(() => effect.fail(error)),
      );
    });
  }

  #drop(key: string, entry: Entry): void {
    this.#entries.delete(key);
    abandon(entry);
  }
}

/** How many keys forgotten before they were known a process remembers. */
const FORGOTTEN_KEPT = 1_000;

/** Nobody waits for this decision any more: its signal aborts, and a service waiting for it stops. */
function abandon(entry: Entry): void {
  entry.forgotten = true;
  entry.effect.abort();
  entry.stop?.();
}
