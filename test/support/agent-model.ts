/**
 * The model of a manager agent, for model-based tests: the agent statechart itself, made pure.
 * Handlers change the context in place, so each step runs the machine on a deep copy of the
 * snapshot's context, with actions executed as they come (XState's pure `transition` defers
 * them) and a host that only records. What a report does with a task it was handed is played on
 * a throwaway pure report; its answers reach the manager as the host would deliver them.
 */
import { createEmptyActor } from 'xstate';
import { TestModel } from 'xstate/graph';
import { type AgentContext, type AgentEvent, type Effect, type HeldTask, type HostPort, type Task } from '../../src/index.js';
import { createAgentMachine, emptyContext } from '../../src/charts.js';
import { childResult, eventOf, movesFor, type Alphabet, type Away, type ChildResult, type ModelContext, type ModelSnapshot, type Move, type Outside } from './agent-alphabet.js';
import { BOSS, KIDS, POLICY, requestOf, SETTINGS } from './agent-script.js';

/** A host that records, with ids counting up from where they are set. */
export function recordingHost(effects: Effect[][]): HostPort & { ids: number } {
  let ids = 0;
  return {
    get ids() {
      return ids;
    },
    set ids(value: number) {
      ids = value;
    },
    perform: (_agentId, batch) => void effects.push([...batch]),
    now: () => 0,
    random: () => 0.5,
    newId: (prefix) => `${prefix}_${++ids}`,
    charge: () => undefined,
  };
}

/** The manager's model. */
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
    return machine.resolveState({ value: 'receiving', context: { ...emptyContext(BOSS), outside: { used: [], away: {}, asked: [], owed: [], ids: 0 } } as ModelContext }) as unknown as ModelSnapshot;
  };

  /** A report given `task` runs it once, with this result: what it sends back to the manager, and the task if it still holds it. */
  const atReport = (kid: string, task: Task, result: ChildResult) => {
    performed.length = 0;
    let report = machine.resolveState({ value: 'receiving', context: emptyContext(kid) });
    report = machine.transition(report, { type: 'task.assign', task }, scope);
    report = machine.transition(report, { type: 'echelon.executed', taskId: task.id, attempt: 1, result: childResult(result, task.id) }, scope);
    const replies = performed.flat().flatMap((effect) => (effect.type === 'send' && effect.to === BOSS ? [effect.message] : []));
    return { replies, held: report.context.held[task.id] };
  };

  /**
   * One move from `snapshot`, which stays as it was: the next snapshot, and the effects the manager
   * asked for. Messages go as the host delivers them: into the manager's mailbox, or to a report
   * through the outbox, drained after each message. Tasks the manager asks to have cancelled (a
   * join's losers) are cancelled where they are, as the orchestrator does.
   */
  const step = (snapshot: ModelSnapshot, move: Move): { snapshot: ModelSnapshot; effects: Effect[] } => {
    const context = structuredClone(snapshot.context);
    const used = move.type === 'assign' ? [...context.outside.used, move.kind] : context.outside.used;
    const asked = move.type === 'asked' ? [...context.outside.asked, move.kind] : context.outside.asked;
    // A lost decision is owed again once the manager asks its policy again (its await, below).
    let owed = move.type === 'approver' || move.type === 'withdraw' || move.type === 'approverLost' ? context.outside.owed.filter((kind) => kind !== move.kind) : context.outside.owed;
    const away: Record<string, Away> = { ...context.outside.away };
    const effects: Effect[] = [];
    host.ids = context.outside.ids;
    const mailbox: AgentEvent[] = [];
    const outbox: Array<{ readonly cancel: string; readonly reason: string } | { readonly reply: AgentEvent }> = [];
    /** A report is done with a task: it answers the manager with this settlement. */
    const handBack = (taskId: string, settlement: Extract<AgentEvent, { type: 'task.failed' }>['settlement']) => {
      const { task } = away[taskId]!;
      delete away[taskId];
      outbox.push({ reply: { type: settlement.status === 'completed' ? 'task.completed' : 'task.failed', task, settlement } });
    };
    if (move.type === 'child') {
      const { kid, task } = away[move.taskId]!;
      const { replies, held } = atReport(kid, task, move.result);
      if (held === undefined) delete away[move.taskId];
      else away[move.taskId] = { kid, task: held.task, ...(held.escalationId === undefined ? {} : { escalationId: held.escalationId }) };
      for (const reply of replies) outbox.push({ reply });
    } else mailbox.push(eventOf(move, context));
    let next = machine.resolveState({ value: snapshot.value, context }) as unknown as ModelSnapshot;
    const drain = () => {
      for (let item = outbox.shift(); item !== undefined; item = outbox.shift()) {
        if ('reply' in item) mailbox.push(item.reply);
        else if (next.context.held[item.cancel] !== undefined) mailbox.push({ type: 'task.cancel', taskId: item.cancel, reason: item.reason });
        else if (away[item.cancel] !== undefined) {
          const { kid, escalationId } = away[item.cancel]!;
          const error = { code: 'cancelled' as const, message: `Cancelled at ${kid}: ${item.reason}` };
          // A report runs what it is given at once: unless it escalated the task, it is cancelled mid-attempt.
          handBack(item.cancel, escalationId === undefined ? { status: 'cancelled', error, executedBy: kid, attempts: 1 } : { status: 'cancelled', error, attempts: 0 });
        }
      }
    };
    drain();
    for (let event = mailbox.shift(); event !== undefined; event = mailbox.shift()) {
      performed.length = 0;
      next = machine.transition(next as never, event, scope) as unknown as ModelSnapshot;
      for (const effect of performed.flat()) {
        effects.push(effect);
        if (effect.type === 'await' && effect.key.startsWith('apr:')) owed = [...owed, ...asked.filter((kind) => `apr:${requestOf(kind).id}` === effect.key)];
        if (effect.type === 'report' && effect.report.type === 'tasks.cancel') for (const taskId of effect.report.taskIds) outbox.push({ cancel: taskId, reason: effect.report.reason });
        if (effect.type !== 'send' || !(KIDS as readonly string[]).includes(effect.to)) continue;
        const { message } = effect;
        if (message.type === 'task.assign') away[message.task.id] = { kid: effect.to, task: message.task };
        if (message.type === 'escalation.resolved') {
          // The report that escalated delivers its task with the resolution's settlement.
          const taskId = Object.keys(away).find((id) => away[id]!.escalationId === message.escalationId);
          if (taskId !== undefined) handBack(taskId, message.settlement);
        }
      }
      drain();
    }
    (next.context as { outside: Outside }).outside = { used, away, asked, owed, ids: host.ids };
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
  const { used, away, asked, owed } = snapshot.context.outside;
  const handed = Object.entries(away).map(([id, { kid, escalationId }]) => `${id}@${kid}${escalationId === undefined ? '' : '!'}`);
  // Resolution tasks carry their escalation's id: ids are names, not states.
  return JSON.stringify({ ...summary(snapshot), away: handed.sort(), used: [...used].sort(), asked: [...asked].sort(), owed: [...owed].sort() }).replace(/\b(esc|apv)_\d+/g, '$1');
}

/** The test model explored by xstate/graph over the pure agent. */
export function explorationModel(alphabet: Alphabet) {
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
