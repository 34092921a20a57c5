/**
 * Random organisations with random faults, from a seed: a hierarchy of random shape and
 * capabilities, a plan of tasks (some nobody can do, some split, some waiting for approval), an
 * executor whose every attempt may answer, throw (retryably or not), hang until aborted, or return
 * a result that is not JSON data, and the bad inputs a caller or a person may try. Shared by the
 * in-process fault property and the child process its crash property kills.
 */
import { decomposeWith, defineHierarchy, EchelonError, type Executor, type Hierarchy, type Orchestrator } from '../../src/index.js';
import { seeded } from './helpers.js';

export const CAPABILITIES = ['a', 'b', 'c', 'd'] as const;

export interface PlannedTask {
  readonly id: string;
  readonly type: string;
  readonly approval: boolean;
}

export interface RandomOrganisation {
  readonly hierarchy: Hierarchy;
  readonly tasks: readonly PlannedTask[];
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const some = (random: () => number): string[] => CAPABILITIES.filter(() => random() < 0.4);

/** An executive, one to three managers, each with one to three workers; capabilities at random (some may be missing everywhere). */
export function randomOrganisation(seed: number, taskCount: number, withApprovals = true): RandomOrganisation {
  const random = seeded(seed);
  const managers = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, m) => ({
    id: `m${m}`,
    role: 'manager' as const,
    capabilities: random() < 0.3 ? some(random) : [],
    children: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, w) => ({ id: `m${m}w${w}`, role: 'worker' as const, capabilities: some(random) })),
  }));
  const hierarchy = defineHierarchy({ id: 'exec', role: 'executive', capabilities: random() < 0.5 ? ['d'] : [], children: managers });
  const tasks = Array.from({ length: taskCount }, (_, index) => {
    const type = random() < 0.15 ? 'pair' : random() < 0.1 ? 'nobody' : pick(random, CAPABILITIES);
    return { id: `s${seed}-t${index}`, type, approval: withApprovals && random() < 0.2 };
  });
  return { hierarchy, tasks };
}

/** `pair` tasks split at the executive into an `a` and a `b` part. */
export const pairs = decomposeWith('pairs', (task) => (task.type === 'pair' ? [{ key: 'left', type: 'a' }, { key: 'right', type: 'b' }] : undefined));

/** Whether an error is one no retry can fix (the faulty executor's `permanent` failures). */
export const retryable = (error: unknown) => !(error instanceof Error && error.message.startsWith('permanent'));

/** An executor whose every attempt is a fault or an answer, decided by the seed, the task and the attempt — the same in every process. Tasks named `follow…` always succeed. */
export function faultyExecutor(seed: number, onAttempt: (what: string) => void = () => undefined): Executor {
  return async (task, { attempt, agent, signal }) => {
    const roll = seeded(seed ^ hash(`${task.id}@${agent.id}#${attempt}`))();
    const fault = task.id.startsWith('follow') ? 'ok' : roll < 0.15 ? 'throw' : roll < 0.25 ? 'permanent' : roll < 0.33 ? 'hang' : roll < 0.43 ? 'bigint' : 'ok';
    onAttempt(fault);
    await Promise.resolve();
    switch (fault) {
      case 'throw':
        throw new Error(`flaky ${agent.id}`);
      case 'permanent':
        throw new Error(`permanent ${agent.id}`);
      case 'hang':
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      case 'bigint':
        return { n: 10n };
      default:
        return { by: agent.id, task: task.id };
    }
  };
}

/** Something a caller or a person may try that must be refused with an EchelonError, changing nothing. */
export type BadInput = (org: Orchestrator) => unknown;

/** Bad inputs to submit and to the people's desk (some aimed at what is pending or active now). */
export function badInputs(org: Orchestrator, activeId: string | undefined): BadInput[] {
  const approval = org.approvals.pending()[0];
  const escalation = org.escalations.active()[0];
  const looseApprove = org.approvals.approve as (id: string, decision?: unknown) => void;
  const looseResolve = org.escalations.resolve as (id: string, resolution?: unknown) => void;
  const looseSubmit = org.submit as (task: unknown, options?: unknown) => Promise<unknown>;
  return [
    () => looseSubmit({ type: 'a', payload: { n: 10n } }),
    () => {
      const loop: Record<string, unknown> = {};
      loop.self = loop;
      return looseSubmit({ type: 'a', context: { loop } });
    },
    () => looseSubmit({ type: 'a', at: 'exec' }),
    () => looseSubmit({ type: '' }),
    () => looseSubmit({ type: 'a' }, { at: 'nobody' }),
    () => looseSubmit({ type: 'a' }, { concurency: 2 }),
    ...(activeId === undefined ? [] : [() => looseSubmit({ id: activeId, type: 'a' })]),
    () => looseApprove('apv_nope', { by: 'exec' }),
    ...(approval === undefined ? [] : [() => looseApprove(approval.id), () => looseApprove(approval.id, { by: approval.requester }), () => org.approvals.reject(approval.id, { by: 'nobody' })]),
    () => looseResolve('esc_nope', { result: 1 }),
    ...(escalation === undefined ? [] : [() => looseResolve(escalation.id), () => looseResolve(escalation.id, { result: 1n })]),
    () => org.cancel('nope'),
  ];
}

/** The EchelonError a bad input is refused with, thrown or as a rejection; anything else is a failure. */
export async function refusal(input: BadInput, org: Orchestrator): Promise<EchelonError> {
  let thrown: unknown;
  try {
    await input(org);
  } catch (error) {
    thrown = error;
  }
  if (thrown instanceof EchelonError) return thrown;
  throw new Error(`expected an EchelonError, got ${thrown === undefined ? 'no refusal' : String(thrown)} from ${input.toString()}`);
}

function hash(text: string): number {
  let value = 2166136261;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16777619);
  return value >>> 0;
}
