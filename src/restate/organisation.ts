/**
 * One organisation as a Restate process sees it: its options checked (the in-process-only ones
 * refused, saying why), its layout in Restate, and — in a service process — the policy, settings
 * and executor runner resolved exactly as `createOrchestrator` resolves them, over a host that
 * answers from the current Restate invocation.
 */
import type { AgentMachine } from '../../machines/agent.machine.js';
import { EchelonError } from '../errors.js';
import { closest } from '../shape/index.js';
import { checkOrchestratorOptions, type OrchestratorOptions } from '../runtime/options.js';
import { DEFAULT_LIMITS } from '../settings/index.js';
import { resolveOptions, type ResolvedOptions } from '../runtime/ports.js';
import type { Job, PolicyPort, Step } from '../../machines/ports.js';
import { MESSAGE_LIMIT_BYTES, mib, oversized, sized } from './message-size.js';
import { isThenable } from '../thenable.js';
import { restateAgentMachine } from './agent-turn.js';
import { restateLayout, type RestateLayout } from './layout.js';
import { PendingDecisions } from './pending-decisions.js';
import { portsHost } from './scope.js';
import type { Task } from '../types.js';
import { withoutResults } from '../delegation/index.js';
import type { InProcessOnlyOption, RestateOrganisationOptions } from './types.js';

const IN_PROCESS_ONLY: Record<InProcessOnlyOption, string> = {
  clock: 'time comes from Restate (ctx.date), and timers are Restate delayed sends',
  messageDelayMs: 'messages are Restate sends; step scenarios in-process',
  random: 'randomness comes from Restate (ctx.rand), so a replayed handler decides the same',
  store: 'the state lives in Restate',
  resume: 'an organisation on Restate resumes by itself: its state lives in Restate',
  inspect: 'agents are virtual objects, not one XState actor system',
};

/** The keys `echelon/restate` adds to the organisation's options, by who takes them. */
const OWN_KEYS = ['name', 'units', 'hosts', 'ingressUrl', 'adminUrl', 'headers', 'requestTimeoutMs'] as const;

/** The organisation's options and layout, checked. */
export interface OrganisationBase {
  readonly options: RestateOrganisationOptions;
  readonly layout: RestateLayout;
  readonly limits: { readonly [K in keyof typeof DEFAULT_LIMITS]: number };
}

/** What a service process runs the organisation with. */
export interface Organisation extends OrganisationBase {
  readonly resolved: ResolvedOptions;
  readonly machine: AgentMachine;
  /** The decisions this process's agents await (a promise lives in the process that asked). */
  readonly decisions: PendingDecisions;
}

/** Checks the options (as `createOrchestrator` does, refusing what only an in-process organisation has) and lays the organisation out. */
export function organisationBase(options: RestateOrganisationOptions, where: string): OrganisationBase {
  if (typeof options !== 'object' || options === null || typeof options.hierarchy?.get !== 'function') {
    throw new EchelonError('invalid_option', `${where} needs the organisation's options: { hierarchy, executors, … } (the same module in every process).`);
  }
  const rest: Record<string, unknown> = { ...options };
  for (const key of OWN_KEYS) delete rest[key];
  for (const key of Object.keys(IN_PROCESS_ONLY) as InProcessOnlyOption[]) {
    if (key in rest) throw new EchelonError('invalid_option', `${where}: "${key}" is not an option on Restate: ${IN_PROCESS_ONLY[key]}.`, { details: { option: key } });
  }
  try {
    checkOrchestratorOptions(rest as unknown as OrchestratorOptions);
  } catch (error) {
    throw asRestateRefusal(error, where);
  }
  return { options, layout: restateLayout(options.hierarchy, options.name, options.units), limits: { ...DEFAULT_LIMITS, ...options.limits } };
}

/**
 * How long Restate lets a unit's executor and decision services run without a word before it
 * aborts and retries them: an executor or an awaited decision runs inside one journaled step, so past the longest timeout
 * its agents allow (plus a minute), never Restate's default 10 minutes below it.
 */
export function abortTimeoutMs(org: Organisation, unit: string, what: 'executors' | 'decisions'): number {
  const { hierarchy } = org.options;
  const { settings } = org.resolved;
  let longest = 0;
  for (const node of hierarchy.subtree(unit)) {
    if (org.layout.unitOf(node.id) !== unit) continue;
    // A task without its own execution override: the agent's policy.
    const ms = what === 'executors' ? settings.executionPolicy(node.id, { execution: undefined } as unknown as Task).timeoutMs : settings.decisionTimeoutMs(node.id);
    longest = Math.max(longest, ms);
  }
  return Math.max(longest + 60_000, 10 * 60_000);
}

