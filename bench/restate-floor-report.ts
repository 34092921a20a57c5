/**
 * The Restate floor's part of the report: echelon's Restate host beside the floor (the same
 * hierarchy on Restate with the SDK alone), what one invocation and one hop cost the server, and
 * what that allows — each figure the median over the rounds of per-round values.
 */
import type { FloorPhase, FloorPhaseRun, RestateFloorJob, RestateFloorResult } from './cases/restate-floor.js';
import { median } from './stats.js';

/** A system's figures per task (floor, echelon). */
export interface FloorSystemRow {
  readonly tasksPerSecond: number;
  readonly invocationsPerTask: number;
  /** Invocations scheduled for later per task (timers), not in `invocationsPerTask` nor in the CPU figures. */
  readonly delayedPerTask: number;
  readonly serverMsPerTask: number;
  readonly serverMsPerInvocation: number;
  /** The CPU of the process serving that system's services. */
  readonly serviceMsPerTask: number;
  readonly clientMsPerTask: number;
  readonly logRecordsPerTask: number;
  readonly keysWrittenPerTask: number;
}

/** A probe's figures per invocation (or per hop, for `hop`). */
export interface FloorProbeRow {
  readonly callsPerSecond?: number;
  readonly serverMs: number;
  readonly serviceMs: number;
  readonly logRecords: number;
  readonly keysWritten: number;
}

export interface FloorSection {
  readonly job: RestateFloorJob;
  readonly rounds: number;
  readonly systems: { readonly floor: FloorSystemRow; readonly echelon: FloorSystemRow };
  /** The floor's invocations per task as designed (2 per level of the task's route), to read the server's count against. */
  readonly floorPlannedInvocationsPerTask: number;
  /** echelon ÷ floor. */
  readonly ratios: { readonly tasksPerSecond: number; readonly serverMsPerTask: number; readonly invocationsPerTask: number };
  /** `oneKey`: the state write with every caller on one object — one object's rate, a hot spot's ceiling. */
  readonly probes: Readonly<Record<'noop' | 'clock' | 'write' | 'oneKey' | 'hop', FloorProbeRow>>;
  /** restate-server's CPU while nothing runs, ms per second. */
  readonly serverIdleMsPerSecond: number;
  /**
   * What the CPU measured allows on `cores` cores with nothing else running: tasks/s for each system
   * if restate-server had every core (`…ServerOnly`) and if its processes together had them (server,
   * service and client CPU per task); and the invocations a task may make at 200 tasks/s, at the
   * trivial handler's server cost and at the floor's.
   */
  readonly ceilings: {
    readonly cores: number;
    readonly floorServerOnly: number;
    readonly echelonServerOnly: number;
    readonly floorAllProcesses: number;
    readonly echelonAllProcesses: number;
    readonly invocationsAt200Trivial: number;
    readonly invocationsAt200Floor: number;
  };
}

/** Why the floor has no figures (the server package is missing). */
export interface FloorSkipped {
  readonly job: RestateFloorJob;
  readonly skipped: string;
}

/** Whether the floor job measured anything. */
export function floorMeasured(report: FloorSection | FloorSkipped | undefined): report is FloorSection {
  return report !== undefined && !('skipped' in report);
}

const m = (values: readonly number[]) => median([...values]);

function systemRow(runs: readonly FloorPhaseRun[], service: 'floor' | 'echelon'): FloorSystemRow {
  const per = (value: (run: FloorPhaseRun) => number) => m(runs.map((run) => value(run) / run.units));
  return {
    tasksPerSecond: m(runs.map((run) => (run.units / run.ms) * 1000)),
    invocationsPerTask: per((run) => run.counters.invocations),
    delayedPerTask: per((run) => run.scheduled),
    serverMsPerTask: per((run) => run.cpuMs['restate-server']),
    serverMsPerInvocation: m(runs.map((run) => run.cpuMs['restate-server'] / run.counters.invocations)),
    serviceMsPerTask: per((run) => run.cpuMs[service]),
    clientMsPerTask: per((run) => run.cpuMs.client),
    logRecordsPerTask: per((run) => run.counters.logRecords),
    keysWrittenPerTask: per((run) => run.counters.keysWritten),
  };
}

function probeRow(runs: readonly FloorPhaseRun[]): FloorProbeRow {
  const per = (value: (run: FloorPhaseRun) => number) => m(runs.map((run) => value(run) / run.counters.invocations));
  return {
    callsPerSecond: m(runs.map((run) => (run.units / run.ms) * 1000)),
    serverMs: per((run) => run.cpuMs['restate-server']),
    serviceMs: per((run) => run.cpuMs.floor),
    logRecords: per((run) => run.counters.logRecords),
    keysWritten: per((run) => run.counters.keysWritten),
  };
}

/** A hop: the long chain's cost over the short one's, per extra hop, round by round. */
function hopRow(short: readonly FloorPhaseRun[], long: readonly FloorPhaseRun[], hops: number): FloorProbeRow {
  const per = (value: (run: FloorPhaseRun) => number) => m(long.map((run, index) => (value(run) - value(short[index]!)) / (run.units * (hops - 1))));
  return { serverMs: per((run) => run.cpuMs['restate-server']), serviceMs: per((run) => run.cpuMs.floor), logRecords: per((run) => run.counters.logRecords), keysWritten: per((run) => run.counters.keysWritten) };
}

const allCpu = (row: FloorSystemRow) => row.serverMsPerTask + row.serviceMsPerTask + row.clientMsPerTask;

