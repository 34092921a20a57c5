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
 * that throws, and objects that are not plain (`Map`, `Set`, class instances, errors: JSON would
 * keep only their own enumerable fields, often none). An object reached twice without a cycle is
 * accepted: it is stored twice.
 */

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
  try {
    return problemAt(value, root, new Map());
  } catch (error) {
    if (error instanceof RangeError) return `${root} is nested too deeply to be stored`;
    throw error;
  }
}

/** `ancestors`: the objects on the way from the root to here, with their paths (to name a cycle). */
function problemAt(value: unknown, path: string, ancestors: Map<object, string>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${String(value)}, which JSON cannot hold (it would be stored as null)`;
    case 'bigint':
      return `${path} is a BigInt (${String(value)}n); store it as a string or a number`;
    case 'undefined':
      return `${path} is undefined, which JSON cannot hold here (it would be stored as null)`;
    case 'function':
      return `${path} is a function`;
    case 'symbol':
      return `${path} is a symbol`;
  }
  if (value === null) return undefined;
  const object = value as object;
  const seenAt = ancestors.get(object);
  if (seenAt !== undefined) return `${path} refers back to ${seenAt} (a circular reference)`;
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    let json: unknown;
    try {
      json = (object as { toJSON(key: string): unknown }).toJSON('');
    } catch (error) {
      return `${path} has a toJSON() that throws (${error instanceof Error ? error.message : String(error)})`;
    }
    ancestors.set(object, path);
    const problem = problemAt(json, path, ancestors);
    ancestors.delete(object);
    return problem;
  }
  ancestors.set(object, path);
  const problem = Array.isArray(object) ? arrayProblem(object, path, ancestors) : objectProblem(object, path, ancestors);
  ancestors.delete(object);
  return problem;
}

function arrayProblem(array: readonly unknown[], path: string, ancestors: Map<object, string>): string | undefined {
  for (let index = 0; index < array.length; index++) {
    const problem = problemAt(array[index], `${path}[${index}]`, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function objectProblem(object: object, path: string, ancestors: Map<object, string>): string | undefined {
  const prototype = Object.getPrototypeOf(object) as object | null;
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (prototype.constructor as { name?: string } | undefined)?.name;
    return `${path} is ${name ? `an instance of ${name}` : 'an object with a prototype of its own'}, not a plain object (JSON would keep only its own fields)`;
  }
  if (Object.getOwnPropertySymbols(object).length > 0) return `${path} has a symbol key, which JSON leaves out`;
  for (const [key, item] of Object.entries(object)) {
    if (item === undefined) continue;
    const problem = problemAt(item, `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`, ancestors);
    if (problem !== undefined) return problem;
  }
  return undefined;
}
