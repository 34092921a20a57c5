/**
 * Model-based tests of the agent statechart (xstate/graph). The model is the chart itself, run
 * purely over scripted ports (`support/agent-model.ts`): a manager with two reports, given up to
 * three tasks in a scenario's order — each a kind of step the manager decides (execute, execute
 * after approval, delegate with a strategy answering at once or later, decide asynchronously,
 * escalate to a person, fail, defer, split) — at any point between the answers to what it holds
 * (an attempt's result, a timer, a decision, a person's approval or resolution, a report
 * finishing or escalating its task, a report asking the manager's approval, a cancellation). Every transition is then replayed on live agents (real
 * spawned reports, a host that delivers their messages), and at every step the live manager must
 * be exactly where the model is — state, held tasks, lines, whole context and the effects it
 * asked for — and keep every invariant of `support/agent-invariants.ts`.
 */
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { type Effect } from '../../src/index.js';
import { AGENT_STATES, createAgentMachine, TASK_PHASES } from '../../src/charts.js';
import { liveAgents, settledOf, type LiveAgents } from '../support/agent-live.js';
import type { Alphabet, Move, ModelSnapshot } from '../support/agent-alphabet.js';
import { agentModel, explorationModel, recordingHost, stateKey, summary } from '../support/agent-model.js';
import { BOSS, POLICY, SETTINGS, topTask } from '../support/agent-script.js';
import { problems } from '../support/agent-invariants.js';
import { explore, replayEveryTransition } from '../support/model.js';

/** Up to three tasks each, arriving in this order; what their executions answer, here and at the reports. */
const SCENARIOS: Record<string, Alphabet> = {
  'executions: queue, retries, approval from a run, requeue, escalation from a run': { kinds: ['work', 'gated'], results: ['ok', 'error', 'escalate', 'requeue', 'approval'], children: [], requests: [] },
  'deferral, then an execution': { kinds: ['wait', 'work'], results: ['ok', 'error'], children: [], requests: [] },
  'asynchronous decisions and delegation': { kinds: ['think', 'plan', 'route'], results: ['ok', 'error'], children: ['ok', 'error'], requests: [] },
  'a report escalates to its manager, which resolves it (and loops are caught)': { kinds: ['route', 'work'], results: ['ok'], children: ['ok', 'escalate'], requests: [] },
  'a report asks its manager to approve, decided at once or later, or withdrawn': { kinds: ['gated'], results: ['ok'], children: [], requests: ['now', 'later'] },
  'split, escalation to a person, failure': { kinds: ['split', 'up', 'bad'], results: ['ok', 'error'], children: ['ok', 'error'], requests: [] },
  'where the chart rests: executing, then deciding, then awaiting approval': { kinds: ['gated', 'think', 'work'], results: ['ok'], children: [], requests: [] },
};

/** Effects as data, comparable: an awaited decision by its key and timeout (its promise and callbacks are the agent's own). */
const plain = (effects: readonly Effect[]) => effects.map((effect) => (effect.type === 'await' ? { type: effect.type, key: effect.key, timeoutMs: effect.timeoutMs } : effect));

/** The model stepped beside each live system, from the start, so the ids they hand out agree. */
const model = agentModel();

function start() {
  return { live: liveAgents(), twin: { snapshot: model.initial(), effects: [] as Effect[] }, seen: 0 };
}
type Replayed = ReturnType<typeof start>;

function play(system: Replayed, move: Move): void {
  system.twin = model.step(system.twin.snapshot, move);
  system.seen = system.live.host.performed.length;
  system.live.play(move);
}

/** Deep equality, asked of `expect` only when plain strict equality fails (for its diff): thousands of steps each compare whole contexts. */
function same(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
}

