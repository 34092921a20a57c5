/** Every system the benchmark can run, by a stable key used in jobs and results. */
import { echelon, echelonQueued } from './echelon.js';
import { plainAsync } from './plain-async.js';
import { rawChart } from './raw-chart.js';
import { rawXState, rawXStatePerTask } from './raw-xstate.js';
import { echelonProgress, echelonProgressWatched, echelonStreamed } from './streaming.js';
import type { SystemFactory } from './types.js';

export const SYSTEMS = {
  plain: plainAsync,
  raw: rawXState,
  'raw-actors': rawXStatePerTask,
  'raw-chart': rawChart,
  echelon,
  'echelon-inspect': (options) => echelon({ ...options, inspect: 'count' }),
  'echelon-inspect-json': (options) => echelon({ ...options, inspect: 'serialize' }),
  'echelon-queued': echelonQueued,
  'echelon-memory-store': (options) => echelon({ ...options, store: 'memory' }),
  'echelon-sqlite': (options) => echelon({ ...options, store: 'sqlite' }),
  'echelon-progress': echelonProgress,
  'echelon-progress-watched': echelonProgressWatched,
  'echelon-stream': echelonStreamed,
} as const satisfies Record<string, SystemFactory>;

export type SystemKey = keyof typeof SYSTEMS;

/** The baselines, in the order the table shows them. */
export const BASELINES = ['plain', 'raw', 'raw-actors', 'raw-chart'] as const satisfies readonly SystemKey[];

export type { Routed, System, SystemFactory, SystemOptions } from './types.js';
