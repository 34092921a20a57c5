/**
 * One workflow per submitted task, keyed by the task's id: Restate runs a workflow's `run` once per
 * key, so a task submitted again under the same id gets its first outcome and never runs twice.
 * `run` opens the task's case (which hands the task to its entry agent) and waits on an
 * awakeable, which the case resolves with the outcome: a command in the case's journal, where a
 * call to the workflow would be one more invocation per task.
 */
import './polyfill.js';
import { handlers, TerminalError, workflow, type WorkflowContext, type WorkflowSharedContext } from '@restatedev/restate-sdk';
import type { Outcome } from '../types.js';
import type { CaseOpening } from './ingress-door.js';
import { openingProblem } from './ingress-door.js';
import type { OrganisationBase } from './organisation.js';
import { INTERNAL, sendTo } from './send.js';

/** The task workflow of an organisation. */
export function taskWorkflow(base: OrganisationBase) {
  const { layout } = base;
  return workflow({
    name: layout.task,
    handlers: {
      run: async (ctx: WorkflowContext, opening: CaseOpening): Promise<Outcome> => {
        // The ingress serves run to anyone: a task the client would not have made ends here (a terminal failure, not retried), before its case or an agent sees it.
        const refused = openingProblem(base, ctx.key, opening);
        if (refused !== undefined) throw new TerminalError(`${refused.code}: ${refused.message}`, { errorCode: 400 });
        const { id, promise } = ctx.awakeable<Outcome>();
        sendTo(ctx, layout.case, 'open', { ...opening, awakeable: id } satisfies CaseOpening, ctx.key);
        return promise;
      },
      // Kept for workflows started before the awakeable, which wait on this promise.
      settle: handlers.workflow.shared(INTERNAL, async (ctx: WorkflowSharedContext, outcome: Outcome): Promise<void> => {
        await ctx.promise<Outcome>('outcome').resolve(outcome);
      }),
    },
  });
}
