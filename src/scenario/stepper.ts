/**
 * Runs a scenario one message at a time. The organisation gets a {@link StepClock} and
 * `messageDelayMs: 0`, so every message between actors waits in the clock until `step()`
 * releases it. Time is simulated: when no message is due the clock jumps to the next timer
 * (a timeout, a backoff, an approval expiring, an executor's `sleep`). An executor doing real
 * work (a network call) is waited for in real time, but no longer than that next timer is away.
 */
import { EchelonError } from '../errors.js';
import { boolean, checkShape, fields, fn, number, shapeContext } from '../shape/index.js';
import type { AgentStatus, Orchestrator, OrchestratorEvent } from '../runtime/index.js';
import { buildOrganisation, scenarioProblem, type Scenario, type ScenarioContext } from './define.js';
import { StepClock } from './step-clock.js';
import { Tracer, type Delivery } from './tracer.js';
import { LONGEST_TIMER_MS } from '../long-timer.js';

/** What one step did. */
export interface ScenarioStep {
  /** 0 for what happened as the scenario started, then 1, 2, … */
  readonly index: number;
  /** The simulated time after the step, in ms. */
  readonly at: number;
  /** True when the step moved the time to a timer (nothing was due before it). */
  readonly timer: boolean;
  /** The messages actors received: the one the step released first, then any sent from outside meanwhile. */
  readonly deliveries: readonly Delivery[];
  /** The lifecycle events of the step (agent states are in `agents`). */
  readonly events: readonly OrchestratorEvent[];
  /** Every agent after the step, in org-chart order. */
  readonly agents: readonly AgentStatus[];
}

export interface StepperOptions {
  /** Where the scenario's `log` lines go (default: console.log). */
  readonly log?: (line: string) => void;
  /**
   * When nothing can move and the scenario is not over: wait for someone to act (a person in the
   * live view), or fail with `scenario_stalled` (the default).
   */
  readonly waitForPeople?: boolean;
  /** Called with the organisation before the scenario's `run` starts (to serve the live view, say). */
  readonly prepare?: (org: Orchestrator) => unknown;
  /**
   * Called once a step has waited `waitingNoticeMs` of real time for executors doing real work
   * (not sleeping on the stepper's clock), with the tasks they run — so a person watching knows
   * what the silence is. Called again only for a later wait. A throw fails the step.
   *
   * @example
   * ```ts
   * createStepper(scenario, { onWaiting: ({ running }) => console.log(`waiting for ${running.map((task) => `${task.agent}/${task.taskId}`).join(', ')}`) });
   * ```
   */
  readonly onWaiting?: (wait: StepperWait) => void;
  /** How long a step waits for executors before `onWaiting` hears of it, in real ms (default 2,000). */
  readonly waitingNoticeMs?: number;
}

/** What a step waits for, as `onWaiting` hears it. */
export interface StepperWait {
  /** The tasks being executed, each with the agent running it. */
  readonly running: readonly { readonly taskId: string; readonly agent: string }[];
  /** Real ms waited so far (`waitingNoticeMs`). */
  readonly waitedMs: number;
  /**
   * Simulated ms until the next timer (an executor's timeout, say), where the wait ends and the
   * clock moves to it; `undefined` when no timer is set (the step waits until an executor settles).
   */
  readonly nextTimerMs: number | undefined;
}

/** A scenario under the stepper's control. */
export interface Stepper {
  readonly org: Orchestrator;
  readonly clock: StepClock;
  /** What happened as the scenario started, before any message was released. */
  readonly start: ScenarioStep;
  /**
   * Releases the next message (or timer) and reports what it did; `undefined` once the scenario is
   * over or the stepper is closed. Called again before the last call answered, it takes the step
   * after that one (calls are answered in turn, one message each).
   */
  step(): Promise<ScenarioStep | undefined>;
  /** True once the scenario's `run` finished and nothing is left to deliver. */
  readonly finished: boolean;
  /** Stops the organisation; a step under way, and every later one, ends with `undefined`. */
  close(): Promise<void>;
}

