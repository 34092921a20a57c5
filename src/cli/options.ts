/**
 * The CLI's flags: which exist, which each command reads, and the parse that refuses the rest —
 * an unknown flag, another command's, one that needs another (`--port` without `replay --view`).
 */
import { parseArgs } from 'node:util';
import { usage } from './flags.js';
import { clause, oneLine } from '../show.js';

export const OPTIONS = {
  auto: { type: 'string' },
  steps: { type: 'string' },
  compact: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  'exit-when-done': { type: 'boolean' },
  task: { type: 'string' },
  view: { type: 'boolean' },
  at: { type: 'string' },
  history: { type: 'string' },
  hierarchy: { type: 'boolean' },
  statechart: { type: 'boolean' },
  json: { type: 'boolean' },
  strict: { type: 'boolean' },
  compare: { type: 'string' },
  seed: { type: 'string' },
  html: { type: 'string' },
  png: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

type Flag = keyof typeof OPTIONS;

/** The flags each command reads; --help and --version go with any. A flag of another command is refused, not ignored. */
export const COMMAND_FLAGS: Readonly<Record<string, readonly Flag[]>> = {
  step: ['auto', 'steps', 'compact'],
  run: ['auto', 'steps', 'compact'],
  view: ['port', 'host', 'token', 'auto', 'exit-when-done'],
  replay: ['task', 'auto', 'steps', 'compact', 'view', 'port', 'host', 'token'],
  fork: ['at', 'history'],
  diagram: ['hierarchy', 'statechart'],
  check: ['json', 'strict'],
  simulate: ['compare', 'seed', 'json', 'html', 'png'],
};

/** node:util's parseArgs, its refusals (an unknown flag, a missing value) made echelon's own. */
export function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({ args: negativeValuesJoined(argv), options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) throw error;
    // Node's hint about positionals starting with '-' fits no echelon command.
    // Its other hints may span lines: one line, as every refusal is.
    throw usage(`${clause(oneLine(error.message.replace(/\. To specify a positional argument[\s\S]*$/, '')))}.`);
  }
}

/**
 * `--seed -5` as `--seed=-5`: parseArgs takes a value starting with '-' for a flag and refuses it as
 * ambiguous, but a negative number after a flag that takes a value is that flag's value, which the
 * flag's own rule then reads (`--steps -1`: a whole number ≥ 1 is needed).
 */
function negativeValuesJoined(argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    const next = argv[index + 1];
    const takesValue = arg.startsWith('--') && (OPTIONS as Record<string, { readonly type: string }>)[arg.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      joined.push(`${arg}=${next}`);
      index++;
    } else joined.push(arg);
  }
  return joined;
}

export function refuseForeignFlags(command: string, values: Partial<Record<Flag, unknown>>): void {
  const allowed = COMMAND_FLAGS[command];
  if (allowed === undefined) return; // an unknown command is refused as such
  const foreign = (Object.keys(values) as Flag[]).filter((flag) => flag !== 'help' && flag !== 'version' && !allowed.includes(flag));
  if (foreign.length > 0) throw usage(`echelon ${command} takes no ${foreign.map((flag) => `--${flag}`).join(', ')}.`);
  const named = (flags: readonly Flag[]) => flags.map((flag) => `--${flag}`).join(', ');
  if (command === 'replay' && values.view !== true) {
    const served = (['port', 'host', 'token'] as const).filter((flag) => values[flag] !== undefined);
    if (served.length > 0) throw usage(`${named(served)} ${served.length === 1 ? 'is' : 'are'} for the replay page: add --view.`);
  }
  if (command === 'replay' && values.view === true) {
    const stepped = (['steps', 'auto', 'compact'] as const).filter((flag) => values[flag] !== undefined);
    if (stepped.length > 0) throw usage(`${named(stepped)} ${stepped.length === 1 ? 'is' : 'are'} for stepping in the terminal: the replay page (--view) takes none.`);
  }
  if (command === 'fork' && values.history !== undefined && values.at === undefined) {
    throw usage('--history is read only to fork at an earlier entry: add --at <seq>, or drop --history to fork the last write.');
  }
}