function check(system: Replayed, expected: ModelSnapshot): void {
  const { live, twin } = system;
  same(stateKey(twin.snapshot), stateKey(expected));
  const snapshot = live.root.getSnapshot();
  same(summary(snapshot), summary(twin.snapshot));
  const { outside, ...context } = twin.snapshot.context;
  same(snapshot.context, context);
  const asked = live.host.performed.slice(system.seen).filter((batch) => batch.agentId === BOSS).flatMap((batch) => batch.effects);
  same(plain(asked), plain(twin.effects));
  same(problems(live as LiveAgents, outside), []);
}

describe('the agent statechart, model-based', () => {
  const explored = Object.entries(SCENARIOS).map(([name, alphabet]) => ({ name, alphabet, ...explore(explorationModel(alphabet), stateKey) }));

  it('reaches each of the five states, and every phase a held task can be in', () => {
    const states = new Set<unknown>();
    const phases = new Set<string>();
    for (const { states: adjacency } of explored) {
      for (const { state } of Object.values(adjacency)) {
        states.add(state.value);
        for (const record of Object.values(state.context.held)) phases.add(record.phase);
      }
    }
    expect([...states].sort()).toEqual([...AGENT_STATES].sort());
    expect([...phases].sort()).toEqual(TASK_PHASES.filter((phase) => phase !== 'left').sort());
    // 324 states and 1,798 transitions when this was written: enough to matter, few enough to replay in seconds.
    expect(explored.reduce((sum, scenario) => sum + scenario.transitions.length, 0)).toBeGreaterThan(1_000);
  });

  it('passes through evaluatingEscalation and delegating as microsteps when decisions answer at once', () => {
    const passed = new Set<unknown>();
    const machine = createAgentMachine({ policy: POLICY, settings: SETTINGS, host: recordingHost([]) });
    const actor = createActor(machine, {
      input: { agentId: BOSS },
      inspect: (event) => {
        if (event.type === '@xstate.microstep' && event.actorRef.sessionId === event.rootId) passed.add((event.snapshot as { value?: unknown }).value);
      },
    }).start();
    actor.send({ type: 'task.assign', task: topTask('route') });
    expect(passed).toEqual(new Set(['receiving', 'evaluatingEscalation', 'delegating']));
    actor.stop();
  });

  for (const scenario of explored) {
    it(`${scenario.name}: every transition replays on live agents, which match the model at every step`, async () => {
      const replayed = await replayEveryTransition(scenario, { start, play, check, stop: (system) => system.live.stop() });
      expect(replayed.transitions).toBe(scenario.transitions.length);
    });
  }

  it('a report escalating the resolution of its own escalation is a loop: the task fails, naming the agents', () => {
    const live = liveAgents();
    live.play({ type: 'assign', kind: 'route' });
    live.play({ type: 'child', taskId: 'route', result: 'escalate' });
    const resolution = Object.keys(live.context('kid1').held).find((id) => id !== 'route')!;
    expect(resolution).toMatch(/^route!esc_\d+$/);
    live.play({ type: 'child', taskId: resolution, result: 'escalate' });
    const settled = settledOf(live);
    expect(settled).toMatchObject([{ task: { id: 'route' }, settlement: { status: 'failed', error: { code: 'delegation_loop', details: { agents: ['kid1', 'boss'] } } } }]);
    expect(problems(live, { used: ['route'], away: {}, asked: [], owed: [], ids: 0 })).toEqual([]);
    live.stop();
  });

  describe('what the model found', () => {
    // Found by the model: a task whose executor escalated and that its policy sent back to execution
    // (the runtime does so for an already approved task escalating `approval_required`) was released
    // and queued again without claiming its resources again, so it ran while another task could take them.
    it('a task run again after its executor escalated holds its resources while it runs', () => {
      const live = liveAgents();
      live.play({ type: 'assign', kind: 'work' });
      expect([...live.host.claims]).toEqual(['boss/work']);
      live.play({ type: 'result', taskId: 'work', result: 'requeue' });
      expect(live.context(BOSS).held.work?.phase).toBe('running');
      expect([...live.host.claims]).toEqual(['boss/work']);
      live.stop();
    });
  });
});
