/**
 * `jsonProblem` answers flat values (scalars, plain objects and arrays of scalars) without its
 * full walk: the short cut must accept exactly what the walk accepts, and leave every refusal to
 * it, with its message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonProblem } from '../../src/json.js';

describe('jsonProblem on flat values', () => {
  it('accepts flat JSON data: scalars, and plain objects and arrays of scalars (undefined properties left out)', () => {
    for (const value of [null, 'a', '', true, false, 0, -1.5, {}, [], { a: 1, b: 'x', c: null, d: undefined }, Object.assign(Object.create(null), { n: 1 }), [1, 'two', null, false]]) {
      expect(jsonProblem(value)).toBeUndefined();
    }
  });

  it('refuses flat values the walk refuses, with the walk’s message', () => {
    const symbolKey = { a: 1, [Symbol('s')]: 2 };
    expect(jsonProblem(symbolKey, 'payload')).toBe('payload has a symbol key, which JSON leaves out');
    expect(jsonProblem({ ratio: Number.NaN }, 'payload')).toBe('payload.ratio is NaN, which JSON cannot hold (it would be stored as null)');
    expect(jsonProblem([1, undefined], 'payload')).toMatch(/^payload\[1\] is undefined/);
    expect(jsonProblem([1, 2n], 'payload')).toMatch(/^payload\[1\] is a BigInt/);
    expect(jsonProblem(Number.POSITIVE_INFINITY, 'result')).toMatch(/^result is Infinity/);
    expect(jsonProblem(new (class Point {})(), 'result')).toMatch(/^result is an instance of Point/);
  });

  it('judges a flat array or object by its toJSON, as JSON.stringify stores it', () => {
    const array = Object.assign([1, 2], { toJSON: () => ({ big: 1n }) });
    expect(jsonProblem(array, 'result')).toBe('result.big is a BigInt (1n); store it as a string or a number');
    const object = { a: 1, toJSON: () => [Symbol('x')] };
    expect(jsonProblem(object, 'result')).toBe('result[0] is a symbol');
  });

  it('accepts exactly the flat values that JSON keeps unchanged, for arbitrary flat values', () => {
    const scalar = fc.oneof(fc.constant(null), fc.string(), fc.boolean(), fc.double(), fc.constant(undefined), fc.bigInt());
    const flat = fc.oneof(scalar, fc.array(scalar), fc.dictionary(fc.string(), scalar));
    fc.assert(
      fc.property(flat, (value) => {
        expect(jsonProblem(value) === undefined).toBe(keptByJson(value));
      }),
      { seed: 20261201, numRuns: 2000 },
    );
  });
});

/** Whether JSON keeps a flat value: no BigInt, no non-finite number, no undefined at the top or in an array. */
function keptByJson(value: unknown): boolean {
  const kept = (item: unknown, inArray: boolean) => typeof item !== 'bigint' && (typeof item !== 'number' || Number.isFinite(item)) && !(inArray && item === undefined);
  if (value === undefined) return false;
  if (Array.isArray(value)) return value.every((item) => kept(item, true));
  if (typeof value === 'object' && value !== null) return Object.values(value).every((item) => kept(item, false));
  return kept(value, false);
}
