/**
 * The case of one submitted task on Restate: a virtual object keyed by the task's id that keeps
 * its books and journal. Agents send it their reports about the task and its derived tasks (a
 * batch per message they handled); it runs the in-process report handling and people's desk over
 * the restored books, cancels lineages where their pieces are, asks `onEscalation` (as a
 * journaled step) about escalations that reach the top, and settles the task's workflow with the
 * outcome. Keyed per task, it is never one object the whole organisation passes through.
 */
import './polyfill.js';
import { handlers, object, type ObjectContext, type ObjectSharedContext } from '@restatedev/restate-sdk';
import type { AgentReport } from '../../machines/ports.js';
import { EchelonError, taskErrorFromUnknown, type TaskError } from '../errors.js';
import { EventBus } from '../runtime/events.js';
import { peopleDesk, type Desk } from '../runtime/people.js';
import { reportHandler } from '../runtime/reports.js';
import { ResourceRegistry } from '../runtime/resources.js';
import type { StoredTask } from '../store/types.js';
import type { BudgetInput, Escalation, EscalationResolution, Outcome, Settlement, Task } from '../types.js';
import { cancelsFollowing, CASE_KEYS, openBooks, type CaseBooks } from './case-books.js';
import { cancellationProblem, decisionProblem, resolutionProblem, type CaseOpening } from './ingress-door.js';
import type { RestateLayout } from './layout.js';
import type { OrganisationBase } from './organisation.js';
import { accountOf } from './scope.js';
import { INTERNAL, sendAgent, sendTo } from './send.js';
import { askerOf } from './on-escalation.js';

/** What a case's caller-facing handlers answer: done, or refused with the in-process error. */
export type Answer = { readonly ok: true } | { readonly ok: false; readonly error: TaskError };


interface Open {
  readonly books: CaseBooks;
  readonly desk: Desk;
  readonly onReport: (report: AgentReport) => void;
  readonly now: number;
  /** Marks a task and everything derived from it cancelled, and tells each holder. */
  readonly cancelLineage: (taskId: string, reason: string) => void;
  /** Escalations that reached the top during this handler, for `onEscalation`. */
  readonly asked: Escalation[];
  /** The settlement that reached the entry agent in this handler, if any. */
  readonly settled: { value: Settling | undefined };
}

/** A settled task whose books still wait for reports from other agents. */
interface Settling {
  readonly task: Task;
  readonly settlement: Settlement;
}

const SETTLING = 'settling';
/** How long a settled task's books wait for late reports before it finishes anyway. */
const LATE_REPORTS_MS = 2000;