/** The organisation as a service process runs it. */
export function organisation(options: RestateOrganisationOptions, where: string): Organisation {
  const base = organisationBase(options, where);
  const rest: Record<string, unknown> = { ...options };
  for (const key of OWN_KEYS) delete rest[key];
  const resolved = withinLimits(resolveOptions(rest as unknown as OrchestratorOptions, portsHost));
  return { ...base, resolved, machine: restateAgentMachine(resolved.policy, resolved.settings), decisions: new PendingDecisions() };
}

/**
 * The ports with what a split sends held to Restate's message limit, as a task and its result are.
 * A split's parts go in one message with the task (its `task.decomposed` report), and its settlement goes up
 * with the task: the merged result and the tree of its parts with theirs (each within the limit,
 * all together may not be). Over the limit the split fails with `decomposer_error` — its tree kept
 * without results — instead of a message that never settles.
 */
function withinLimits(resolved: ResolvedOptions): ResolvedOptions {
  const { select, settleJoin } = resolved.policy;
  const refused = (message: string, bytes: number) => ({ code: 'decomposer_error' as const, message, details: { bytes, limit: MESSAGE_LIMIT_BYTES } });
  const parts = (agentId: string, job: Job, step: Step): Step => {
    if (step.kind !== 'fanout') return step;
    const subtasks = step.subtasks.map((part) => part.task);
    const bytes = oversized(subtasks);
    const advice = 'keep large data elsewhere and pass references to it.';
    if (bytes !== undefined) return { kind: 'fail', error: refused(`${agentId} split ${job.task.id} into parts that are ${sized(bytes)} of JSON together; on Restate they are at most ${mib(MESSAGE_LIMIT_BYTES)}: ${advice}`, bytes) };
    // The split's report carries the task with its parts: a 7.8 MiB task whose one part copied its payload left its case retried for ever.
    const reported = oversized({ task: job.task, subtasks });
    if (reported === undefined) return step;
    return { kind: 'fail', error: refused(`${agentId} split ${job.task.id} into parts that are, with the task, ${sized(reported)} of JSON (the split's report carries both); on Restate that is at most ${mib(MESSAGE_LIMIT_BYTES)}: ${advice}`, reported) };
  };
  const policy: PolicyPort = {
    ...resolved.policy,
    select(agentId, job, candidates, control) {
      const step = select(agentId, job, candidates, control);
      return isThenable(step) ? Promise.resolve(step).then((answered) => parts(agentId, job, answered)) : parts(agentId, job, step);
    },
    settleJoin(agentId, join) {
      const settlement = settleJoin(agentId, join);
      const bytes = oversized({ task: join.task, settlement });
      if (bytes === undefined) return settlement;
      const message = `${agentId} settled ${join.task.id} with ${sized(bytes)} of JSON, the task, its merged result and its parts' together; on Restate that is at most ${mib(MESSAGE_LIMIT_BYTES)}: keep large data elsewhere and return references to it.`;
      return { status: 'failed', error: refused(message, bytes), attempts: settlement.attempts, ...(settlement.splitBy === undefined ? {} : { splitBy: settlement.splitBy }), ...(settlement.subtasks === undefined ? {} : { subtasks: settlement.subtasks.map(withoutResults) }) };
    },
  };
  return { ...resolved, policy };
}

/** createOrchestrator's refusal of an option, said by `where`, suggesting one of echelon/restate's own keys where one is close. */
function asRestateRefusal(error: unknown, where: string): unknown {
  if (!(error instanceof EchelonError)) return error;
  const path = error.details?.path;
  const own = typeof path === 'string' && error.details?.suggestion === undefined ? closest(path, OWN_KEYS) : undefined;
  const message =
    own === undefined
      ? error.message.replace(/^createOrchestrator: /, `${where}: `)
      : `${where}: unknown option "${String(path)}" — did you mean "${own}"? (the options are createOrchestrator's and ${OWN_KEYS.join(', ')}).`;
  return new EchelonError(error.code, message, { details: { ...error.details, ...(own === undefined ? {} : { suggestion: own }) }, cause: error });
}
