/**
 * The pipeline every task goes through at every agent: admitted (`received`), evaluated by the
 * escalation policy (`evaluatingEscalation`), routed by the strategy or split by a decomposer
 * (`delegating`), and the decided step applied — hand it to a child, execute it, park it for
 * approval, escalate, split, defer or fail it. A decision answered with a promise parks the task
 * in `deciding` and the agent goes on; its answer brings the task back through the same state.
 */
import { isThenable } from '../../src/thenable.js';
import { taskErrorFromUnknown, type EchelonErrorCode } from '../../src/errors.js';
import type { Task } from '../../src/types.js';
import type { HeldTask } from '../agent.types.js';
import type { Answer, Job, Step } from '../ports.js';
import { accept } from './execution.js';
import { park } from './approval.js';
import { escalate } from './escalation.js';
import { deliver, end } from './delivery.js';
import { claim, control, failure, hold, move, report, send, settledCancelled, token, type Turn } from './turn.js';
import { enlist, table } from './tables.js';


const jobOf = (record: HeldTask): Job => ({ task: record.task, mode: record.mode, to: record.to });

/** The code a failed decision fails its task with: the escalation policy's, or the strategy's or decomposer's. */
const decisionCode = (t: Turn, phase: 'evaluate' | 'select', job: Job): EchelonErrorCode => (phase === 'evaluate' ? 'policy_error' : t.ports.policy.failureCode(t.me, job));

/** A task arrives: held as `received`, in the pipeline now or, when decisions are all taken, next in line. */
export function admit(t: Turn, task: Task, mode: HeldTask['mode'], to?: string): void {
  const { ctx } = t;
  if (refusedAsHeld(t, task)) return;
  const record: HeldTask = { task, phase: 'received', mode, to };
  // Its cancellation may have overtaken it on its way here: end it before deciding anything.
  const cancelled = ctx.cancelled[task.id];
  if (cancelled !== undefined) {
    delete ctx.cancelled[task.id];
    end(t, record, settledCancelled(t.me, cancelled === '' ? undefined : cancelled));
    return;
  }
  if (ctx.current === null && ctx.deciding < t.ports.settings.decisionConcurrency(t.me)) {
    ctx.current = record;
  } else {
    hold(t, record);
    enlist(ctx, 'ready', task.id);
  }
}

/**
 * Whether a task under `task.id` is held here already, and so this second one is refused: the
 * table has one record per id, and taking the second in would lose the first (its caller would wait
 * for ever). The first goes on. The refusal is a fault naming no task (so it fails neither), and a
 * second one handed down by a manager goes back up failed with `duplicate_task`, carrying its own
 * chain and origin (the part of a split whose subtask id met a task held here fails, and its join
 * goes on). Both built-in hosts refuse an active id at their door; this is the last line, for a
 * host of one's own that did not, or a subtask id that met a task of another submission's.
 */
export function refusedAsHeld(t: Turn, task: Task): boolean {
  const { me } = t;
  if (!holds(t, task.id)) return false;
  const error = { code: 'duplicate_task', message: `${me} already holds a task ${task.id}: a second task under that id was refused.` } as const;
  report(t, { type: 'agent.fault', agent: me, error });
  if (task.chain.indexOf(me) > 0) deliver(t, task, { status: 'failed', error, attempts: 0 });
  return true;
}

/** Whether this agent holds a task under `taskId`: in its table, or in its pipeline now. */
const holds = (t: Turn, taskId: string): boolean => t.ctx.held[taskId] !== undefined || t.ctx.current?.task.id === taskId;

/** Takes the oldest task waiting for the pipeline. */
export function takeReady(t: Turn): void {
  const { ctx } = t;
  for (let id = ctx.ready.shift(); id !== undefined; id = ctx.ready.shift()) {
    const record = ctx.held[id];
    if (record?.phase === 'received') {
      ctx.current = record;
      return;
    }
  }
}

/** Whether the pipeline can take a waiting task now. */
export function canTakeReady(ctx: Turn['ctx'], ports: Turn['ports']): boolean {
  return ctx.ready.length > 0 && ctx.current === null && ctx.deciding < ports.settings.decisionConcurrency(ctx.agentId);
}

