/**
 * `simulate`: runs the real organisation — `createOrchestrator` with its own statecharts,
 * strategies, policies and limits — on a simulated clock, with executors replaced by latency,
 * failure and cost models and people by response times, under a seeded workload. Same seed, same
 * report.
 */
import { EchelonError } from '../errors.js';
import { show } from '../show.js';
import { anything, boolean, checkShape, fields, number, readingCaller, setting, shapeContext, type Shape } from '../shape/index.js';
import type { OrganisationOptions } from '../check/types.js';
import { createOrchestrator, followAttemptAbort, type ExecutionContext, type Orchestrator } from '../runtime/index.js';
import { agentNames, isPerAgent, resolveSetting, type Setting } from '../settings/index.js';
import { ROLES } from '../hierarchy/types.js';
import type { ApproverPolicy } from '../approval/approvers.js';
import type { Task } from '../types.js';
import { buildReport } from './build.js';
import { QUEUE_POINTS, queuePoints } from './queues.js';
import { SimulationClock } from './clock.js';
import { Collector } from './collect.js';
import { AGENT_MODEL, checkLatency, PERSON_MODEL, sample, type AgentModel, type PersonModel } from './models.js';
import { approvalDesk, DEFAULT_PERSON, escalationDesk } from './people.js';
import { streamFor } from './random.js';
import { lookup } from '../check/probe.js';
import type { SimulationReport } from './report.js';
import { checkWorkload, scheduleWorkload, WORKLOAD, type Workload } from './workload.js';

/** Options of {@link simulate}. */
export interface SimulationOptions {
  /** The organisation: `createOrchestrator`'s options; its executors (if any) are replaced by the models. */
  readonly organisation: OrganisationOptions;
  readonly workload: Workload;
  /** Executor models per agent id, role or default (default: every attempt takes a fixed second). */
  readonly agents?: Setting<AgentModel>;
  /** People: approvals no agent decides by rule, and escalations that reach the top (only when the organisation has `onEscalation`). */
  readonly people?: { readonly approvals?: PersonModel; readonly escalations?: PersonModel };
  /** Seed of every random choice (arrivals, latencies, failures, people, retry jitter): a safe integer; default 1. */
  readonly seed?: number;
  /** Follow every agent's statechart for time-in-state (default: for organisations up to 10,000 agents). */
  readonly trackStates?: boolean;
  /** Keep each submitted task's end in the report (`outcomes`), to compare with a real run. Default false. */
  readonly outcomes?: boolean;
  /** Intervals of the queue-length series (default: the time the workload's submissions span — its `durationMs`, or its journal's first to last submission — in 120 steps). */
  readonly sampleEveryMs?: number;
}

/** The keys simulate takes, down to its models' and workload's (each value checked further where it is used). */
const SIMULATION_OPTIONS = fields({
  organisation: anything,
  workload: WORKLOAD,
  agents: setting(AGENT_MODEL),
  people: fields({ approvals: PERSON_MODEL, escalations: PERSON_MODEL }),
  seed: number,
  trackStates: boolean,
  outcomes: boolean,
  sampleEveryMs: number,
} satisfies Record<keyof SimulationOptions, Shape>);

const DEFAULT_AGENT = { latency: { kind: 'fixed', ms: 1_000 } } as const satisfies AgentModel;

/**
 * Simulates an organisation under a workload and reports where the time goes. The organisation
 * runs as `createOrchestrator` builds it, without its `clock`, `store` and `inspect`: on the
 * simulation's clock, keeping nothing, watched by nobody.
 *
 * @example
 * ```ts
 * const report = await simulate({
 *   organisation: { hierarchy: developmentTeam() },
 *   agents: { byRole: { worker: { latency: latency.lognormal(20_000, 0.5), cost: 1_200 } }, default: { latency: latency.fixed(2_000) } },
 *   workload: { arrivals: [{ task: 'python', perSecond: 0.02 }, { task: 'react', perSecond: 0.01 }], durationMs: 3_600_000 },
 *   seed: 7,
 * });
 * report.bottlenecks[0]?.agent; // 'backend_dev_1'
 * ```
 */
