/**
 * The agent statechart: one machine for every agent in the organisation, built over its ports.
 *
 * `receiving` waits for messages. Every task (or escalation to resolve) that arrives goes through
 * `evaluatingEscalation` (the policy: escalate, or go on) and, when it is to be handed down or
 * split, `delegating` (the strategy or a decomposer picks) — microsteps when the decisions answer
 * at once — and the agent comes to rest again: in `executing` while it runs or queues work, in
 * `awaitingApproval` while a task waits for approval, in `evaluatingEscalation` / `delegating`
 * while a decision it awaits is pending (it goes on taking other messages meanwhile), else in
 * `receiving`. Where each task is lives in the agent's table of held tasks, whose records follow
 * the task lifecycle chart (`task.machine.ts`); the handlers (`core/`) change that table and ask
 * for effects, which the host carries out.
 */
import { assign, enqueueActions, fromPromise, setup, type ActorRefFrom } from 'xstate';
import { canTakeReady, handle, type HandlerName } from './core/index.js';
import { agentChildId, AGENT_STATES, type AgentContext, type AgentEvent, type AgentInput, type AgentStateName } from './agent.types.js';
import type { AgentPorts } from './ports.js';
import { createReports, startReports } from './reports.js';
import { emptyTables } from './core/tables.js';
import { EchelonError } from '../src/errors.js';

export {
  AGENT_STATES,
  agentChildId,
  resolutionTaskId,
  type AgentContext,
  type AgentEvent,
  type AgentInput,
  type AgentInternalEvent,
  type AgentStateName,
  type HeldTask,
} from './agent.types.js';

/**
 * Builds the agent statechart over its ports. Every agent of an organisation runs the same
 * machine; it spawns its children (by `systemId` = agent id) when it starts.
 *
 * @example
 * ```ts
 * const machine = createAgentMachine({ policy, settings, host });
 * const root = createActor(machine, { systemId: 'cto', input: { agentId: 'cto' } }).start();
 * ```
 */
export function createAgentMachine(ports: AgentPorts) {
  const machine = defineAgentMachine(ports);
  // Agents spawn agents: the `agent` actor must be this very machine, referenced by name so
  // persisted snapshots can restore the children.
  (machine.implementations.actors as Record<string, unknown>).agent = machine;
  return machine;
}

export type AgentMachine = ReturnType<typeof createAgentMachine>;
export type AgentActorRef = ActorRefFrom<AgentMachine>;

/** The agent an actor of the chart is, from its input (an actor created without one is refused, not a TypeError). */
function agentIdOf(input: AgentInput | undefined): string {
  const agentId = (input as Partial<AgentInput> | undefined)?.agentId;
  if (typeof agentId !== 'string') {
    throw new EchelonError('invalid_option', `An agent chart's actor needs its agent as input: createActor(createAgentMachine(ports), { input: { agentId: 'cto' } }), got ${input === undefined ? 'no input' : 'an input without agentId'}.`);
  }
  return agentId;
}

/** A fresh agent's context: nothing held (its tables shared and frozen until first written). */
export function emptyContext(agentId: string): AgentContext {
  return {
    agentId,
    // Shared until first written (core/tables.ts): most agents never hold anything.
    ...emptyTables(),
    current: null,
    rest: 'receiving',
    running: 0,
    deciding: 0,
    evaluating: 0,
    parked: 0,
    seq: 0,
    version: 0,
  };
}

/** The transitions out of a resting state to wherever the agent now rests. */
function toRest(here: AgentStateName) {
  return AGENT_STATES.filter((state) => state !== here).map((state) => ({ guard: { type: 'restsAt' as const, params: { state } }, target: `#agent.${state}` }));
}

/** The transition that takes the next waiting task into the pipeline. */
const takeNext = { guard: 'hasReady' as const, target: '#agent.evaluatingEscalation', reenter: true, actions: 'takeReady' as const };