const STEPPER_OPTIONS = fields({ log: fn, waitForPeople: boolean, prepare: fn, onWaiting: fn, waitingNoticeMs: number });

/**
 * Starts a scenario under a step clock.
 *
 * @example
 * ```ts
 * const stepper = await createStepper(scenario);
 * for (let step = await stepper.step(); step; step = await stepper.step()) {
 *   for (const d of step.deliveries) console.log(`${d.agent} ← ${d.summary}: ${d.states.join(' → ')}`);
 * }
 * await stepper.close();
 * ```
 */
export async function createStepper(scenario: Scenario, options: StepperOptions = {}): Promise<Stepper> {
  const problem = scenarioProblem(scenario);
  if (problem !== undefined) throw new EchelonError('invalid_scenario', problem);
  checkShape(options, STEPPER_OPTIONS, '', shapeContext('createStepper', 'invalid_option'));
  const noticeMs = options.waitingNoticeMs ?? 2_000;
  if (!Number.isInteger(noticeMs) || noticeMs < 0 || noticeMs > LONGEST_TIMER_MS) {
    throw new EchelonError('invalid_option', `createStepper: waitingNoticeMs must be a whole number of ms from 0 to ${LONGEST_TIMER_MS}, got ${String(noticeMs)}.`);
  }
  const clock = new StepClock();
  const tracer = new Tracer();
  clock.onSchedule(() => tracer.touch());
  const context: ScenarioContext = {
    log: options.log ?? ((line) => console.log(line)),
    sleep: (ms, signal) => clock.sleep(ms, signal),
    waitsForPeople: options.waitForPeople === true,
  };
  const org = buildOrganisation(scenario, { clock, messageDelayMs: 0, inspect: tracer.observe }, context);
  if (tracer.actors === 0) {
    await org.stop();
    throw new EchelonError(
      'invalid_scenario',
      'The scenario built its organisation without the runner\'s host options: write organisation: (host) => createOrchestrator({ ...options, ...host }).',
    );
  }
  tracer.bind(org.hierarchy.nodes().map((node) => [node.id, org.actor.system.get(node.id)]));
  const events: OrchestratorEvent[] = [];
  org.on('*', (event) => {
    if (event.type !== 'agent.state') events.push(event);
  });

  try {
    await options.prepare?.(org);
  } catch (error) {
    // The scenario never starts (its live view could not listen, say): nor does the organisation go on.
    await org.stop();
    throw error;
  }

  let finished = false;
  let closed = false;
  let ran = false;
  let failure: { error: unknown } | undefined;
  let index = 0;
  Promise.resolve()
    .then(() => scenario.run(org, context))
    .then(
      () => {
        ran = true;
        tracer.touch();
      },
      (error: unknown) => {
        failure = { error };
        tracer.touch();
      },
    );

  const settle = () => settled(tracer);
  const statuses = agentStates(org);
  const record = (timer: boolean): ScenarioStep => ({
    index: index++,
    at: clock.now(),
    timer,
    deliveries: tracer.take(),
    events: events.splice(0),
    agents: statuses(),
  });
  const fire = async (timer: boolean) => {
    clock.fire();
    await settle();
    return record(timer);
  };

  await settle();
  const start = record(false);

  const takeStep = async (): Promise<ScenarioStep | undefined> => {
    if (finished || closed) return undefined;
    for (;;) {
      await settle();
      // Closing fails what the scenario awaits (orchestrator_stopped): that is the close, not the scenario's error.
      if (closed) return undefined;
      if (failure !== undefined) throw failure.error;
      if (clock.hasDue()) return fire(false);
      const next = clock.nextDue();
      if (org.status().inFlight > 0 && !clock.hasSleeper()) {
        // An executor is working on something real (it is not sleeping on this clock): give it
        // until the next timer would fire (forever if none is set).
        const waited = tellWhileWaiting(next);
        const moved = await tracer.waitForActivity(next === undefined ? undefined : next - clock.now());
        waited();
        if (moved) continue;
        return fire(true);
      }
      if (next !== undefined) return fire(true);
      if (ran) {
        finished = true;
        return undefined;
      }
      if (options.waitForPeople) {
        await tracer.waitForActivity();
        continue;
      }
      throw stalled(org);
    }
  };
  /** Tells `onWaiting` what the step waits for, once `noticeMs` pass; returns what cancels it. */
  function tellWhileWaiting(next: number | undefined): () => void {
    const { onWaiting } = options;
    if (onWaiting === undefined) return () => undefined;
    const timer = setTimeout(() => {
      try {
        onWaiting({ running: runningTasks(org), waitedMs: noticeMs, nextTimerMs: next === undefined ? undefined : next - clock.now() });
      } catch (error) {
        failure ??= { error };
        tracer.touch();
      }
    }, noticeMs);
    return () => clearTimeout(timer);
  }

  // One step at a time: a call made while another is under way waits for it (each releases one message).
  let queue: Promise<unknown> = Promise.resolve();
  const stepper: Stepper = {
    org,
    clock,
    start,
    get finished() {
      return finished;
    },
    step() {
      const next = queue.then(takeStep);
      queue = next.catch(() => undefined);
      return next;
    },
    close: async () => {
      closed = true;
      tracer.touch(); // wakes a step waiting for activity
      await org.stop();
    },
  };
  return stepper;
}

