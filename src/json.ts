/**
 * What counts as JSON data: what a store keeps and gives back unchanged. Tasks' payloads and
 * contexts (and executors' results) travel through `JSON.stringify` whenever a store is used, so
 * anything that would throw there, or come back different, is refused where it enters — one
 * caller's bad value must not reach a write that stops the whole organisation.
 *
 * JSON data is `null`, booleans, strings, finite numbers, arrays of JSON data, and plain objects
 * (prototype `Object.prototype` or `null`) of JSON data. Besides:
 * - a value with a `toJSON` method (a `Date`, say) is judged by what `toJSON()` returns, as
 *   `JSON.stringify` stores it — a `Date` is stored, and comes back, as its ISO string;
 * - an object property that is `undefined` is accepted and left out, as JSON leaves it out.
 *
 * Refused: `BigInt`s, functions, symbols (as values or keys), `NaN` and ±`Infinity` (JSON would
 * turn them into `null`), `undefined` in an array (likewise), circular references, a `toJSON`
 * (or a getter, or a proxy) that throws, and objects that are not plain (`Map`, `Set`, class instances, errors: JSON would
 * keep only their own enumerable fields, often none). An object reached twice without a cycle is
 * accepted: it is stored twice — and counted twice against the size bound: a value holding more
 * than {@link MAX_JSON_CHARACTERS} characters of text (its strings and keys, counted as often as
 * they are reached) is refused, since a store's `JSON.stringify` of the record holding it could
 * exceed what a JavaScript string can hold, and that write would stop the organisation.
 */
import { thrownMessage } from './show.js';

/**
 * The most text (characters of strings and keys) one JSON value may hold: 64 Mi. A store writes
 * a record as one JSON string, and a JavaScript string holds at most about 512 Mi characters;
 * large data belongs in a store of its own (files, a blob store), with a reference in the task.
 */
export const MAX_JSON_CHARACTERS = 64 * 1024 * 1024;

/** Characters counted by the quick check of the value it is looking at (it allocates nothing). */
let flatCharacters = 0;

const tooLarge = (root: string, characters: number) =>
  `${root} holds ${characters.toLocaleString('en-US')} characters of text, more than the ${MAX_JSON_CHARACTERS.toLocaleString('en-US')} a stored value may hold; keep large data elsewhere (a file, a blob store) and pass a reference`;

/**
 * The first part of `value` that is not JSON data, as a path from `root` and what is wrong with
 * it — or `undefined` when all of it is JSON data.
 *
 * @example
 * ```ts
 * jsonProblem({ n: 1, tags: ['a'] }, 'payload');      // undefined
 * jsonProblem({ items: [{ size: 10n }] }, 'payload');  // 'payload.items[0].size is a BigInt (10n)'
 * const loop: Record<string, unknown> = {}; loop.self = loop;
 * jsonProblem(loop, 'payload');                        // 'payload.self refers back to payload (a circular reference)'
 * ```
 */
export function jsonProblem(value: unknown, root = 'value'): string | undefined {
  // A getter or a proxy that throws: JSON.stringify would throw there too (in a store's write); here it must not escape.
  // Thrown in the quick check, the walk below finds (and names) it.
  if (readsFlat(value)) return flatCharacters > MAX_JSON_CHARACTERS ? tooLarge(root, flatCharacters) : undefined;
  const walk: Walk = { root, steps: [], ancestors: new Map(), characters: 0 };
  try {
    return problemAt(value, walk) ?? (walk.characters > MAX_JSON_CHARACTERS ? tooLarge(root, walk.characters) : undefined);
  } catch (error) {
    if (error instanceof RangeError) return `${root} is nested too deeply to be stored`;
    return `${pathOf(walk)} could not be read (${thrownMessage(error)})`;
  }
}

function readsFlat(value: unknown): boolean {
  flatCharacters = 0;
  try {
    return isFlatJson(value);
  } catch {
    return false;
  }
}