export async function simulate(options: SimulationOptions): Promise<SimulationReport> {
  const needs = 'simulate needs { organisation: { hierarchy, … }, workload }.';
  if (typeof options !== 'object' || options === null) throw new EchelonError('invalid_option', needs);
  const organisation = readingCaller('simulate', 'invalid_option', 'its options', () => (typeof options.organisation?.hierarchy?.nodes === 'function' ? options.organisation : undefined));
  if (organisation === undefined) {
    // Its keys still say what is misspelt; agent ids wait for a hierarchy.
    checkShape(options, SIMULATION_OPTIONS, '', { ...shapeContext('simulate', 'invalid_option', undefined, ROLES), unknownNamesAllowed: true });
    throw new EchelonError('invalid_option', needs);
  }
  const { hierarchy } = organisation;
  checkShape(options, SIMULATION_OPTIONS, '', shapeContext('simulate', 'invalid_option', agentNames(hierarchy), ROLES));
  if (typeof options.workload !== 'object' || options.workload === null) throw new EchelonError('invalid_option', 'simulate needs a workload: { arrivals: [{ task, perSecond }], durationMs } or { journal }.');
  const seed = options.seed ?? 1;
  const clock = new SimulationClock();
  const modelFor = modelsFor(options);
  // Everything the workload submits is checked before the organisation is built (30,000 agents: seconds).
  const workload = checkWorkload(options.workload, hierarchy);
  const { spanMs } = workload;
  // A fraction would run as its whole part, and past 2^53 neighbouring whole numbers are one double.
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) throw new EchelonError('invalid_option', `simulate: seed must be a whole number between -(2^53 - 1) and 2^53 - 1, got ${show(options.seed)}.`);
  checkPeople(options.people);
  const interval = options.sampleEveryMs ?? (Number.isFinite(spanMs) ? Math.max(1, spanMs / 120) : 60_000);
  if (!(interval > 0 && interval <= Number.MAX_SAFE_INTEGER)) throw new EchelonError('invalid_option', `simulate: sampleEveryMs must be a positive number up to 2^53 − 1, got ${String(options.sampleEveryMs)}.`);
  if (Number.isFinite(spanMs) && queuePoints(spanMs, interval) > QUEUE_POINTS) {
    // The least whole interval whose points fit: more than span ÷ QUEUE_POINTS.
    throw new EchelonError('invalid_option', `simulate: sampleEveryMs ${interval} makes ${queuePoints(spanMs, interval)} points a queue series over the ${spanMs} ms the workload's submissions span; at most ${QUEUE_POINTS} (sampleEveryMs ≥ ${Math.floor(spanMs / QUEUE_POINTS) + 1}).`);
  }
  const collector = new Collector(hierarchy, interval, options.outcomes === true);
  const random = (name: string) => streamFor(seed, name);
  const failures = random('failures');
  const latencies = random('latency');

  // An attempt takes its modelled time on the clock, then fails or reports its cost and succeeds;
  // a timeout or a cancellation (its signal) ends it early, freeing the agent then.
  const executor = (task: Task, context: ExecutionContext) =>
    new Promise((resolve, reject) => {
      const agent = context.agent.id;
      const model = modelFor(agent);
      const start = clock.now();
      const ms = sample(model.latency ?? DEFAULT_AGENT.latency, latencies);
      const fails = failures() < (model.failureRate ?? 0);
      const cost = model.cost === undefined ? 0 : typeof model.cost === 'number' ? model.cost : sample(model.cost, latencies);
      let over = false;
      const abort = (reason: unknown) => {
        if (over) return;
        over = true;
        clock.clearTimeout(timer);
        collector.executed(agent, task.id, start, clock.now(), 0);
        reject(reason);
      };
      const timer = clock.setTimeout(() => {
        over = true;
        collector.executed(agent, task.id, start, clock.now(), cost);
        // A failed attempt costs what it used too (a model call that errs still spent its tokens), as the report counts it.
        try {
          if (cost > 0) context.reportCost(cost);
        } catch (error) {
          return reject(error);
        }
        if (fails) return reject(new Error(`${agent} failed "${task.type}" (simulated failure)`));
        resolve({ simulated: true, by: agent });
      }, ms);
      // The runtime tells of an abort without an AbortSignal made for every attempt; a context it did not make has its signal.
      if (!followAttemptAbort(context, abort)) context.signal.addEventListener('abort', () => abort(context.signal.reason), { once: true });
    });

  let org: Orchestrator | undefined;
  const people = options.people ?? {};
  const onEscalation = organisation.onEscalation === undefined ? undefined : escalationDesk(clock, people.escalations ?? DEFAULT_PERSON, random('escalations'), () => org!);
  org = createOrchestrator({
    ...organisation,
    executors: executor,
    clock,
    random: random('jitter'),
    ...(onEscalation === undefined ? {} : { onEscalation }),
    store: undefined,
    inspect: undefined,
    messageDelayMs: undefined,
  } as Parameters<typeof createOrchestrator>[0]);
  const running = org;
  try {
    collector.listen(running, options.trackStates ?? hierarchy.size <= 10_000);
    approvalDesk(running, hierarchy, clock, people.approvals ?? DEFAULT_PERSON, random('approvals'), lookup<ApproverPolicy>(hierarchy, 'approvals.approvers', organisation.approvals?.approvers));
    let next = 0;
    // Submissions are checked before the run; one refused all the same fails the simulation, as it would fail a real run.
    let refused: { error: unknown } | undefined;
    scheduleWorkload(workload, clock, random, (task, at) => {
      const id = `s${++next}`;
      collector.submitted(id, task.type, clock.now());
      running.submit({ ...task, id }, at === undefined ? undefined : { at }).then(
        (outcome) => collector.settled(outcome, clock.now()),
        (error: unknown) => void (refused ??= { error }),
      );
    });
    await drive(clock);
    if (refused !== undefined) throw refused.error;
    const end = Math.max(collector.lastSettled, clock.now());
    collector.finish(end);
    return buildReport(collector, hierarchy, { seed, end, concurrency: lookup<number>(hierarchy, 'concurrency', organisation.concurrency) });
  } finally {
    await running.stop();
  }
}

