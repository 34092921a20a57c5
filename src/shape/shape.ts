/**
 * Declarative shapes of what callers pass in — options, tasks — and one check that holds a value
 * to its shape: every key known (an unknown one is refused, with "did you mean" when a known key
 * is close), every value of the kind its key takes. Shapes are data, so the list of what an
 * option object may hold is written once, next to its type, and checked with `satisfies` against
 * that type's keys. Value ranges (a positive timeout, a whole number of attempts) stay with the
 * code that uses the values; a shape says which keys exist and what kind of thing each holds.
 */
import { EchelonError, type EchelonErrorCode } from '../errors.js';
import { closest } from './suggest.js';
import { thrownMessage } from '../show.js';

/** What a key may hold. */
export type Shape =
  | { readonly kind: 'anything' }
  | { readonly kind: 'function' | 'number' | 'string' | 'boolean' }
  /** A string of at most {@link MAX_TEXT_CHARACTERS} characters: text a caller hands in to be recorded (a comment, a reason). */
  | { readonly kind: 'text' }
  /** An object with exactly these keys (each optional); `moved` names keys that belong elsewhere, and where. */
  | { readonly kind: 'fields'; readonly fields: Readonly<Record<string, Shape>>; readonly moved?: Readonly<Record<string, string>> }
  /** An object implementing an interface: these methods (more members are the implementer's business). */
  | {
    readonly kind: 'implements'; readonly what: string; readonly methods: readonly string[]; readonly optional: readonly string[];
    /** Set when the interface has a `name` its messages quote: how to make one that has it. */
    readonly named?: string;
  }
  /** An object with any keys, each holding `values`. */
  | { readonly kind: 'record'; readonly values: Shape }
  /** An object keyed by agent ids of the hierarchy (`unknown_agent` otherwise), or by roles (`invalid_role`). */
  | { readonly kind: 'byId' | 'byRole'; readonly values: Shape }
  /** One value for every agent, or `{ byId, byRole, default }` (see `PerAgent`). */
  | { readonly kind: 'setting'; readonly value: Shape }
  | { readonly kind: 'either'; readonly shapes: readonly Shape[] };

export const anything: Shape = { kind: 'anything' };
export const fn: Shape = { kind: 'function' };
export const number: Shape = { kind: 'number' };
export const string: Shape = { kind: 'string' };
export const text: Shape = { kind: 'text' };

/**
 * The longest text a caller may hand in to be recorded — a person's comment or reason, a task's
 * id, type or approval reason: 64 Ki characters. Outcomes and the journal repeat such text, and a
 * store writes each record as one JSON string, which a JavaScript string bounds.
 */
export const MAX_TEXT_CHARACTERS = 64 * 1024;

/** Why `value` is no text to record (`what` names it), or `undefined` when it is one. */
export function textProblem(value: unknown, what: string): string | undefined {
  if (typeof value !== 'string') return `${what} must be a string, got ${describe(value)}.`;
  if (value.length <= MAX_TEXT_CHARACTERS) return undefined;
  return `${what} must be at most ${MAX_TEXT_CHARACTERS.toLocaleString('en-US')} characters, got ${value.length.toLocaleString('en-US')}: it is recorded, and longer text belongs in a task's payload or result.`;
}
export const boolean: Shape = { kind: 'boolean' };
export const fields = (shapes: Readonly<Record<string, Shape>>, moved?: Readonly<Record<string, string>>): Shape => ({ kind: 'fields', fields: shapes, ...(moved === undefined ? {} : { moved }) });
export const implementing = (what: string, methods: readonly string[], optional: readonly string[] = []): Shape => ({ kind: 'implements', what, methods, optional });
/** An interface whose non-empty `name` messages quote (`Decomposer "review" at …`); `namedBy` says how to make one. */
export const implementingNamed = (what: string, methods: readonly string[], namedBy: string): Shape => ({ kind: 'implements', what, methods, optional: [], named: namedBy });
export const record = (values: Shape): Shape => ({ kind: 'record', values });
export const setting = (value: Shape): Shape => ({ kind: 'setting', value });
export const either = (...shapes: Shape[]): Shape => ({ kind: 'either', shapes });
/** A per-agent object without the single-value form: `{ byId, byRole, default }` and `extra` keys. */
export const perAgent = (value: Shape, extra: Readonly<Record<string, Shape>> = {}): Shape =>
  fields({ byId: { kind: 'byId', values: value }, byRole: { kind: 'byRole', values: value }, default: value, ...extra });

