/**
 * What must hold of live agents between any two messages, whatever happened before: the chart
 * rests where the held tasks say, the counters are the table's, every line points at records in
 * the right phase, the host holds exactly the executions, timers and decisions the records wait
 * on (and no claim for a task that is not executing), the reports hold exactly the tasks handed
 * to them, and no task is delivered twice — or lost. Checked as plain code, collecting what is
 * wrong (a few hundred `expect`s per step would dominate the run).
 */
import { isDeepStrictEqual } from 'node:util';
import type { AgentContext, AgentReport, AgentStateName, HeldTask, TaskPhase } from '../../src/index.js';
import type { LiveAgents } from './agent-live.js';
import type { Outside } from './agent-alphabet.js';
import { BOSS, KIDS, requestOf } from './agent-script.js';

type Problems = string[];

function same(problems: Problems, what: string, actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

const count = (records: readonly HeldTask[], ...phases: TaskPhase[]) => records.filter((record) => phases.includes(record.phase)).length;
const evaluating = (records: readonly HeldTask[]) => records.filter((record) => record.phase === 'deciding' && record.decision?.phase === 'evaluate').length;

/** Where an agent holding these tasks rests (the design's rule, restated): executing beats deciding beats waiting for approval. */
function restFor(records: readonly HeldTask[]): AgentStateName {
  if (count(records, 'running', 'backoff', 'queued') > 0) return 'executing';
  if (evaluating(records) > 0) return 'evaluatingEscalation';
  if (count(records, 'deciding') > 0) return 'delegating';
  if (count(records, 'parked') > 0) return 'awaitingApproval';
  return 'receiving';
}

const ids = (context: AgentContext, ...phases: TaskPhase[]) =>
  Object.entries(context.held)
    .filter(([, record]) => phases.includes(record.phase))
    .map(([id]) => id)
    .sort();

/** One agent's table against itself and against what its host holds for it. */
function agentInvariants(problems: Problems, live: LiveAgents, agentId: string, owed: readonly string[]): void {
  const say = (what: string, actual: unknown, expected: unknown) => same(problems, `${agentId} ${what}`, actual, expected);
  const snapshot = live.agent(agentId)!.getSnapshot();
  const { context } = snapshot;
  const records = Object.values(context.held);
  say('status', snapshot.status, 'active');
  say('current', context.current, null);
  say('state', snapshot.value, restFor(records));
  say('rest', context.rest, snapshot.value);
  for (const [id, record] of Object.entries(context.held)) say(`record ${id}`, record.task.id, id);
  say('counters', [context.running, context.deciding, context.evaluating, context.parked], [count(records, 'running', 'backoff'), count(records, 'deciding'), evaluating(records), count(records, 'parked')]);
  // Each line holds each task once, and exactly the tasks in its phase: none waits where nothing will take it.
  say('ready', [...context.ready].sort(), ids(context, 'received'));
  say('queue', [...context.queue].sort(), ids(context, 'queued'));
  say('ready once', new Set(context.ready).size, context.ready.length);
  say('queue once', new Set(context.queue).size, context.queue.length);
  say('approvals', Object.values(context.approvals).sort(), ids(context, 'parked'));
  say('escalations', Object.values(context.escalations).sort(), ids(context, 'escalated'));
  // No work waits while there is room for it: a free slot runs the queue, a free pipeline takes the next task.
  const { concurrency, decisionConcurrency } = live.settings;
  say('queued with a slot free', context.queue.length > 0 && context.running < concurrency(agentId), false);
  say('waiting with the pipeline free', context.ready.length > 0 && context.deciding < decisionConcurrency(agentId), false);
  say('over the bounds', context.running > concurrency(agentId) || context.deciding > decisionConcurrency(agentId), false);
  const beyond = records.filter((record) => (record.phase === 'running' || record.phase === 'backoff') && record.attempt! > record.policy!.retry.attempts);
  say('attempts beyond the policy', beyond.map((record) => `${record.task.id}#${record.attempt}`), []);
  say('negative loads', Object.values(context.load).filter((load) => load < 0), []);

  const mine = (keys: Iterable<string>) =>
    [...keys]
      .filter((key) => key.startsWith(`${agentId}/`))
      .map((key) => key.slice(agentId.length + 1))
      .sort();
  const executions = Object.fromEntries(mine(live.host.executions.keys()).map((id) => [id, live.host.executions.get(`${agentId}/${id}`)]));
  say('executions in flight', executions, Object.fromEntries(records.filter((record) => record.phase === 'running').map((record) => [record.task.id, record.attempt])));
  const timers = [
    ...ids(context, 'running', 'backoff').map((id) => `run:${id}`),
    ...records.filter((record) => record.phase === 'parked').map((record) => `apv:${record.approval!.request.id}`),
  ];
  say('timers armed', mine(live.host.timers.keys()), timers.sort());
  say('decisions awaited', mine(live.host.awaits.keys()), [...ids(context, 'deciding').map((id) => `dec:${id}`), ...owed.map((id) => `apr:${id}`)].sort());
  const executing = new Set(ids(context, 'queued', 'running', 'backoff', 'parked'));
  say('claims: exactly the tasks executing (queued, running, backing off, parked)', [...mine(live.host.claims)].sort(), [...executing].sort());
}

const tally = (reports: readonly AgentReport[], type: AgentReport['type'], by: (report: AgentReport) => string) => {
  const counts = new Map<string, number>();
  for (const report of reports) if (report.type === type) counts.set(by(report), (counts.get(by(report)) ?? 0) + 1);
  return counts;
};
const taskOf = (report: AgentReport) => ('task' in report ? (report.task?.id ?? '') : '');

/** What is wrong with the whole live system, given what the model says lies outside the manager. */
export function problems(live: LiveAgents, outside: Outside): Problems {
  const found: Problems = [];
  const say = (what: string, actual: unknown, expected: unknown) => same(found, what, actual, expected);
  const { reports } = live.host;
  say('faults', reports.filter((report) => report.type === 'agent.fault'), []);
  say('messages to nobody', live.host.lost, []);
  for (const agentId of [BOSS, ...KIDS]) agentInvariants(found, live, agentId, agentId === BOSS ? outside.owed.map((kind) => requestOf(kind).id) : []);

  // Every report is spawned, and holds exactly the tasks the manager handed it; the manager's load says so too.
  const boss = live.context(BOSS);
  for (const kid of KIDS) {
    const report = live.agent(kid) as (ReturnType<typeof live.agent> & { _parent?: unknown }) | undefined;
    say(`${kid} created, running, and reporting to its manager`, report !== undefined && report.getSnapshot().status === 'active' && report._parent === live.root, true);
    const away = Object.entries(outside.away)
      .filter(([, at]) => at.kid === kid)
      .map(([id]) => id)
      .sort();
    say(`${kid} holds`, Object.keys(live.context(kid).held).sort(), away);
    say(`load of ${kid}`, boss.load[kid] ?? 0, away.length);
  }

  // An approval expires for good only once it was asked up to the top (here: level 1, then 0).
  for (const report of reports) {
    if (report.type !== 'approval.settled' || report.status !== 'expired') continue;
    const levels = reports.flatMap((asked) => (asked.type === 'approval.requested' && asked.approval.id === report.approvalId ? [asked.approval.requiredLevel] : []));
    say(`levels ${report.approvalId} was asked at`, levels, [1, 0]);
  }

  // A join that has decided asked for every subtask it still waits for to be cancelled.
  const named = new Set(reports.flatMap((report) => (report.type === 'tasks.cancel' ? report.taskIds : [])));
  for (const record of Object.values(boss.held)) {
    if (record.join?.decided === undefined) continue;
    say(`${record.task.id} waits for`, record.join.parts.filter((part) => part.settlement === undefined && !named.has(part.taskId)).map((part) => part.taskId), []);
  }

  // Nothing is delivered twice, nor ended twice at one agent...
  for (const type of ['task.settled', 'subtask.settled'] as const) for (const [id, times] of tally(reports, type, taskOf)) say(`${type} ${id}`, times, 1);
  for (const [id, times] of tally(reports, 'task.ended', (report) => `${(report as { agent: string }).agent}/${taskOf(report)}`)) say(`task.ended ${id}`, times, 1);
  // ...and nothing is lost: every task given to the manager that it holds no more, nor any report, was delivered once.
  const settled = tally(reports, 'task.settled', taskOf);
  for (const kind of outside.used) if (boss.held[kind] === undefined && outside.away[kind] === undefined) say(`${kind} delivered`, settled.get(kind), 1);
  return found;
}
