/**
 * What every benchmarked system offers: submit a task by type, get back who executed it and
 * the path it took. echelon and each baseline implement this over the same hierarchy, so the
 * same workload runs through all of them and their routing can be compared task by task.
 */
import type { Hierarchy } from '../../src/index.js';

/** Where a task ended: the agent that executed it and the agents it travelled through. */
export interface Routed {
  readonly executedBy: string;
  readonly chain: readonly string[];
  readonly result: unknown;
}

/** A running system under benchmark. */
export interface System {
  readonly name: string;
  /** Submits one task of this type at the root; resolves once its result is back at the root. */
  submit(type: string): Promise<Routed>;
  stop(): Promise<void>;
}

/** How the benchmark builds a system. */
export interface SystemOptions {
  readonly hierarchy: Hierarchy;
  /** The most tasks the bench will have in flight (echelon sizes agent concurrency by it). */
  readonly inFlight: number;
  /** echelon only: attach an inspection observer that counts events, or one that serializes them. */
  readonly inspect?: 'count' | 'serialize';
  /** echelon only: persist to the in-memory store, or to a SQLite file (a fresh one in a temporary folder). */
  readonly store?: 'memory' | 'sqlite';
  /** echelon only: the deepest delegation allowed (`limits.maxDepth`), for organisations deeper than its default. */
  readonly maxDepth?: number;
  /** echelon only: each executor reports this many progress events per task (`context.progress`). */
  readonly progress?: number;
}

export type SystemFactory = (options: SystemOptions) => System;