/** `evaluatingEscalation`: the policy decides; a `delegate` verdict keeps the task for `delegating`. */
export function evaluate(t: Turn): void {
  decide(t, 'evaluate');
}

/** `delegating`: the strategy (or a decomposer) picks a child; the step is applied. */
export function select(t: Turn): void {
  decide(t, 'select');
}

function decide(t: Turn, phase: 'evaluate' | 'select'): void {
  const { ctx } = t;
  const record = ctx.current;
  if (record === null || record.phase !== 'received') {
    ctx.current = null;
    return;
  }
  let step: Step;
  if (record.answer !== undefined && record.answer.phase === phase) {
    step = record.answer.step;
    record.answer = undefined;
  } else {
    const job = jobOf(record);
    // Only a strategy or decomposer gets a control (a signal, a cost meter); an escalation policy's pending answer gets one to abort.
    const meter = phase === 'select' ? control(t, record.task) : undefined;
    const code = decisionCode(t, phase, job);
    let answer: Answer<Step>;
    try {
      answer = meter === undefined ? t.ports.policy.evaluate(t.me, job, ctx.load) : t.ports.policy.select(t.me, job, record.candidates ?? [], meter);
    } catch (error) {
      answer = { kind: 'fail', error: taskErrorFromUnknown(error, code) };
    }
    if (isThenable(answer)) {
      wait(t, record, phase, Promise.resolve(answer), meter ?? control(t, record.task), code); // a host may use all of a promise (catch, finally), not only then
      return;
    }
    step = answer;
  }
  if (step.job !== undefined) {
    record.task = step.job.task;
    record.mode = step.job.mode;
  }
  if (phase === 'evaluate' && step.kind === 'delegate') {
    record.candidates = step.candidates;
    return; // on to `delegating`, with the task still current
  }
  ctx.current = null;
  record.candidates = undefined;
  apply(t, record, step);
}

/** A decision answered with a promise: the task waits in `deciding`, the agent goes on. */
function wait(t: Turn, record: HeldTask, phase: 'evaluate' | 'select', promise: Promise<unknown>, meter: ReturnType<typeof control>, code: EchelonErrorCode): void {
  const taskId = record.task.id;
  const tag = token(t);
  // The candidates are not kept: an answer carries its step, and a decision asked again is evaluated afresh.
  record.decision = { phase, token: tag };
  record.candidates = undefined;
  move(t, record, 'ask');
  t.ctx.current = null;
  t.effects.push({
    type: 'await',
    key: `dec:${taskId}`,
    promise,
    timeoutMs: t.ports.settings.decisionTimeoutMs(t.me),
    abort: () => meter.abort(),
    answer: (value) => ({ type: 'echelon.decided', taskId, token: tag, phase, step: value as Step }),
    fail: (error) => ({ type: 'echelon.decided', taskId, token: tag, phase, step: { kind: 'fail', error: taskErrorFromUnknown(error, code) } }),
    again: () => ({ type: 'echelon.redecide', taskId, token: tag }),
  });
}

/** A task whose decision was pending goes back into the pipeline, to be decided again (after a restore, or when its host lost the decision). */
export function decideAgain(t: Turn, record: HeldTask): void {
  move(t, record, 'answer');
  record.decision = undefined;
  enlist(t.ctx, 'ready', record.task.id);
}

/**
 * How many times a task's decision is asked again because its host lost it before the task fails
 * with the decision's error: a host that keeps losing it (a process in a crash loop, replicas of a
 * unit) must not call a model for ever.
 */
export const MAX_REASKS = 3;

/** The host lost the decision a task awaited: it is decided again, unless a newer one (or none) is awaited now, or it was lost too often. */
export function redecide(t: Turn, event: { readonly taskId: string; readonly token: number }): void {
  // Only a deciding task has a decision (its token), so a stale or unknown notice matches none.
  const record = t.ctx.held[event.taskId];
  if (record?.decision?.token !== event.token) return;
  const asked = (record.reasked ?? 0) + 1;
  if (asked <= MAX_REASKS) {
    record.reasked = asked;
    decideAgain(t, record);
    return;
  }
  const message = `${t.me} lost the decision on task ${record.task.id} ${asked} times (the process holding it restarted each time) and gave up asking again.`;
  end(t, record, failure({ code: decisionCode(t, record.decision.phase, jobOf(record)), message }));
}

