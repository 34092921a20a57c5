/**
 * A unit's awaited decisions on Restate: a service (many decisions at once, unlike the agent's
 * object) served by the process that hosts the unit, so the promise its agents' turns registered
 * (`pending-decisions.ts`) is here. Each wait is one journaled step: a retried invocation uses the
 * answer it recorded. The answer goes back to the agent as an ordinary message (`echelon.decided`,
 * `echelon.approver`), tagged as in-process so that a stale one is ignored; what the decision
 * charged goes to its task's books. Meanwhile the agent object takes its other messages.
 *
 * A wait whose process was killed (or redeployed) before the decision answered runs again in the
 * restarted process, which no longer has the promise: the agent is told to ask the decision
 * again (`echelon.redecide`, or the approval request for an approver), as the in-process host
 * decides again what was waiting for a decision when it restores. A wait whose answer was
 * journaled before the kill sends that answer; nothing is asked twice.
 */
import './polyfill.js';
import { service, type Context } from '@restatedev/restate-sdk';
import type { AgentEvent } from '../../machines/agent.types.js';
import { abortTimeoutMs, type Organisation } from './organisation.js';
import type { DecisionAnswer } from './pending-decisions.js';
import { fileCharges, INTERNAL, sendAgent } from './send.js';

/** What an agent object sends to its unit's decision service for one awaited decision. */
export interface DecisionWait {
  readonly agentId: string;
  /** The effect's key (`dec:<task>`, `apr:<approval>`). */
  readonly key: string;
  /** The registration it waits for (a newer one under the same key supersedes it). */
  readonly id: string;
  readonly timeoutMs: number;
  /** What the agent is told when this process no longer has the decision (it was restarted meanwhile): ask it again. */
  readonly again: AgentEvent;
}

/**
 * What a wait tells the agent when this process no longer has its decision. A wait sent before
 * `again` existed (still journaled in Restate when a new version is deployed) carries `lost`, the
 * failure it was sent with: it gets that, as then, rather than nothing (its task would wait forever).
 */
export function againOf(wait: DecisionWait | (Omit<DecisionWait, 'again'> & { readonly lost: AgentEvent })): AgentEvent {
  return 'again' in wait && wait.again !== undefined ? wait.again : (wait as { readonly lost: AgentEvent }).lost;
}

/** The decision service of one unit. */
export function decisionService(org: Organisation, unit: string) {
  const { layout, decisions } = org;
  return service({
    name: layout.decisions(unit),
    options: { abortTimeout: abortTimeoutMs(org, unit, 'decisions'), ...INTERNAL },
    handlers: {
      wait: async (ctx: Context, wait: DecisionWait): Promise<void> => {
        const { agentId, key, id, timeoutMs } = wait;
        const again = againOf(wait);
        const answer = await ctx.run(`decision ${key}`, (): Promise<DecisionAnswer> => decisions.settle(agentId, key, id, timeoutMs, again));
        fileCharges(ctx, layout, answer.charged);
        if (answer.event !== undefined) sendAgent(ctx, layout, agentId, answer.event);
      },
    },
  });
}