/** Where a check runs: who to blame in messages, the code for a refusal, and the organisation's agents and roles. */
export interface ShapeContext {
  /** Opens every message, e.g. `createOrchestrator` or `submit`. */
  readonly where: string;
  /** The code of a refused key or kind (`invalid_option`, `invalid_task`). */
  readonly code: EchelonErrorCode;
  readonly agents: Names;
  readonly roles: Names;
  /** Let `byId` / `byRole` keys that name no agent / role through (the static check reports them as findings instead). */
  readonly unknownNamesAllowed?: boolean;
  /** What the whole value is called when it cannot be read (`the task`); default `the object it was given`. */
  readonly subject?: string;
}

/** Names keys are checked against: membership, and every name (for "did you mean", on a refusal only). */
export interface Names extends Iterable<string> {
  has(name: string): boolean;
}

/** A context for `checkShape`; `agents` and `roles` are needed only where a shape has per-agent settings. */
export const shapeContext = (where: string, code: EchelonErrorCode, agents: Names = new Set(), roles: Iterable<string> = []): ShapeContext => ({
  where,
  code,
  agents,
  roles: new Set(roles),
});

interface Problem {
  readonly code: EchelonErrorCode;
  readonly path: string;
  readonly message: string;
  readonly suggestion?: string;
}

/**
 * Throws an `EchelonError` for the first part of `value` that does not fit `shape`; `path` names
 * `value` in messages (`''` for the top level).
 *
 * @example
 * ```ts
 * const shape = fields({ concurrency: number, retain: number });
 * checkShape({ concurency: 2 }, shape, '', shapeContext('createOrchestrator', 'invalid_option'));
 * // throws invalid_option: 'createOrchestrator: unknown option "concurency" — did you mean "concurrency"? …'
 * ```
 */
export function checkShape(value: unknown, shape: Shape, path: string, context: ShapeContext): void {
  const problem = readingCaller(context.where, context.code, path === '' ? (context.subject ?? 'the object it was given') : path, () => problemOf(value, shape, path, context));
  if (problem === undefined) return;
  throw new EchelonError(problem.code, `${context.where}: ${problem.message}`, {
    details: { path: problem.path, ...(problem.suggestion === undefined ? {} : { suggestion: problem.suggestion }) },
  });
}

/**
 * Reads what a caller passed (`read`): a getter or Proxy trap of theirs that throws is refused at
 * the door like any other bad value, an `EchelonError` with `code` saying `what` could not be read.
 *
 * @example
 * ```ts
 * const copy = readingCaller('org.stream', 'invalid_option', 'its options', () => ({ ...options }));
 * ```
 */
export function readingCaller<T>(where: string, code: EchelonErrorCode, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EchelonError) throw error;
    const thrown = thrownMessage(error);
    throw new EchelonError(code, `${where}: ${what} could not be read: ${thrown}.`, { cause: error });
  }
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const describe = (value: unknown) => (value === null ? 'null' : value === undefined ? 'undefined' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`);
const list = (keys: readonly string[]) => keys.join(', ');

function problemOf(value: unknown, shape: Shape, path: string, context: ShapeContext): Problem | undefined {
  const kindProblem = (expected: string): Problem => ({ code: context.code, path, message: `${path || 'the value'} must be ${expected}, got ${describe(value)}.` });
  switch (shape.kind) {
    case 'anything':
      return undefined;
    case 'function':
    case 'number':
    case 'string':
    case 'boolean':
      return typeof value === shape.kind ? undefined : kindProblem(shape.kind === 'function' ? 'a function' : `a ${shape.kind}`);
    case 'text': {
      const message = textProblem(value, path || 'the value');
      return message === undefined ? undefined : { code: context.code, path, message };
    }
    case 'implements': {
      if (!isObject(value) && typeof value !== 'function') return kindProblem(shape.what);
      const missing = shape.methods.find((method) => typeof (value as Record<string, unknown>)[method] !== 'function');
      const wrong = shape.optional.find((method) => (value as Record<string, unknown>)[method] !== undefined && typeof (value as Record<string, unknown>)[method] !== 'function');
      const method = missing ?? wrong;
      if (method !== undefined) return { code: context.code, path, message: `${path || 'the value'} must be ${shape.what}, with a ${method}() method.` };
      if (shape.named === undefined) return undefined;
      const name = (value as Record<string, unknown>).name;
      if (typeof name !== 'string' || name.length === 0) {
        return { code: context.code, path, message: `${path || 'the value'} must be ${shape.what}, with a name its messages can quote (got ${name === '' ? 'an empty one' : describe(name)}): ${shape.named} makes one.` };
      }
      const long = textProblem(name, `${path || 'the value'}.name`);
      return long === undefined ? undefined : { code: context.code, path: `${path}.name`, message: long };
    }
    case 'either': {
      const problems = shape.shapes.map((candidate) => problemOf(value, candidate, path, context));
      if (problems.includes(undefined)) return undefined;
      // The form the value got into says what is wrong inside it (a misspelt key of the object form), not that it is none of the others.
      return problems.find((problem) => problem!.path !== path) ?? problems[0];
    }
    case 'record':
    case 'byId':
    case 'byRole':
      return isObject(value) ? keyedProblem(value, shape, path, context) : kindProblem('an object');
    case 'fields':
      return isObject(value) ? fieldsProblem(value, shape, path, context) : kindProblem('an object');
    case 'setting':
      return settingProblem(value, shape.value, path, context);
  }
}

function keyedProblem(value: Record<string, unknown>, shape: Extract<Shape, { kind: 'record' | 'byId' | 'byRole' }>, path: string, context: ShapeContext): Problem | undefined {
  for (const [key, item] of Object.entries(value)) {
    if (shape.kind !== 'record') {
      const known = shape.kind === 'byId' ? context.agents : context.roles;
      if (!known.has(key) && context.unknownNamesAllowed !== true) {
        const suggestion = closest(key, known);
        const what = shape.kind === 'byId' ? `names "${key}", which is not an agent of this hierarchy` : `names "${key}", which is not a role (${list([...context.roles])})`;
        return {
          code: shape.kind === 'byId' ? 'unknown_agent' : 'invalid_role',
          path: join(path, key),
          message: `${path} ${what}${suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`}.`,
          ...(suggestion === undefined ? {} : { suggestion: join(path, suggestion) }),
        };
      }
    }
    const problem = item === undefined ? undefined : problemOf(item, shape.values, join(path, key), context);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** `hint(key)`: where an unknown key probably belongs, when the enclosing shape can tell. */