const isJsonScalar = (value: unknown): boolean =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** {@link isJsonScalar}, counting a string's characters in `flatCharacters`. */
const isCountedScalar = (value: unknown): boolean => {
  if (typeof value === 'string') {
    flatCharacters += value.length;
    return true;
  }
  return isJsonScalar(value);
};

/**
 * The common case, checked without allocating (every executor result passes here): a scalar, or a
 * plain object or array whose items are all scalars. Anything else takes the full walk, which
 * also names what is wrong.
 */
function isFlatJson(value: unknown): boolean {
  if (isCountedScalar(value)) return true;
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
    for (let index = 0; index < value.length; index++) if (!isCountedScalar(value[index])) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value) as object | null;
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    const item = (value as Record<string, unknown>)[key];
    if (item === undefined) continue;
    flatCharacters += key.length;
    if (!isCountedScalar(item)) return false;
  }
  return Object.getOwnPropertySymbols(value).length === 0;
}

/**
 * Where the check is: the keys and indexes from the root, and the objects on the way (with how
 * many steps down each was, to name a cycle). Paths are spelt out only for a problem.
 */
interface Walk {
  readonly root: string;
  readonly steps: Array<string | number>;
  readonly ancestors: Map<object, number>;
  /** Characters of text (strings and keys) met so far. */
  characters: number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function pathOf(walk: Walk, depth = walk.steps.length): string {
  let path = walk.root;
  for (const step of walk.steps.slice(0, depth)) {
    path += typeof step === 'number' ? `[${step}]` : IDENTIFIER.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  }
  return path;
}

function problemAt(value: unknown, walk: Walk): string | undefined {
  switch (typeof value) {
    case 'string':
      walk.characters += value.length;
      return undefined;
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${pathOf(walk)} is ${String(value)}, which JSON cannot hold (it would be stored as null)`;
    case 'bigint':
      return `${pathOf(walk)} is a BigInt (${String(value)}n); store it as a string or a number`;
    case 'undefined':
      return `${pathOf(walk)} is undefined, which JSON cannot hold here (it would be stored as null)`;
    case 'function':
      return `${pathOf(walk)} is a function`;
    case 'symbol':
      return `${pathOf(walk)} is a symbol`;
  }
  if (value === null) return undefined;
  const object = value as object;
  const seenAt = walk.ancestors.get(object);
  if (seenAt !== undefined) return `${pathOf(walk)} refers back to ${pathOf(walk, seenAt)} (a circular reference)`;
  let json: unknown = object;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    try {
      json = (object as { toJSON(key: string): unknown }).toJSON('');
    } catch (error) {
      return `${pathOf(walk)} has a toJSON() that throws (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  walk.ancestors.set(object, walk.steps.length);
  const problem = json !== object ? problemAt(json, walk) : Array.isArray(object) ? arrayProblem(object, walk) : objectProblem(object, walk);
  walk.ancestors.delete(object);
  return problem;
}

function arrayProblem(array: readonly unknown[], walk: Walk): string | undefined {
  for (let index = 0; index < array.length; index++) {
    walk.steps.push(index);
    const problem = problemAt(array[index], walk);
    walk.steps.pop();
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function objectProblem(object: object, walk: Walk): string | undefined {
  const prototype = Object.getPrototypeOf(object) as object | null;
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype.constructor as { name?: string } | undefined)?.name;
    return `${pathOf(walk)} is ${name ? `an instance of ${name}` : 'an object with a prototype of its own'}, not a plain object (JSON would keep only its own fields)`;
  }
  if (Object.getOwnPropertySymbols(object).length > 0) return `${pathOf(walk)} has a symbol key, which JSON leaves out`;
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    walk.steps.push(key); // before the read: a getter that throws is named by its key
    const item = (object as Record<string, unknown>)[key];
    if (item !== undefined) walk.characters += key.length;
    const problem = item === undefined ? undefined : problemAt(item, walk);
    walk.steps.pop();
    if (problem !== undefined) return problem;
  }
  return undefined;
}
