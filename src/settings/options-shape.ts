/**
 * What kind of value each of an organisation's options holds — `createOrchestrator`'s options,
 * which `checkOrganisation` and designs take too — declared once, below the runtime, so that the
 * runtime refuses a misspelt option and the static check refuses it alike. (The runtime holds the
 * shapes to its option types: `runtime/options.ts` fails to compile when a key is missing or extra.)
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { boolean, either, fields, fn, implementing, implementingNamed, number, perAgent, record, setting, type Names, type Shape } from '../shape/index.js';
import { EXECUTION_POLICY } from './execution.js';

const DECOMPOSER = implementingNamed('a Decomposer', ['decompose'], "decomposeWith('name', decompose)");

/** `approvals`' options. */
export const APPROVAL_OPTION_FIELDS = { required: fn, timeoutMs: number, approvers: setting(fn) } as const satisfies Record<string, Shape>;
/** An execution setting's options: the policy, and which failures are worth retrying. */
export const EXECUTION_OPTION_FIELDS = { ...EXECUTION_POLICY, retryable: fn } as const satisfies Record<string, Shape>;
/** `decisions`' options. */
export const DECISION_OPTION_FIELDS = { timeoutMs: setting(number), concurrency: setting(number) } as const satisfies Record<string, Shape>;
/** `limits`' options. */
export const LIMIT_OPTION_FIELDS = { maxDepth: number, maxEscalations: number, maxFanout: number, maxSubtasks: number, maxDecompositionDepth: number } as const satisfies Record<string, Shape>;

/** Every option of an organisation, and what kind of value each holds (ranges are checked where they are used). */
export const ORGANISATION_OPTION_FIELDS = {
  hierarchy: implementing('a Hierarchy (defineHierarchy(), hierarchyFromList() or a preset such as developmentTeam())', ['get', 'nodes']),
  executors: setting(fn),
  strategy: setting(implementingNamed('a DelegationStrategy', ['select'], "delegateWith('name', select)")),
  decomposers: perAgent(DECOMPOSER, { byType: record(DECOMPOSER) }),
  escalation: implementing('an EscalationPolicy', ['shouldEscalate', 'target'], ['resolution']),
  onEscalation: fn,
  approvals: fields(APPROVAL_OPTION_FIELDS),
  execution: setting(fields(EXECUTION_OPTION_FIELDS)),
  concurrency: setting(number),
  decisions: fields(DECISION_OPTION_FIELDS),
  limits: fields(LIMIT_OPTION_FIELDS),
  clock: implementing('a clock (XState’s SimulatedClock fits)', ['setTimeout', 'clearTimeout'], ['now']),
  messageDelayMs: number,
  random: fn,
  retain: number,
  store: implementing('a Store (memoryStore(), or sqliteStore(file) from echelon/sqlite)', ['header', 'load', 'write', 'outcome', 'escalation', 'approval', 'journal', 'close', 'lock', 'unlock']),
  resume: boolean,
  inspect: either(fn, implementing('an inspection observer', [], ['next', 'error', 'complete'])),
} as const satisfies Record<string, Shape>;

/**
 * The hierarchy's agent ids, as shapes check `byId` keys against them (listed only for a suggestion).
 *
 * @example
 * ```ts
 * agentNames(developmentTeam()).has('cto'); // true
 * ```
 */
export const agentNames = (hierarchy: Hierarchy): Names => ({ has: (id: string) => hierarchy.has(id), [Symbol.iterator]: () => hierarchy.nodes().map((node) => node.id)[Symbol.iterator]() });
