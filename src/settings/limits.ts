/**
 * How far one submitted task may go — delegation chain, escalations, fan-out, subtasks, levels of
 * decomposition — as the organisation's `limits` option sets it, and the defaults it starts from.
 */

/** The organisation's limits, every one set (`limits` option merged over {@link DEFAULT_LIMITS}). */
export type Limits = { readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/**
 * The limits an organisation has unless its `limits` option says otherwise.
 *
 * @example
 * ```ts
 * const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
 * ```
 */
export const DEFAULT_LIMITS = { maxDepth: 64, maxEscalations: 32, maxFanout: 100, maxSubtasks: 1000, maxDecompositionDepth: 8 } as const;
