/**
 * What one Restate invocation gives the organisation's code while it runs: the time, randomness
 * and ids of that invocation (from the Restate context, so a replayed handler decides the same),
 * the resource claims and budget spending read for it, and what it charged and asked for. Kept in
 * an `AsyncLocalStorage` so the ports — built once per process — read the invocation they run in,
 * however many run at once.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Effect, HostPort } from '../../machines/ports.js';
import type { ResourceClaim } from '../escalation/types.js';
import { EchelonError } from '../errors.js';
import { checkCostBudget, costAmount } from '../settings/index.js';
import type { PortsHost } from '../runtime/ports.js';
import type { Task } from '../types.js';

/** The budget account a task charges. */
export const accountOf = (task: Task): string => task.budget?.account ?? task.id;

/** One invocation's view of the world. */
export interface Invocation {
  /** The invocation's time (journaled once: `ctx.date.now()`). */
  readonly now: number;
  /** Deterministic randomness (`ctx.rand`). */
  readonly random: () => number;
  readonly uuid: () => string;
  /** The effects an agent's turn asked for. */
  readonly effects: Effect[];
  /** Resource claims read for this invocation (empty when nothing it handles declares resources). */
  readonly claims: readonly ResourceClaim[];
  /** What each budget account had spent when the invocation started (and what it has since filed: `settleCharges`). */
  readonly spent: Map<string, number>;
  /** What this invocation charged, per account, with the task that charged it first. */
  readonly charged: Map<string, { readonly task: Task; amount: number }>;
  /** The task with this id the agent holds or is handling, for charges made by id. */
  readonly taskOf: (taskId: string) => Task | undefined;
}

/** A charge to file with a task's books. */
export interface Charge {
  readonly task: Task;
  readonly amount: number;
}

/**
 * The charges made in `here` since they were last filed, to send to the books: they move from
 * charged to spent, so a decision still running after its turn (it charges the same invocation)
 * files only what it added, and its budget checks still count all of it.
 */
export function settleCharges(here: Invocation): Charge[] {
  const charges: Charge[] = [];
  for (const [account, { task, amount }] of here.charged) {
    if (amount > 0) charges.push({ task, amount });
    here.spent.set(account, (here.spent.get(account) ?? 0) + amount);
  }
  here.charged.clear();
  return charges;
}

const storage = new AsyncLocalStorage<Invocation>();

/** Runs `fn` inside an invocation. */
export function within<T>(invocation: Invocation, fn: () => T): T {
  return storage.run(invocation, fn);
}

function current(): Invocation {
  const invocation = storage.getStore();
  if (invocation === undefined) throw new EchelonError('internal_error', 'echelon/restate: organisation code ran outside a Restate invocation.');
  return invocation;
}

/** An invocation with nothing read yet, over a Restate context's clock and randomness. */
export function invocation(
  now: number,
  rand: { random(): number; uuidv4(): string },
  read: Partial<Pick<Invocation, 'claims' | 'taskOf'>> & { readonly spent?: ReadonlyMap<string, number> } = {},
): Invocation {
  return {
    now,
    random: () => rand.random(),
    uuid: () => rand.uuidv4(),
    effects: [],
    claims: read.claims ?? [],
    spent: new Map(read.spent),
    charged: new Map(),
    taskOf: read.taskOf ?? (() => undefined),
  };
}

/** Charges `task`'s budget account in the current invocation; `budget_exceeded` over its limit. */
function charge(task: Task, amount: number): void {
  costAmount(amount);
  const here = current();
  const account = accountOf(task);
  const entry = here.charged.get(account) ?? { task, amount: 0 };
  entry.amount += amount;
  here.charged.set(account, entry);
  checkCostBudget(task, (here.spent.get(account) ?? 0) + entry.amount);
}

/** What the policy and settings ports read from their host, answered from the current invocation. */
export const portsHost: PortsHost = {
  now: () => current().now,
  resources: {
    conflicts(agentId, task, anyAgent = false) {
      return current().claims.filter((claim) => task.resources.includes(claim.resource) && (anyAgent || claim.agentId !== agentId) && claim.taskId !== task.id);
    },
  },
  reportCost: charge,
  costSpent: (task) => {
    const here = current();
    const account = accountOf(task);
    return (here.spent.get(account) ?? 0) + (here.charged.get(account)?.amount ?? 0);
  },
};

/** The agent chart's host port: effects are collected for the invocation to carry out once the message is handled. */
export const agentHost: HostPort = {
  perform: (_agentId, effects) => {
    current().effects.push(...effects);
  },
  now: () => current().now,
  random: () => current().random(),
  newId: (prefix) => `${prefix}_${current().uuid().replace(/-/g, '').slice(0, 12)}`,
  charge: (taskId, amount) => {
    const task = current().taskOf(taskId);
    if (task !== undefined) charge(task, amount);
  },
};