/** An awaited decision answered: its task goes back into the pipeline with the answer (a stale answer is ignored). */
export function resume(t: Turn, event: { readonly taskId: string; readonly token: number; readonly phase: 'evaluate' | 'select'; readonly step: Step }): void {
  const record = t.ctx.held[event.taskId];
  if (record?.decision?.token !== event.token) return;
  move(t, record, 'answer');
  record.decision = undefined;
  record.answer = { phase: event.phase, step: event.step };
  t.ctx.current = record;
}

/** Carries out a decided step for a task in the pipeline. */
export function apply(t: Turn, record: HeldTask, step: Step): void {
  const { task } = record;
  // A deferred task whose resources are free takes them now, in the same step that routes it,
  // so nobody grabs them between here and the agent that will execute it.
  if (record.mode === 'defer' && step.kind !== 'defer') claim(t, task);
  switch (step.kind) {
    case 'assign': {
      const handed: Task = { ...task, chain: [...task.chain, step.childId] };
      table(t.ctx, 'load')[step.childId] = (t.ctx.load[step.childId] ?? 0) + 1;
      move(t, record, 'leave');
      send(t, step.childId, { type: 'task.assign', task: handed });
      report(t, { type: 'task.delegated', task: handed, from: t.me, to: step.childId });
      return;
    }
    case 'execute':
      if (step.approval === undefined) accept(t, record);
      else park(t, record, step.approval);
      return;
    case 'escalate':
      escalate(t, record, step);
      return;
    case 'fanout':
      split(t, record, step);
      return;
    case 'defer':
      move(t, record, 'defer');
      record.resources = step.resources;
      report(t, { type: 'task.deferred', task, agent: t.me, resources: step.resources });
      return;
    case 'fail':
      end(t, record, { status: step.status ?? 'failed', error: step.error, attempts: step.attempts ?? 0, ...(step.executedBy === undefined ? {} : { executedBy: step.executedBy }) });
      return;
    case 'delegate':
      end(t, record, { status: 'failed', error: { code: 'strategy_error', message: `${t.me} reached the end of delegating "${task.type}" without a decision.` }, attempts: 0 });
      return;
  }
}

/** Splits a task: its subtasks enter this agent's pipeline, and it waits in `split` for them to join. */
function split(t: Turn, record: HeldTask, step: Extract<Step, { kind: 'fanout' }>): void {
  const { task } = record;
  // Asked in the turn the split is made, so no task can take one of its ids in between.
  const clash = step.subtasks.find((part) => holds(t, part.task.id) || t.ports.host.isActive?.(part.task.id) === true);
  if (clash !== undefined) {
    // Holding it would replace the task already held under that id (here, or in the host's books), and the join would wait for ever.
    const message = `${t.me} cannot split ${task.id} into a subtask ${clash.task.id}: a task under that id is active. Give the part another key.`;
    end(t, record, { status: 'failed', error: { code: 'duplicate_task', message, details: { taskId: task.id, subtaskId: clash.task.id } }, attempts: 0 });
    return;
  }
  move(t, record, 'split');
  record.join = {
    task,
    policy: step.join,
    onFailure: step.onFailure,
    parts: step.subtasks.map((part) => ({
      key: part.task.origin.kind === 'subtask' ? part.task.origin.key : part.task.id,
      taskId: part.task.id,
      type: part.task.type,
      chain: part.task.chain,
    })),
  };
  report(t, { type: 'task.decomposed', task, agent: t.me, subtasks: step.subtasks.map((part) => part.task) });
  for (const part of step.subtasks) {
    hold(t, { task: part.task, phase: 'received', mode: 'route', to: part.to });
    enlist(t.ctx, 'ready', part.task.id);
  }
}

/** Resources this agent waited for were released: its deferred tasks are decided again. */
export function wake(t: Turn): void {
  for (const id in t.ctx.held) {
    const record = t.ctx.held[id]!;
    if (record.phase !== 'deferred') continue;
    move(t, record, 'wake');
    record.resources = undefined;
    enlist(t.ctx, 'ready', id);
  }
}