/** The case object of an organisation. */
export function caseObject(org: OrganisationBase) {
  const { layout, options } = org;
  const { hierarchy } = options;
  const retain = options.retain ?? 1000;

  /** Opens the books with the in-process report handling and desk over them. */
  const open = async (ctx: ObjectContext): Promise<Open> => {
    const now = await ctx.date.now();
    const books = await openBooks(ctx, retain);
    const { ledger } = books;
    const asked: Escalation[] = [];
    const settled: Open['settled'] = { value: undefined };
    const cancelLineage = (taskId: string, reason: string) => {
      const marked = ledger.lineage(taskId).map(({ task }) => ledger.requestCancel(task.id, reason)!);
      for (const record of marked) if (record.holder !== undefined) sendAgent(ctx, layout, record.holder, { type: 'task.cancel', taskId: record.task.id, reason });
    };
    const onReport = reportHandler({
      ledger,
      bus: new EventBus(() => undefined),
      durable: undefined,
      resources: new ResourceRegistry(() => undefined),
      now: () => now,
      emit: () => undefined,
      // Finished in close(), once no report from another agent can still be on its way.
      finish: (task, settlement) => {
        settled.value = { task, settlement };
      },
      cancelLineage,
      askHuman: (escalation) => void asked.push(escalation),
    });
    const filed = (report: AgentReport) => {
      books.journal(report, now);
      onReport(report);
      for (const { to, taskId, reason } of cancelsFollowing(ledger, report)) sendAgent(ctx, layout, to, { type: 'task.cancel', taskId, reason });
    };
    const desk = peopleDesk({ hierarchy, ledger, durable: undefined, now: () => now, send: (agentId, message) => sendAgent(ctx, layout, agentId, message), report: filed, onEscalation: options.onEscalation, stopped: () => false /* an organisation on Restate never stops: it lives in the server */ });
    return { books, desk, onReport: filed, now, asked, cancelLineage, settled };
  };

  /** Asks `onEscalation` about escalations that reached the top (a journaled step each), then writes the books and settles the workflow when the task finished. */
  const close = async (ctx: ObjectContext, opened: Open, force = false): Promise<void> => {
    const ask = askerOf(options, (...parts) => ctx.console.error(...parts));
    for (const escalation of opened.asked.splice(0)) {
      if (options.onEscalation === undefined) continue;
      const answer = await ctx.run(`onEscalation ${escalation.id}`, () => ask(escalation));
      const now = opened.books.ledger.escalation(escalation.id);
      if (answer.resolution !== null && now?.status === 'active' && now.assignedTo === undefined) {
        attempt(() => opened.desk.escalations.resolve(escalation.id, answer.resolution as EscalationResolution));
      }
    }
    await finishWhenComplete(ctx, layout, opened, force);
    const outcome = opened.books.save();
    if (outcome === undefined) return;
    const waiting = (await ctx.get<string[]>(CASE_KEYS.awakeable)) ?? [];
    for (const awakeable of waiting) ctx.resolveAwakeable(awakeable, outcome);
    // A case opened by a workflow from before the awakeable waits on its durable promise, resolved through settle.
    if (waiting.length === 0) sendTo(ctx, layout.task, 'settle', outcome, outcome.taskId);
    ctx.clear(CASE_KEYS.awakeable);
  };

  const act = (fn: (opened: Open) => void) => async (ctx: ObjectContext): Promise<Answer> => {
    const opened = await open(ctx);
    const answer = attempt(() => fn(opened));
    await close(ctx, opened);
    return answer;
  };

  /**
   * A person's decision on an approval reaches the requester as a one-way send, and the requester
   * reports it back later. So that the approval shows it at once and a second decision by the same
   * approver is refused at the door (`duplicate_decision`), as in-process, the case records it
   * when it is made, and remembers it was sent: the requester's report of it is then an echo.
   */
  const decide = (id: string, by: string, decision: 'approved' | 'rejected', note: string | undefined, fn: (desk: Desk) => void) => async (ctx: ObjectContext): Promise<Answer> => {
    const key = CASE_KEYS.sent + id;
    const sent = (await ctx.get<string[]>(key)) ?? [];
    return act(({ desk, now, onReport }) => {
      fn(desk);
      onReport({ type: 'approval.decision', approvalId: id, decision: { by, decision, ...(note === undefined ? {} : { note }), at: now } });
      ctx.set(key, [...sent, by]);
    })(ctx);
  };

  return object({
    name: layout.case,
    handlers: {
      open: handlers.object.exclusive(INTERNAL, async (ctx: ObjectContext, { task, entry, budget, awakeable }: CaseOpening): Promise<void> => {
        const earlier = await ctx.get<Outcome>(CASE_KEYS.outcome);
        // A workflow run again for a finished task (its first run's record gone past retention) gets the first outcome.
        if (earlier !== null) {
          if (awakeable !== undefined) ctx.resolveAwakeable(awakeable, earlier);
          return;
        }
        // Every workflow run waiting on this task is told its outcome: a second one (its first run's record purged while the task ran) too.
        if (awakeable !== undefined) ctx.set(CASE_KEYS.awakeable, [...((await ctx.get<string[]>(CASE_KEYS.awakeable)) ?? []), awakeable]);
        if ((await ctx.get<StoredTask>(CASE_KEYS.task + task.id)) !== null) return;
        const opened = await open(ctx);
        opened.books.ledger.submit(task, entry, budget);
        opened.books.note({ type: 'task.submitted', at: task.submittedAt, actor: 'submitter', taskId: task.id, rootId: task.id, data: { type: task.type, entry } });
        ctx.set(CASE_KEYS.open, true);
        await close(ctx, opened);
        sendAgent(ctx, layout, entry, { type: 'task.assign', task });
      }),
      report: handlers.object.exclusive(INTERNAL, async (ctx: ObjectContext, { reports }: { reports: readonly AgentReport[] }): Promise<void> => {
        const opened = await open(ctx);
        for (const report of reports) if (!(await echo(ctx, opened, report))) opened.onReport(report);
        await close(ctx, opened);
      }),
      settleNow: handlers.object.exclusive(INTERNAL, async (ctx: ObjectContext): Promise<void> => {
        await close(ctx, await open(ctx), true);
      }),
      cost: handlers.object.exclusive(INTERNAL, async (ctx: ObjectContext, { task, amount }: { task: Task; amount: number }): Promise<void> => {
        const opened = await open(ctx);
        opened.books.ledger.addCost(task, amount);
        await close(ctx, opened);
      }),
      // The ingress serves these four to anyone: input that is not what the client sends is refused before it is read (a handler that threw would be retried for ever, holding the case).
      cancel: (ctx: ObjectContext, input: { taskId: string; reason: string }) =>
        refusing(cancellationProblem(input?.taskId, input?.reason)) ??
        act(({ books, now, cancelLineage }) => {
          const { taskId, reason } = input;
          if (!books.ledger.isActive(taskId)) return;
          // A holder a redeploy removed cannot be told: refused before anything is marked, rather than half cancelled.
          const gone = books.ledger.lineage(taskId).find((record) => record.holder !== undefined && !hierarchy.has(record.holder))?.holder;
          if (gone !== undefined) {
            throw new EchelonError('unknown_agent', `Task "${taskId}" is held by "${gone}", which is no agent of this organisation any more (removed by a redeploy): it cannot be told to cancel. Deploy an organisation with "${gone}" again to end the task.`, { details: { taskId, agentId: gone } });
          }
          books.note({ type: 'task.cancelling', at: now, actor: 'caller', taskId, rootId: taskId, data: { reason } });
          cancelLineage(taskId, reason);
        })(ctx),
      approve: (ctx: ObjectContext, input: { id: string; decision: { by: string; comment?: string } }) =>
        refusing(decisionProblem('approve', input?.id, input?.decision)) ?? decide(input.id, input.decision.by, 'approved', input.decision.comment, (desk) => desk.approvals.approve(input.id, input.decision))(ctx),
      reject: (ctx: ObjectContext, input: { id: string; decision: { by: string; reason?: string } }) =>
        refusing(decisionProblem('reject', input?.id, input?.decision)) ?? decide(input.id, input.decision.by, 'rejected', input.decision.reason, (desk) => desk.approvals.reject(input.id, input.decision))(ctx),
      resolve: (ctx: ObjectContext, input: { id: string; resolution: EscalationResolution }) =>
        refusing(resolutionProblem(input?.id, input?.resolution)) ?? act(({ desk }) => desk.escalations.resolve(input.id, input.resolution))(ctx),
      spent: handlers.object.shared(INTERNAL, async (ctx: ObjectSharedContext, task: Task): Promise<number> => {
        const root = await ctx.get<StoredTask>(CASE_KEYS.task + task.rootId);
        return root?.book?.costs[accountOf(task)] ?? 0;
      }),
    },
  });
}

