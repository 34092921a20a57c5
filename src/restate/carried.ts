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
 * Every process of an organisation must run the same echelon: one from before this file would not
 * file the reports riding on a result it receives (README, "Upgrading an organisation on Restate").
 */
import type { AgentEvent } from '../../machines/agent.machine.js';
import type { AgentReport, Effect } from '../../machines/ports.js';
import type { AgentMessage, Task } from '../types.js';

/** A message as the agent object receives it: maybe with the sender's reports riding on it. */
export type Carrying = AgentEvent & { readonly carriedReports?: readonly AgentReport[] };

type Result = Extract<AgentMessage, { type: 'task.completed' | 'task.failed' }>;
type Send = Extract<Effect, { type: 'send' }>;

const isResult = (event: AgentEvent): event is Result => event.type === 'task.completed' || event.type === 'task.failed';
const isAbout = (report: AgentReport, task: Task) => 'task' in report && report.task?.id === task.id;

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
  // An agent hands reports up only on a result, and only reports about the result's task; anything else came from elsewhere (the ingress is open to callers).
  if (!isResult(event) || !Array.isArray(carriedReports) || !carriedReports.every((report: unknown) => typeof report === 'object' && report !== null && isAbout(report as AgentReport, event.task))) {
    return { event, refused: true };
  }
  return { event, carried: { root: event.task.rootId, reports: carriedReports } };
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

/** The message with reports riding on it. */
export function withReports(message: AgentMessage, reports: readonly AgentReport[] | undefined): AgentMessage | Carrying {
  return reports === undefined ? message : { ...message, carriedReports: reports };
}