/** Lets promise callbacks and the scenario's own code run until two rounds pass with nothing new. */
async function settled(tracer: Tracer): Promise<void> {
  let seen = -1;
  for (let quiet = 0; quiet < 2; ) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (tracer.activity === seen) quiet++;
    else [seen, quiet] = [tracer.activity, 0];
  }
}

/**
 * Every agent's status, or none once the organisation is stopped (a scenario may stop it itself).
 * A step moves one or two agents: the others' statuses are the last step's, kept while the agent
 * has handled no message — its context's `version`, which persistence compares too, is the same
 * (reading an agent that holds 10,000 tasks at every step made a big scenario take minutes).
 */
function agentStates(org: Orchestrator): () => AgentStatus[] {
  type Moved = { readonly context?: { readonly version?: unknown }; readonly value?: unknown } | undefined;
  const known = new Map<string, { readonly context: unknown; readonly version: unknown; readonly value: unknown; readonly status: AgentStatus }>();
  return () => {
    try {
      return org.hierarchy.nodes().map((node) => {
        const snapshot = org.actor.system.get(node.id)?.getSnapshot() as Moved;
        const last = known.get(node.id);
        const { context, value } = snapshot ?? {};
        const version = context?.version;
        if (last !== undefined && typeof version === 'number' && last.context === context && last.version === version && last.value === value) return last.status;
        const status = org.agentState(node.id);
        known.set(node.id, { context, version, value, status });
        return status;
      });
    } catch {
      return [];
    }
  };
}

/** Every task an agent is executing, in org-chart order. */
function runningTasks(org: Orchestrator): StepperWait['running'] {
  return org.hierarchy.nodes().flatMap((node) => org.agentState(node.id).running.map((taskId) => ({ taskId, agent: node.id })));
}

function stalled(org: Orchestrator): EchelonError {
  const waiting = [
    ...org.approvals.pending().map((approval) => `approval ${approval.id} of ${approval.taskType} ${approval.taskId} (asked: ${approval.approver})`),
    ...org.escalations.active().filter((escalation) => escalation.to === 'human').map((escalation) => `escalation ${escalation.id} of ${escalation.taskType} ${escalation.taskId} (for a person)`),
  ];
  return new EchelonError(
    'scenario_stalled',
    `The scenario is waiting, but no message, timer or executor is left to move it${waiting.length === 0 ? ". If its run() waits on the real clock (setTimeout, setInterval), wait with the context's sleep(ms, signal) instead: stepping moves only the scenario's own clock." : `; waiting for: ${waiting.join('; ')}. Decide them in the scenario's run() (org.approvals.approve / org.escalations.resolve), or use \`echelon view\` to decide them in the browser.`}`,
    { details: { pendingApprovals: org.approvals.pending().length, activeTasks: org.status().activeTasks } },
  );
}
