/**
 * One workflow per submitted task, keyed by the task's id: Restate runs a workflow's `run` once per
 * key, so a task submitted again under the same id gets its first outcome and never runs twice.
 * `run` opens the task's case (which hands the task to its entry agent) and waits on a durable
 * promise; the case resolves it with the outcome through `settle`.
 */
import './polyfill.js';
import { handlers, workflow, type WorkflowContext, type WorkflowSharedContext } from '@restatedev/restate-sdk';
import type { Outcome } from '../types.js';
import type { CaseOpening } from './case-object.js';
import type { RestateLayout } from './layout.js';
import { sendTo } from './send.js';

const OUTCOME = 'outcome';

/** The task workflow of an organisation. */
export function taskWorkflow(layout: RestateLayout) {
  return workflow({
    name: layout.task,
    handlers: {
      run: async (ctx: WorkflowContext, opening: CaseOpening): Promise<Outcome> => {
        sendTo(ctx, layout.case, 'open', opening, ctx.key);
        return ctx.promise<Outcome>(OUTCOME).get();
      },
      settle: handlers.workflow.shared(async (ctx: WorkflowSharedContext, outcome: Outcome): Promise<void> => {
        await ctx.promise<Outcome>(OUTCOME).resolve(outcome);
      }),
    },
  });
}
