/**
 * Models of what takes time in an organisation: how long an agent's executor runs, how often it
 * fails and what it costs, and how long people take to decide — as data, so a design file can
 * hold them, sampled with a seeded random source.
 */
import { EchelonError } from '../errors.js';
import { agentKey } from '../show.js';
import { anything, closest, fields, number, type Shape } from '../shape/index.js';
import type { JournalEntry } from '../store/types.js';
import { checkedJournal } from './journal.js';
import { exponential, normal, type Random } from './random.js';

/** A distribution of durations in ms. */
export type LatencyModel =
  | { readonly kind: 'fixed'; readonly ms: number }
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  | { readonly kind: 'exponential'; readonly meanMs: number }
  /** Log-normal: half the samples under `medianMs`; `sigma` (of the log) sets the tail (0.5 is moderate, 1 heavy). */
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number }
  /** Drawn uniformly from recorded durations (see {@link latencyFromJournal}). */
  | { readonly kind: 'samples'; readonly ms: readonly number[] };

/** What an agent's executor is, as a model. */
export interface AgentModel {
  /** How long one attempt takes (default: fixed 1,000 ms). */
  readonly latency?: LatencyModel;
  /** Chance that an attempt fails, 0–1 (default 0); failures retry and escalate as the organisation's policies say. */
  readonly failureRate?: number;
  /** Cost (tokens, say) each attempt reports through `reportCost`: a number, or a distribution sampled per attempt. */
  readonly cost?: number | LatencyModel;
}

/** How people (or agents deciding as people) answer. */
export interface PersonModel {
  /** How long they take to answer. */
  readonly responseMs: LatencyModel;
  /** Chance of a rejection (approvals) or of failing the task (escalations), 0–1 (default 0). */
  readonly rejectRate?: number;
}

/** The keys of the models (their values are checked where the models are read). */
export const AGENT_MODEL = fields({ latency: anything, failureRate: number, cost: anything } satisfies Record<keyof AgentModel, Shape>);
export const PERSON_MODEL = fields({ responseMs: anything, rejectRate: number } satisfies Record<keyof PersonModel, Shape>);

/** The shorthands for the models above. */
export const latency = {
  fixed: (ms: number): LatencyModel => checked({ kind: 'fixed', ms }, 'latency.fixed'),
  uniform: (minMs: number, maxMs: number): LatencyModel => checked({ kind: 'uniform', minMs, maxMs }, 'latency.uniform'),
  exponential: (meanMs: number): LatencyModel => checked({ kind: 'exponential', meanMs }, 'latency.exponential'),
  lognormal: (medianMs: number, sigma: number): LatencyModel => checked({ kind: 'lognormal', medianMs, sigma }, 'latency.lognormal'),
  samples: (ms: readonly number[]): LatencyModel => checked({ kind: 'samples', ms }, 'latency.samples'),
} as const;

/** A model built by `latency.*`, refused where it is made (not later, where it is first used). */
function checked(model: LatencyModel, where: string): LatencyModel {
  checkLatency(model, where);
  return model;
}

/** Refuses a model that cannot be sampled (`invalid_option`, naming where it is). */
export function checkLatency(model: LatencyModel, where: string): void {
  const bad = (why: string) => new EchelonError('invalid_option', `${where}: ${why}, got ${JSON.stringify(model)}.`, { details: { where } });
  const nonNegative = (value: unknown) => typeof value === 'number' && Number.isFinite(value) && value >= 0;
  checkLatencyKeys(model, bad);
  switch (model?.kind) {
    case 'fixed':
      if (!nonNegative(model.ms)) throw bad('a fixed latency needs ms ≥ 0');
      break;
    case 'uniform':
      if (!nonNegative(model.minMs) || !nonNegative(model.maxMs) || model.maxMs < model.minMs) throw bad('a uniform latency needs 0 ≤ minMs ≤ maxMs');
      break;
    case 'exponential':
      if (!nonNegative(model.meanMs)) throw bad('an exponential latency needs meanMs ≥ 0');
      break;
    case 'lognormal':
      if (!(nonNegative(model.medianMs) && model.medianMs > 0) || !nonNegative(model.sigma)) throw bad('a log-normal latency needs medianMs > 0 and sigma ≥ 0');
      break;
    case 'samples':
      if (!Array.isArray(model.ms) || model.ms.length === 0 || !model.ms.every(nonNegative)) throw bad('recorded latencies need at least one duration ≥ 0');
      break;
    default: {
      const kind = (model as { kind?: unknown } | undefined)?.kind;
      const near = typeof kind === 'string' ? closest(kind, Object.keys(LATENCY_KEYS)) : undefined;
      throw bad(`a latency model's kind is one of ${Object.keys(LATENCY_KEYS).join(', ')}${near === undefined ? '' : ` — did you mean "${near}"?`}`);
    }
  }
  // Past 2^53 the clock cannot tell one ms from the next (and e^(6.7 σ) overflows to Infinity, which a timer reads as 0 ms).
  if (!(largestSample(model) <= Number.MAX_SAFE_INTEGER)) {
    throw bad(`its samples reach ${largestSample(model).toPrecision(3)}: a model samples at most 2^53 − 1 (as ms, 285,000 years)${model.kind === 'lognormal' ? '; the largest is medianMs × e^(6.7 × sigma), so lower sigma' : ''}`);
  }
}