function defineAgentMachine(ports: AgentPorts) {
  const act = (name: HandlerName) => ({ context, event }: { context: AgentContext; event: AgentEvent }) => handle(context, ports, name, event);
  const resting = (state: AgentStateName) => ({ always: [takeNext, ...toRest(state)] });

  return setup({
    types: {} as { context: AgentContext; input: AgentInput; events: AgentEvent },
    actors: {
      /** Replaced by the machine itself in `createAgentMachine`. */
      agent: fromPromise<never, AgentInput>(() => Promise.reject(new Error('agent logic not linked'))),
    },
    guards: {
      restsAt: ({ context }, params: { state: AgentStateName }) => context.rest === params.state,
      hasReady: ({ context }) => canTakeReady(context, ports),
      inPipeline: ({ context }) => context.current !== null,
      answersEvaluation: ({ event }) => event.type === 'echelon.decided' && event.phase === 'evaluate',
    },
    actions: {
      // Reports are created beside the snapshot's children, level by level, and started once this
      // agent runs (`reports.ts`): XState's own children cost a copy of the parent's children map per
      // child stopped, and spawning them from entry actions nests each level in its parent's construction.
      spawnChildren: enqueueActions(({ context, self, enqueue }) => {
        const reports = createReports(self, context.agentId, ports.settings.childIds);
        if (reports.length > 0) enqueue(() => startReports(reports));
      }),
      assign: act('assign'),
      raised: act('raised'),
      childSettled: act('childSettled'),
      resolved: act('resolved'),
      executed: act('executed'),
      timer: act('timer'),
      decided: act('decided'),
      redecide: act('redecide'),
      requested: act('requested'),
      approverDecided: act('approverDecided'),
      decision: act('decision'),
      withdrawn: act('withdrawn'),
      cancel: act('cancel'),
      released: act('released'),
      resume: act('resume'),
      evaluate: act('evaluate'),
      select: act('select'),
      // An assign, unlike the other handlers: taking the next task may re-enter `evaluatingEscalation`
      // from itself, and XState looks for further eventless transitions only when the snapshot changed.
      takeReady: assign(({ context, event }) => {
        handle(context, ports, 'takeReady', event);
        return { version: context.version };
      }),
    },
  }).createMachine({
    id: 'agent',
    context: ({ input }) => emptyContext(agentIdOf(input)),
    entry: 'spawnChildren',
    initial: 'receiving',
    on: {
      'task.assign': { target: '.evaluatingEscalation', actions: 'assign' },
      'escalation.raised': { target: '.evaluatingEscalation', actions: 'raised' },
      'echelon.decided': [
        { guard: 'answersEvaluation', target: '.evaluatingEscalation', actions: 'decided' },
        { target: '.delegating', actions: 'decided' },
      ],
      'task.completed': { actions: 'childSettled' },
      'task.failed': { actions: 'childSettled' },
      'escalation.resolved': { actions: 'resolved' },
      'echelon.executed': { actions: 'executed' },
      'echelon.timer': { actions: 'timer' },
      // The task goes back to `ready`: the state it rests in takes it into the pipeline.
      'echelon.redecide': { actions: 'redecide' },
      'approval.requested': { actions: 'requested' },
      'echelon.approver': { actions: 'approverDecided' },
      'approval.granted': { actions: 'decision' },
      'approval.denied': { actions: 'decision' },
      'approval.withdrawn': { actions: 'withdrawn' },
      'task.cancel': { actions: 'cancel' },
      'echelon.released': { actions: 'released' },
      'echelon.resume': { actions: 'resume' },
    },
    states: {
      receiving: resting('receiving'),
      evaluatingEscalation: {
        entry: 'evaluate',
        always: [{ guard: 'inPipeline', target: 'delegating' }, takeNext, ...toRest('evaluatingEscalation')],
      },
      delegating: {
        entry: 'select',
        always: [takeNext, ...toRest('delegating')],
      },
      executing: resting('executing'),
      awaitingApproval: resting('awaitingApproval'),
    },
  });
}
