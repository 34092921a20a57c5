/**
 * The model of one manager agent, for model-based tests: the agent statechart itself, made pure.
 * Handlers change the context in place, so each step runs the machine on a deep copy of the
 * snapshot's context, with actions executed as they come (XState's pure `transition` defers
 * them) and a host that only records. The alphabet is abstract — "the running attempt of task X
 * succeeds", "a person grants X's approval" — and made concrete from the context (attempts,
 * tokens, approval and escalation ids), by the model here and by the live system from its own.
 *
 * Besides the agent, the model tracks what lies outside it: which kinds were assigned (each at
 * most once, so the space is finite) and which tasks are with a report.
 */
import { createEmptyActor, type Snapshot } from 'xstate';
import { TestModel } from 'xstate/graph';
import { createAgentMachine, emptyContext, taskErrorFromUnknown, type AgentContext, type AgentEvent, type AgentStateName, type Effect, type HeldTask, type HostPort, type Settlement, type Task } from '../../src/index.js';
import { ANSWERS, BOSS, decisionTimeout, KINDS, PERSON, POLICY, RESOURCE, SETTINGS, topTask, type Kind } from './agent-script.js';

/** At most this many tasks are assigned to the manager on any path. */
export const MAX_TASKS = 3;

export interface Outside {
  readonly used: readonly Kind[];
  /** Tasks handed to a report and not back: id → the report and the task as handed. */
  readonly away: Readonly<Record<string, { readonly kid: string; readonly task: Task }>>;
}
export type ModelContext = AgentContext & { readonly outside: Outside };
export type ModelSnapshot = Snapshot<unknown> & {
  readonly value: AgentStateName;
  readonly context: ModelContext;
};

/** What executions answer. */
export type ResultKind = 'ok' | 'error' | 'escalate' | 'requeue' | 'approval';
export const RESULTS: readonly ResultKind[] = ['ok', 'error', 'escalate', 'requeue', 'approval'];

/** Which kinds of task, and which execution results, a model explores. */
export interface Alphabet {
  readonly kinds: readonly Kind[];
  readonly results: readonly ResultKind[];
}

/** The moves. */
export type Move =
  | { readonly type: 'assign'; readonly kind: Kind }
  | { readonly type: 'result'; readonly taskId: string; readonly result: ResultKind }
  /** The result of an attempt that was already replaced by a newer one. */
  | { readonly type: 'stale'; readonly taskId: string }
  | { readonly type: 'timer'; readonly taskId: string; readonly what: 'attempt' | 'backoff' | 'approval' }
  | { readonly type: 'answer'; readonly taskId: string }
  /** The awaited decision timed out. */
  | { readonly type: 'late'; readonly taskId: string }
  | { readonly type: 'grant'; readonly taskId: string; readonly by: string }
  | { readonly type: 'deny'; readonly taskId: string }
  | { readonly type: 'resolve'; readonly taskId: string }
  | { readonly type: 'release' }
  | { readonly type: 'cancel'; readonly taskId: string }
  /** The report holding the task finishes it. */
  | { readonly type: 'child'; readonly taskId: string; readonly ok: boolean };

export function executionResult(result: ResultKind, taskId: string) {
  switch (result) {
    case 'ok':
      return { kind: 'ok', value: `${taskId} done` } as const;
    case 'error':
      return { kind: 'error', error: { code: 'executor_error', message: 'boom' }, retryable: true } as const;
    case 'escalate':
      return { kind: 'escalate', reason: 'beyond_capability', message: 'too hard' } as const;
    case 'requeue':
      return { kind: 'escalate', reason: 'resource_conflict', message: 'busy' } as const;
    case 'approval':
      return { kind: 'approval', requirement: {} } as const;
  }
}

/** What a report's settlement of a task it executed is (it runs once; a failure is not retried). */
export function childSettlement(kid: string, taskId: string, ok: boolean): Settlement {
  return ok
    ? { status: 'completed', result: `${taskId} done`, executedBy: kid, attempts: 1 }
    : { status: 'failed', error: { code: 'executor_error', message: 'boom' }, executedBy: kid, attempts: 1 };
}

