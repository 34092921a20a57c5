/**
 * Seeded randomness for simulations: mulberry32 (Tommy Ettinger's 32-bit generator, public
 * domain: one 32-bit state, period 2³², passes the gjrand and PractRand tests to 2³² outputs —
 * plenty for runs of millions of samples) and the distributions the latency models draw from.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32 seeded with `seed` (any number; its low 32 bits are used).
 *
 * @example
 * ```ts
 * const random = mulberry32(42);
 * random(); // 0.6011037519201636, the same on every run
 * ```
 */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponential sample with the given mean (inverse transform; never `Infinity`). */
export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

/** A standard normal sample (Box–Muller, one of the pair). */
export function normal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * An independent stream for each name, derived from one seed (so adding a model does not shift the
 * others). The seed is a safe integer: its low 32 bits start the hash and the bits above them, when
 * there are any, are mixed in (so seeds from 0 to 2³² − 1 keep the streams they always had).
 */
export function streamFor(seed: number, name: string): Random {
  let hash = 2166136261 ^ seed;
  const high = Math.floor(seed / 4294967296);
  if (high !== 0) hash = Math.imul(hash ^ high, 16777619);
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return mulberry32(hash >>> 0);
}