/**
 * Restate orders messages per sender only: the entry agent's settlement may arrive before another
 * agent's report about an approval or escalation of the same task. The books finish once none is
 * left open (or, failing that, after a short wait), so the outcome lists each as it ended.
 */
async function finishWhenComplete(ctx: ObjectContext, layout: RestateLayout, opened: Open, force: boolean): Promise<void> {
  const { ledger } = opened.books;
  const settling = opened.settled.value ?? (await ctx.get<Settling>(SETTLING)) ?? undefined;
  if (settling === undefined) return;
  const open = ledger.pendingApprovals().length > 0 || ledger.activeEscalations().length > 0;
  if (force || !open) {
    ledger.finish(settling.task, settling.settlement, opened.now);
    ctx.clear(SETTLING);
  } else if (opened.settled.value !== undefined) {
    ctx.set(SETTLING, settling);
    sendTo(ctx, layout.case, 'settleNow', null, ctx.key, LATE_REPORTS_MS);
  }
}

/** Whether `report` is the requester's echo of a decision recorded when it was made (taken, or refused: then it is taken back). */
async function echo(ctx: ObjectContext, opened: Open, report: AgentReport): Promise<boolean> {
  if (report.type !== 'approval.decision' && report.type !== 'approval.refused' && report.type !== 'approval.settled') return false;
  const key = CASE_KEYS.sent + report.approvalId;
  const sent = await ctx.get<string[]>(key);
  if (sent === null) return false;
  if (report.type === 'approval.settled') {
    ctx.clear(key);
    return false;
  }
  const by = report.type === 'approval.decision' ? report.decision.by : report.by;
  if (!sent.includes(by)) return false;
  const left = sent.filter((who) => who !== by);
  if (left.length === 0) ctx.clear(key);
  else ctx.set(key, left);
  if (report.type === 'approval.refused') opened.books.withdrawDecision(report.approvalId, by);
  return report.type === 'approval.decision';
}

/** A refusal at the door as the answer (a promise, as the handler's), or undefined to go on. */
function refusing(problem: EchelonError | undefined): Promise<Answer> | undefined {
  return problem === undefined ? undefined : Promise.resolve({ ok: false, error: taskErrorFromUnknown(problem, 'invalid_option') });
}

/** Runs a desk act; a refusal becomes the answer, as the in-process desk throws it. */
function attempt(fn: () => void): Answer {
  try {
    fn();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof EchelonError)) throw error;
    return { ok: false, error: taskErrorFromUnknown(error, 'internal_error') };
  }
}