/** The moves that make sense now: a new task while fewer than three were given, and an answer to whatever is pending. */
export function movesFor(context: ModelContext, alphabet: Alphabet = { kinds: KINDS, results: RESULTS }): Move[] {
  const moves: Move[] = [];
  const { used, away } = context.outside;
  // The kinds arrive in the scenario's order, each once, at any point between the other moves.
  const next = alphabet.kinds[used.length];
  if (next !== undefined) moves.push({ type: 'assign', kind: next });
  let deferred = false;
  for (const [taskId, record] of Object.entries(context.held)) {
    switch (record.phase) {
      case 'running':
        for (const result of alphabet.results) moves.push({ type: 'result', taskId, result });
        if (record.attempt! > 1) moves.push({ type: 'stale', taskId });
        moves.push({ type: 'timer', taskId, what: 'attempt' });
        break;
      case 'backoff':
        moves.push({ type: 'timer', taskId, what: 'backoff' });
        break;
      case 'deciding':
        moves.push({ type: 'answer', taskId }, { type: 'late', taskId });
        break;
      case 'parked':
        moves.push({ type: 'grant', taskId, by: PERSON }, { type: 'grant', taskId, by: 'kid1' }, { type: 'deny', taskId }, { type: 'timer', taskId, what: 'approval' });
        break;
      case 'escalated':
        moves.push({ type: 'resolve', taskId });
        break;
      case 'deferred':
        deferred = true;
        break;
      default:
        break;
    }
    moves.push({ type: 'cancel', taskId });
  }
  if (deferred) moves.push({ type: 'release' });
  for (const taskId of Object.keys(away)) moves.push({ type: 'child', taskId, ok: true }, { type: 'child', taskId, ok: false }, { type: 'cancel', taskId });
  return moves;
}

/** The event a move is, at an agent in `context` (the model's reading; the live system reads its host). */
export function eventOf(move: Move, context: ModelContext): AgentEvent {
  const record = 'taskId' in move ? context.held[move.taskId] : undefined;
  switch (move.type) {
    case 'assign':
      return { type: 'task.assign', task: topTask(move.kind) };
    case 'result':
      return { type: 'echelon.executed', taskId: move.taskId, attempt: record!.attempt!, result: executionResult(move.result, move.taskId) };
    case 'stale':
      return { type: 'echelon.executed', taskId: move.taskId, attempt: record!.attempt! - 1, result: executionResult('ok', move.taskId) };
    case 'timer':
      return { type: 'echelon.timer', taskId: move.taskId, token: record!.attempt!, what: move.what };
    case 'answer':
    case 'late': {
      const { phase, token } = record!.decision!;
      const code = phase === 'evaluate' ? 'policy_error' : 'strategy_error';
      const step = move.type === 'answer' ? ANSWERS[move.taskId]! : { kind: 'fail' as const, error: taskErrorFromUnknown(decisionTimeout(BOSS), code) };
      return { type: 'echelon.decided', taskId: move.taskId, token, phase, step };
    }
    case 'grant':
      return { type: 'approval.granted', approvalId: record!.approval!.request.id, by: move.by };
    case 'deny':
      return { type: 'approval.denied', approvalId: record!.approval!.request.id, by: PERSON, reason: 'no' };
    case 'resolve':
      return resolution(record!);
    case 'release':
      return { type: 'echelon.released', resources: [RESOURCE] };
    case 'cancel':
      return { type: 'task.cancel', taskId: move.taskId, reason: 'the test cancels it' };
    case 'child': {
      const { kid, task } = context.outside.away[move.taskId]!;
      return { type: move.ok ? 'task.completed' : 'task.failed', task, settlement: childSettlement(kid, move.taskId, move.ok) };
    }
  }
}

/** A person resolves the escalation a task waits for. */
export function resolution(record: HeldTask): AgentEvent {
  return { type: 'escalation.resolved', escalationId: record.escalationId!, resolvedBy: PERSON, settlement: { status: 'completed', result: 'decided', attempts: 0 } };
}

/** A host that records, with ids counting up from the last reset. */
export function recordingHost(effects: Effect[][]): HostPort & { reset(): void } {
  let ids = 0;
  return {
    reset: () => void (ids = 0),
    perform: (_agentId, batch) => void effects.push([...batch]),
    now: () => 0,
    random: () => 0.5,
    newId: (prefix) => `${prefix}_${++ids}`,
    charge: () => undefined,
  };
}