/** The section from the floor job's result (`cores`: the machine's). */
export function floorSection(job: RestateFloorJob, result: RestateFloorResult, cores: number): FloorSection | FloorSkipped {
  if (result.skipped !== undefined || result.rounds.length === 0) return { job, skipped: result.skipped ?? 'no rounds ran' };
  const of = (phase: FloorPhase) => result.rounds.map((round) => round[phase]);
  const floor = systemRow(of('floor'), 'floor');
  const echelon = systemRow(of('echelon'), 'echelon');
  const probes = { noop: probeRow(of('noop')), clock: probeRow(of('clock')), write: probeRow(of('write')), oneKey: probeRow(of('one-key')), hop: hopRow(of('chain-short'), of('chain-long'), job.chainHops) };
  const budget = cores * 1000;
  return {
    job,
    rounds: result.rounds.length,
    systems: { floor, echelon },
    floorPlannedInvocationsPerTask: m(of('floor').map((run) => run.plannedInvocations! / run.units)),
    ratios: { tasksPerSecond: echelon.tasksPerSecond / floor.tasksPerSecond, serverMsPerTask: echelon.serverMsPerTask / floor.serverMsPerTask, invocationsPerTask: echelon.invocationsPerTask / floor.invocationsPerTask },
    probes,
    serverIdleMsPerSecond: m(of('idle').map((run) => (run.cpuMs['restate-server'] / run.ms) * 1000)),
    ceilings: {
      cores,
      floorServerOnly: budget / floor.serverMsPerTask,
      echelonServerOnly: budget / echelon.serverMsPerTask,
      floorAllProcesses: budget / allCpu(floor),
      echelonAllProcesses: budget / allCpu(echelon),
      invocationsAt200Trivial: budget / 200 / probes.noop.serverMs,
      invocationsAt200Floor: budget / 200 / floor.serverMsPerInvocation,
    },
  };
}

const f1 = (value: number) => value.toFixed(1);
const f2 = (value: number) => value.toFixed(2);

/** The section's lines, for the printed report. */
export function formatFloor(section: FloorSection | FloorSkipped | undefined, grid: (head: string[], rows: string[][]) => string): string[] {
  if (section === undefined) return [];
  if (!floorMeasured(section)) return ['', `8b. Restate floor: skipped — ${section.skipped.split(':')[0]!}`];
  const { job, systems, ratios, probes, ceilings } = section;
  const out = ['', `8b. Restate floor: echelon beside the development team on Restate with the SDK alone, one restate-server, ${job.count} tasks per round, ${job.inFlight} in flight, alternated, median of ${section.rounds} rounds; CPU from /proc, counts from the server's metrics`];
  const row = (name: string, s: FloorSystemRow) => [name, f1(s.tasksPerSecond), f1(s.invocationsPerTask), f1(s.delayedPerTask), f1(s.serverMsPerTask), f2(s.serverMsPerInvocation), f1(s.serviceMsPerTask), f1(s.clientMsPerTask), f1(s.logRecordsPerTask), f1(s.keysWrittenPerTask)];
  out.push(
    grid(
      ['system', 'tasks/s', 'invocations/task', 'delayed/task', 'server ms/task', 'server ms/invocation', 'service ms/task', 'client ms/task', 'log records/task', 'keys written/task'],
      [row('floor (SDK alone)', systems.floor), row('echelon (1 process)', systems.echelon), ['echelon ÷ floor', `${f2(ratios.tasksPerSecond)}×`, `${f2(ratios.invocationsPerTask)}×`, '', `${f2(ratios.serverMsPerTask)}×`, '', '', '', '', '']],
    ),
  );
  out.push(`the floor's design makes ${f2(section.floorPlannedInvocationsPerTask)} invocations per task of the mix (2 per level of the route); the server counted ${f2(systems.floor.invocationsPerTask)}`);
  out.push('delayed/task: invocations scheduled for later (timers), which run after the round: not in the invocations or CPU figures');
  out.push('', `   one invocation through the ingress (${job.probeCalls} calls, ${job.probeInFlight} in flight) and one one-way hop between objects (a ${job.chainHops}-hop chain over a 1-hop one)`);
  const probeNames = { noop: 'object handler, nothing', clock: 'object handler, one ctx.date.now()', write: 'object handler, one state write', oneKey: '… the same, every caller on one object', hop: 'one-way send to another object (per hop)' } as const;
  out.push(
    grid(
      ['invocation', 'calls/s', 'server ms', 'service ms', 'log records', 'keys written'],
      Object.entries(probes).map(([name, p]) => [probeNames[name as keyof typeof probeNames], p.callsPerSecond === undefined ? '—' : f1(p.callsPerSecond), f2(p.serverMs), f2(p.serviceMs), f1(p.logRecords), f1(p.keysWritten)]),
    ),
  );
  out.push(`restate-server idle: ${f1(section.serverIdleMsPerSecond)} ms CPU per second`);
  out.push(
    `on ${ceilings.cores} idle cores, from the CPU per task: the floor ≤ ${f1(ceilings.floorAllProcesses)} tasks/s (≤ ${f1(ceilings.floorServerOnly)} if restate-server had every core), echelon ≤ ${f1(ceilings.echelonAllProcesses)} (≤ ${f1(ceilings.echelonServerOnly)})`,
    `200 tasks/s leaves ${f1((ceilings.cores * 1000) / 200)} ms of CPU per task: ${f2(ceilings.invocationsAt200Trivial)} invocations at the trivial handler's server cost, ${f2(ceilings.invocationsAt200Floor)} at the floor's (its tasks make ${f2(systems.floor.invocationsPerTask)})`,
  );
  return out;
}
