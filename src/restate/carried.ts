/**
 * Reports that ride up with a result. A turn whose only message about a submitted task is a task's
 * result, sent to the agent above, and whose reports about that submitted task are all about the
 * same task, hands those reports to the agent above instead of filing them with the case. That
 * agent files them before its own, or hands them on with its own result about the task. The entry
 * agent, which settles the task, files them all in one call. That saves one case invocation per
 * hop up, and the books hear the task end and settle in order, in one call.
 *
 * The sender has let the task go, so no later report of its own about that task can overtake the
 * ones riding up. Reports about anything else (another task, an approval, an escalation) are filed
 * at once, as before. Its earlier reports about the task went to the case directly and may still
 * reach it after these: Restate orders sends per sender and target, and the case's books already
 * take reports in the order they come (as they do from different agents).
 *
 * A report rides without what it shares with the result it rides on: its task, when that is the
 * result's task, and then its settlement, when that is the result's settlement (the worker's
 * `task.ended` repeats both, and a model's prompt and answer would be journaled twice at every hop
 * up). The receiver puts them back from the result.
 *
 * Every process of an organisation must run the same echelon: one from before this file would not
 * file the reports riding on a result it receives (README, "Upgrading an organisation on Restate").
 */
import type { AgentEvent } from '../../machines/agent.machine.js';
import type { AgentReport, Effect } from '../../machines/ports.js';
import type { AgentMessage, Settlement, Task } from '../types.js';

/** A message as the agent object receives it: maybe with the sender's reports riding on it. */
export type Carrying = AgentEvent & { readonly carriedReports?: readonly AgentReport[] };

type Result = Extract<AgentMessage, { type: 'task.completed' | 'task.failed' }>;
type Send = Extract<Effect, { type: 'send' }>;

const isResult = (event: AgentEvent): event is Result => event.type === 'task.completed' || event.type === 'task.failed';
const isAbout = (report: AgentReport, task: Task) => 'task' in report && report.task?.id === task.id;
/** The reports about a task (a riding one leaves it out when it is its result's), and those of them that carry a settlement (likewise). */
const TASKED: Readonly<Record<Extract<AgentReport, { readonly task: Task }>['type'] | 'agent.fault', true>> = {
  'task.delegated': true, 'task.queued': true, 'task.started': true, 'task.retrying': true, 'task.deferred': true, 'task.ended': true,
  'task.decomposed': true, 'subtask.settled': true, 'task.settled': true, 'agent.fault': true,
};
const SETTLED: Readonly<Record<Extract<AgentReport, { readonly settlement: Settlement; readonly task: Task }>['type'], true>> = { 'task.ended': true, 'subtask.settled': true, 'task.settled': true };
/** A report as it may ride on a result about `task`: about that task, or of a kind about a task and written without it. */
const mayRide = (report: unknown, task: Task): report is AgentReport =>
  typeof report === 'object' && report !== null && ('task' in report ? isAbout(report as AgentReport, task) : Object.hasOwn(TASKED, String((report as { type?: unknown }).type)));

/** What the agent object takes from a message: the event, the reports riding on it, and whether some were refused. */
export interface Unpacked {
  readonly event: AgentEvent;
  readonly carried?: { readonly root: string; readonly reports: readonly AgentReport[] };
  /** Reports that came with the message but not as an agent sends them (not on a result, not a list, not all about its task): not filed. */
  readonly refused?: true;
}

/** The message, and the reports riding on it with the submitted task they belong to. */
export function unpack(input: Carrying): Unpacked {
  if (input.carriedReports === undefined) return { event: input };
  const { carriedReports, ...rest } = input;
  const event = rest as AgentEvent;
  // An agent hands reports up only on a result, and only reports about the result's task (written without it); anything else came from elsewhere.
  if (!isResult(event) || !Array.isArray(carriedReports) || !carriedReports.every((report: unknown) => mayRide(report, event.task))) {
    return { event, refused: true };
  }
  return { event, carried: { root: event.task.rootId, reports: carriedReports.map((report: AgentReport) => restored(report, event)) } };
}

/** A report as it rides on `result`: without the task and settlement that are the result's own. */
function riding(report: AgentReport, result: Result): AgentReport {
  if (!('task' in report) || report.task !== result.task) return report;
  const { task: _task, ...rest } = report;
  if (!('settlement' in rest) || rest.settlement !== result.settlement) return rest as AgentReport;
  const { settlement: _settlement, ...bare } = rest;
  return bare as AgentReport;
}

/** A riding report with what it left out put back from the result it rode on. */
function restored(report: AgentReport, result: Result): AgentReport {
  if ('task' in report) return report;
  const settled = Object.hasOwn(SETTLED, report.type) && !('settlement' in report);
  return { ...report, task: result.task, ...(settled ? { settlement: result.settlement } : {}) } as AgentReport;
}

/** The submitted task a message is about, when it names one. */
function rootOfMessage(message: AgentMessage): string | undefined {
  switch (message.type) {
    case 'task.assign':
    case 'task.completed':
    case 'task.failed':
      return message.task.rootId;
    case 'escalation.raised':
      return message.escalation.task.rootId;
    case 'approval.requested':
      return message.approval.rootId;
    default:
      return undefined;
  }
}

/**
 * The send that carries `reports` (about submitted task `root`) up, if one may: the turn's only
 * message about `root` or naming no submitted task is a result, to another agent, and every report
 * is about that result's task.
 */
export function carrierOf(effects: readonly Effect[], root: string, reports: readonly AgentReport[], agentId: string): Send | undefined {
  let carrier: Send | undefined;
  for (const effect of effects) {
    if (effect.type !== 'send') continue;
    const about = rootOfMessage(effect.message);
    if (about !== undefined && about !== root) continue;
    if (carrier !== undefined || !isResult(effect.message) || effect.to === agentId) return undefined;
    carrier = effect;
  }
  if (carrier === undefined) return undefined;
  const { task } = carrier.message as Result;
  return reports.every((report) => isAbout(report, task)) ? carrier : undefined;
}

/** The message with reports riding on it (each without what it shares with the message, when that is a result). */
export function withReports(message: AgentMessage, reports: readonly AgentReport[] | undefined): AgentMessage | Carrying {
  if (reports === undefined) return message;
  return { ...message, carriedReports: isResult(message) ? reports.map((report) => riding(report, message)) : reports };
}