/** Runs the clock from timer to timer, letting the organisation's promises settle between them. */
async function drive(clock: SimulationClock): Promise<void> {
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const due = clock.nextDue();
    if (due === undefined) return;
    clock.runUntil(due);
  }
}

function checkPeople(people: SimulationOptions['people']): void {
  for (const [name, model] of Object.entries(people ?? {})) {
    if (model === undefined) continue;
    checkLatency(model.responseMs, `people.${name}.responseMs`);
    const rate = model.rejectRate ?? 0;
    if (!(rate >= 0 && rate <= 1)) throw new EchelonError('invalid_option', `people.${name}.rejectRate must be between 0 and 1, got ${String(model.rejectRate)}.`);
  }
}

function modelsFor(options: SimulationOptions): (agentId: string) => AgentModel {
  const { hierarchy } = options.organisation;
  const find = resolveSetting<AgentModel>(hierarchy, 'agents', options.agents);
  for (const [where, model] of givenModels(options.agents)) checkModel(model, where);
  const models = new Map<string, AgentModel>();
  for (const node of hierarchy.nodes()) models.set(node.id, find(node.id) ?? DEFAULT_AGENT);
  return (agentId) => models.get(agentId) ?? DEFAULT_AGENT;
}

/** Each model the option gives, with where it was written (`agents.byRole.worker`): an error names that place. */
function givenModels(agents: Setting<AgentModel> | undefined): Array<readonly [string, AgentModel]> {
  if (agents === undefined) return [];
  if (!isPerAgent(agents)) return [['agents', agents]];
  const given: Array<readonly [string, AgentModel]> = agents.default === undefined ? [] : [['agents.default', agents.default]];
  for (const [role, model] of Object.entries(agents.byRole ?? {})) if (model !== undefined) given.push([`agents.byRole.${role}`, model]);
  for (const [id, model] of Object.entries(agents.byId ?? {})) given.push([`agents.byId.${id}`, model]);
  return given;
}

function checkModel(model: AgentModel, where: string): void {
  if (model.latency !== undefined) checkLatency(model.latency, `${where}.latency`);
  if (model.cost !== undefined && typeof model.cost !== 'number') checkLatency(model.cost, `${where}.cost`);
  // Past 2^53 a sum of costs is not exact, and a few of them add up to Infinity (null in the JSON report).
  if (typeof model.cost === 'number' && !(model.cost >= 0 && model.cost <= Number.MAX_SAFE_INTEGER)) throw new EchelonError('invalid_option', `${where}.cost must be a number ≥ 0 up to 2^53 − 1, or a latency model, got ${String(model.cost)}.`);
  const rate = model.failureRate ?? 0;
  if (!(rate >= 0 && rate <= 1)) throw new EchelonError('invalid_option', `${where}.failureRate must be between 0 and 1, got ${String(model.failureRate)}.`);
}