/** The manager's model. Its `initial` resets the ids it hands out: a model stepped from there keeps them in step with a fresh live agent's. */
export function agentModel() {
  const performed: Effect[][] = [];
  const host = recordingHost(performed);
  const machine = createAgentMachine({ policy: POLICY, settings: SETTINGS, host });
  const self = createEmptyActor();
  // Runs every action as it comes, as a live actor does: the handlers' changes are what the guards read.
  const scope = {
    self,
    id: '',
    sessionId: 'model',
    logger: () => undefined,
    defer: () => undefined,
    system: self.system,
    stopChild: () => undefined,
    emit: () => undefined,
    actionExecutor: (action: { exec?: (info: unknown, params: unknown) => void; info: unknown; params: unknown }) => action.exec?.(action.info, action.params),
  } as unknown as Parameters<typeof machine.transition>[2];

  const initial = (): ModelSnapshot => {
    host.reset();
    return machine.resolveState({ value: 'receiving', context: { ...emptyContext(BOSS), outside: { used: [], away: {} } } as ModelContext }) as unknown as ModelSnapshot;
  };

  /**
   * One move from `snapshot`, which stays as it was: the next snapshot, and the effects the agent
   * asked for. Tasks the agent asks to have cancelled (a join's losers) are cancelled where they
   * are, as the orchestrator does: here, or at the report holding them, whose answer comes back.
   */
  const step = (snapshot: ModelSnapshot, move: Move): { snapshot: ModelSnapshot; effects: Effect[] } => {
    const context = structuredClone(snapshot.context);
    const used = move.type === 'assign' ? [...context.outside.used, move.kind] : context.outside.used;
    const away = { ...context.outside.away };
    const effects: Effect[] = [];
    // As the host delivers: the agent's mailbox, and the outbox that is drained after each message it handles.
    const mailbox: AgentEvent[] = [eventOf(move, context)];
    const outbox: Array<{ readonly cancel: string; readonly reason: string } | { readonly reply: AgentEvent }> = [];
    if (move.type === 'child') delete away[move.taskId];
    let next = machine.resolveState({ value: snapshot.value, context }) as unknown as ModelSnapshot;
    const drain = () => {
      for (let item = outbox.shift(); item !== undefined; item = outbox.shift()) {
        if ('reply' in item) mailbox.push(item.reply);
        else if (next.context.held[item.cancel] !== undefined) mailbox.push({ type: 'task.cancel', taskId: item.cancel, reason: item.reason });
        else if (away[item.cancel] !== undefined) {
          // The report holding it cancels it at once; its answer goes back through the outbox.
          const { kid, task } = away[item.cancel]!;
          delete away[item.cancel];
          outbox.push({ reply: { type: 'task.failed', task, settlement: { status: 'cancelled', error: { code: 'cancelled', message: `Cancelled at ${kid}: ${item.reason}` }, attempts: 0 } } });
        }
      }
    };
    for (let event = mailbox.shift(); event !== undefined; event = mailbox.shift()) {
      performed.length = 0;
      next = machine.transition(next as never, event, scope) as unknown as ModelSnapshot;
      for (const effect of performed.flat()) {
        effects.push(effect);
        if (effect.type === 'send' && effect.message.type === 'task.assign') away[effect.message.task.id] = { kid: effect.to, task: effect.message.task };
        if (effect.type === 'report' && effect.report.type === 'tasks.cancel') for (const taskId of effect.report.taskIds) outbox.push({ cancel: taskId, reason: effect.report.reason });
      }
      drain();
    }
    (next.context as { outside: Outside }).outside = { used, away };
    return { snapshot: next, effects };
  };
  return { initial, step };
}

/** How a held task stands, as far as what happens next depends on it. */
function standing(record: HeldTask): string {
  switch (record.phase) {
    case 'running':
    case 'backoff':
      return `${record.phase}#${record.attempt}`;
    case 'parked':
      return `parked@${record.approval!.request.requiredLevel}`;
    case 'deciding':
      return `deciding:${record.decision!.phase}`;
    case 'split':
      return `split[${record.join!.parts.map((part) => part.settlement?.status ?? '-').join(',')}]`;
    default:
      return record.phase;
  }
}

/** The agent as the model and the live agent must agree on: its state, its held tasks, its lines. */
export function summary(snapshot: { readonly value: unknown; readonly context: AgentContext }) {
  const { context } = snapshot;
  return {
    state: snapshot.value,
    held: Object.fromEntries(Object.entries(context.held).map(([id, record]) => [id, standing(record)]).sort()),
    ready: [...context.ready],
    queue: [...context.queue],
    current: context.current?.task.id ?? null,
  };
}

/** The model state: the agent's summary and what lies outside it. */
export function stateKey(snapshot: ModelSnapshot): string {
  const { used, away } = snapshot.context.outside;
  return JSON.stringify({ ...summary(snapshot), away: Object.entries(away).map(([id, { kid }]) => `${id}@${kid}`).sort(), used: [...used].sort() });
}

/** The test model explored by xstate/graph over the pure agent. */
export function explorationModel(alphabet?: Alphabet) {
  const { initial, step } = agentModel();
  const logic = {
    transition: (snapshot: ModelSnapshot, move: Move) => step(snapshot, move).snapshot,
    getInitialSnapshot: () => initial(),
  };
  return new TestModel(logic as never, {
    events: (snapshot: ModelSnapshot) => movesFor(snapshot.context, alphabet),
    serializeState: (snapshot: ModelSnapshot) => stateKey(snapshot),
    serializeEvent: (move: Move) => JSON.stringify(move),
  } as never) as unknown as TestModel<ModelSnapshot, Move & { type: string }, undefined>;
}