function fieldsProblem(
  value: Record<string, unknown>,
  shape: Extract<Shape, { kind: 'fields' }>,
  path: string,
  context: ShapeContext,
  hint: (key: string) => string | undefined = () => undefined,
): Problem | undefined {
  const known = Object.keys(shape.fields);
  for (const [key, item] of Object.entries(value)) {
    const field = shape.fields[key];
    if (field !== undefined) {
      const problem = item === undefined || field.kind === 'anything' ? undefined : problemOf(item, field, join(path, key), context);
      if (problem !== undefined) return problem;
      continue;
    }
    const moved = shape.moved?.[key];
    const what = context.code === 'invalid_task' ? 'field of a task' : 'option';
    if (moved !== undefined) return { code: context.code, path: join(path, key), message: `"${join(path, key)}" is not ${article(what)}: ${key} is ${moved}.` };
    const suggestion = hint(key) ?? (closest(key, known) === undefined ? undefined : join(path, closest(key, known)!));
    return {
      code: context.code,
      path: join(path, key),
      message:
        `unknown ${what} "${join(path, key)}"${suggestion === undefined ? '' : ` — did you mean "${suggestion}"?`} ` +
        `(${path !== '' ? `${path} takes` : context.code === 'invalid_task' ? "a task's fields are" : 'the options are'} ${list(known)}).`,
      ...(suggestion === undefined ? {} : { suggestion }),
    };
  }
  return undefined;
}

const article = (what: string) => (/^[aeiou]/.test(what) ? `an ${what}` : `a ${what}`);

/**
 * A setting is one value for everyone, or the per-agent form. An object is read as the per-agent
 * form when it has one of its keys, a key that is an agent's id or a role, or when the single
 * value is not an object at all — so a key put beside `byId` instead of inside it
 * (`executors: { default, db_specialist }`) is pointed to where it belongs.
 */
function settingProblem(value: unknown, single: Shape, path: string, context: ShapeContext): Problem | undefined {
  if (!isObject(value)) return problemOf(value, single, path, context);
  const keys = Object.keys(value);
  const perAgentKey = (key: string) => PER_AGENT_KEYS.includes(key) || context.agents.has(key) || context.roles.has(key);
  if ((single.kind === 'fields' || single.kind === 'implements') && !keys.some(perAgentKey)) {
    // Read as the single value, unless it fails that and a key is close to byId, byRole or default.
    const asSingle = problemOf(value, single, path, context);
    if (asSingle === undefined || !keys.some((key) => closest(key, PER_AGENT_KEYS) !== undefined)) return asSingle;
  }
  return fieldsProblem(value, perAgent(single) as Extract<Shape, { kind: 'fields' }>, path, context, (key) => placement(key, single, path, context));
}

const PER_AGENT_KEYS = ['byId', 'byRole', 'default'];

/** Where `key`, found beside `byId`/`byRole`/`default`, belongs: an agent's id, a role, a field of the single value. */
function placement(key: string, single: Shape, path: string, context: ShapeContext): string | undefined {
  if (context.agents.has(key)) return join(path, `byId.${key}`);
  if (context.roles.has(key)) return join(path, `byRole.${key}`);
  if (single.kind === 'fields' && key in single.fields) return join(path, `default.${key}`);
  return undefined;
}