/** The keys of each kind of latency model besides `kind`. */
const LATENCY_KEYS = { fixed: ['ms'], uniform: ['minMs', 'maxMs'], exponential: ['meanMs'], lognormal: ['medianMs', 'sigma'], samples: ['ms'] } as const satisfies Record<LatencyModel['kind'], readonly string[]>;

/** Refuses a key a model of its kind does not have: a misspelt `maxMS` would be left out, the model run without it. */
function checkLatencyKeys(model: LatencyModel, bad: (why: string) => EchelonError): void {
  if (typeof model !== 'object' || model === null || !Object.hasOwn(LATENCY_KEYS, model.kind)) return;
  const keys: readonly string[] = LATENCY_KEYS[model.kind];
  const unknown = Object.keys(model).find((key) => key !== 'kind' && !keys.includes(key));
  if (unknown === undefined) return;
  const near = closest(unknown, keys);
  throw bad(`unknown key "${unknown}"${near === undefined ? '' : ` — did you mean "${near}"?`} (a ${model.kind} latency has kind, ${keys.join(', ')})`);
}

/** The largest value `model` can sample: mulberry32's smallest step (2^-32) bounds the exponential's and the normal's tails. */
export function largestSample(model: LatencyModel): number {
  switch (model.kind) {
    case 'fixed':
      return model.ms;
    case 'uniform':
      return model.maxMs;
    case 'exponential':
      return model.meanMs * 32 * Math.LN2;
    case 'lognormal':
      return model.medianMs * Math.exp(model.sigma * Math.sqrt(64 * Math.LN2));
    case 'samples':
      return model.ms.reduce((largest, ms) => Math.max(largest, ms), 0);
  }
}

/** One duration from `model`. */
export function sample(model: LatencyModel, random: Random): number {
  switch (model.kind) {
    case 'fixed':
      return model.ms;
    case 'uniform':
      return model.minMs + (model.maxMs - model.minMs) * random();
    case 'exponential':
      return exponential(random, model.meanMs);
    case 'lognormal':
      return model.medianMs * Math.exp(model.sigma * normal(random));
    case 'samples':
      return model.ms[Math.floor(random() * model.ms.length)]!;
  }
}

/**
 * Recorded execution times from a store's journal (`org.journal()`), per agent: from each
 * `task.started` to the `task.ended` of the same task at the agent that executed it.
 *
 * @example
 * ```ts
 * const byId = Object.fromEntries(Object.entries(latencyFromJournal(org.journal())).map(([id, model]) => [id, { latency: model }]));
 * simulate({ organisation, agents: { byId }, workload });
 * ```
 */
export function latencyFromJournal(entries: readonly JournalEntry[]): Record<string, LatencyModel> {
  const started = new Map<string, number>();
  const durations: Record<string, number[]> = {};
  for (const entry of checkedJournal(entries, 'latencyFromJournal: entries')) {
    if (entry.taskId === undefined) continue;
    const key = agentKey(entry.actor, entry.taskId);
    if (entry.type === 'task.started') started.set(key, entry.at);
    else if (entry.type === 'task.ended' && entry.data?.executedBy === entry.actor && started.has(key)) {
      (durations[entry.actor] ??= []).push(entry.at - started.get(key)!);
      started.delete(key);
    }
  }
  return Object.fromEntries(Object.entries(durations).map(([agent, ms]) => [agent, latency.samples(ms)]));
}
