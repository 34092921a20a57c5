#!/usr/bin/env node
/**
 * The `echelon` command: step through a scenario, run it with a trace, watch it in the live view,
 * replay or fork a stored run, or draw the hierarchy and the agent statechart.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, parseArgs } from 'node:util';
import { EchelonError } from '../errors.js';
import { clause } from '../show.js';
import { count, pace, port, required, token, usage } from './flags.js';
import { COMMAND_FLAGS, OPTIONS, parseFlags, refuseForeignFlags } from './options.js';
import { closest } from '../shape/index.js';
import { isMainModule } from '../scenario/run.js';
import { checkCommand } from './check.js';
import { diagramCommand } from './diagram.js';
import { forkCommand } from './fork.js';
import { replayCommand } from './replay.js';
import { simulateCommand } from './simulate.js';
import { stepCommand } from './step.js';
import { viewCommand } from './view.js';
import { stoppedOnInterrupt, untilInterrupted } from './interrupt.js';
import { bufferedLines, terminalText } from './output.js';

export { COMMAND_FLAGS } from './options.js';

const USAGE = `echelon — hierarchical multi-agent orchestration on XState actors

Usage:
  echelon --version | --help
  echelon step <scenario.ts> [--auto <ms>] [--steps <n>] [--compact]
      one message at a time: a key per message (q quits), a pace (--auto), or n messages (--steps)
  echelon run <scenario.ts> [--auto <ms>] [--steps <n>] [--compact]
      straight through, with the same trace (--auto paces it: one message every <ms>)
  echelon view <scenario.ts> [--port <n>] [--host <addr>] [--token <t>] [--auto <ms>] [--exit-when-done]
      serve the live view (http://127.0.0.1:4321 by default) while the scenario runs at a pace
  echelon replay <file.db> [--task <id>] [--auto <ms>] [--steps <n>] [--compact] [--view [--port <n>] [--host <addr>] [--token <t>]]
      a stored run, one journal entry at a time, with every agent's state at that moment;
      --view serves it as a page with a timeline to scrub
  echelon fork <from.db> <to.db> [--at <seq> --history <file>]
      a new file with the organisation of another (as of its last write, or of entry <seq> with its
      kept history), for a new organisation to resume and take another course
  echelon diagram [scenario.ts | design.ts] [--hierarchy | --statechart]
      the hierarchy and the agent statechart as Mermaid
  echelon check [design.ts | scenario.ts] [--json] [--strict]
      static checks of an organisation before it runs (the development team without a file);
      exits 1 on an error (with --strict, on a warning too), 2 when it cannot check (bad file or flags)
  echelon simulate <design.ts> [--compare <other.ts>] [--seed <n>] [--json] [--html <file>] [--png <dir>]
      the design's organisation under its workload on a simulated clock: utilisation, queues,
      latency and where it went, bottlenecks; --compare runs another design on the same workload

Scenarios are modules whose default export is defineScenario({ description, organisation, run }):
see “Writing a scenario” in echelon's README.md. Designs export defineDesign({ organisation,
simulation }) from echelon/simulate: see “Designing an organisation”.`;

/** The version in echelon's package.json: two folders up from the sources, three from the build (dist/src/cli). */
function packageVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of [join(here, '..', '..'), join(here, '..', '..', '..')]) {
    try {
      const pkg = JSON.parse(readFileSync(join(up, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'echelon' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not there: the other layout.
    }
  }
  throw new EchelonError('invalid_option', "echelon's package.json was not found beside its CLI: reinstall echelon.");
}

/** Where the CLI writes its output and reads keypresses. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly input: NodeJS.ReadStream;
  /**
   * Aborted when the output has nowhere to go (stdout closed: `| head -1`): `run`, `step`, `view`
   * and `replay` then stop what they run — the organisation, the server, the store — and resolve.
   */
  readonly signal?: AbortSignal;
  /** While the output holds more than it takes at once, a promise for when it has taken it: `replay`, which prints without pause, waits on it. */
  readonly drained?: () => Promise<void> | undefined;
}

/**
 * Runs the CLI with these arguments; resolves with the exit code.
 *
 * @example
 * ```ts
 * await main(['run', 'examples/dev-team.ts', '--compact']);
 * ```
 */
export async function main(argv: readonly string[], io: CliIo = { out: (line) => console.log(line), input: process.stdin }): Promise<number> {
  // Every line goes out with what a terminal would obey escaped: much of it is data (ids, messages, payloads, a scenario's own lines).
  const out = (line: string) => io.out(terminalText(line));
  const { values, positionals } = parseFlags(argv);
  const [command, file, ...rest] = positionals;
  // Only `fork` takes a second file.
  const [second, ...extra] = command === 'fork' ? rest : [undefined, ...rest];
  if (values.version === true) {
    out(packageVersion());
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    out(USAGE);
    return command === undefined && !values.help ? 1 : 0;
  }
  if (extra.length > 0) throw usage(`Unexpected arguments: ${extra.join(' ')}.`);
  refuseForeignFlags(command, values);
  if (values.token !== undefined) token(values.token);
  switch (command) {
    case 'step':
    case 'run':
      return stoppedOnInterrupt(io.signal, (signal) =>
        stepCommand({
          file: required(file, command),
          mode: command,
          ...(values.auto === undefined ? {} : { autoMs: pace(values.auto) }),
          ...(values.steps === undefined ? {} : { steps: count(values.steps, '--steps', 1) }),
          tree: values.compact !== true,
          out,
          input: io.input,
          signal,
        }),
      );
    case 'view': {
      const options = {
        file: required(file, command),
        port: values.port === undefined ? 4321 : port(values.port),
        host: values.host ?? '127.0.0.1',
        ...(values.token === undefined ? {} : { token: values.token }),
        autoMs: values.auto === undefined ? 400 : pace(values.auto),
        exitWhenDone: values['exit-when-done'] === true,
        out,
      };
      return untilInterrupted(io.signal, (interrupted) => viewCommand({ ...options, interrupted }));
    }
    case 'replay': {
      if (file === undefined) throw usage('echelon replay needs a SQLite file, e.g. echelon replay echelon-dev-team.db.');
      const options = {
        file,
        ...(values.task === undefined ? {} : { taskId: values.task }),
        ...(values.auto === undefined ? {} : { autoMs: pace(values.auto) }),
        ...(values.steps === undefined ? {} : { steps: count(values.steps, '--steps', 1) }),
        tree: values.compact !== true,
        out,
        input: io.input,
        ...(io.signal === undefined ? {} : { signal: io.signal }),
        ...(io.drained === undefined ? {} : { drained: io.drained }),
      };
      if (values.view !== true) return replayCommand(options);
      const view = { port: values.port === undefined ? 4321 : port(values.port), host: values.host ?? '127.0.0.1', ...(values.token === undefined ? {} : { token: values.token }) };
      return untilInterrupted(io.signal, (interrupted) => replayCommand({ ...options, view: { ...view, interrupted } }));
    }
    case 'fork':
      if (file === undefined || second === undefined) throw usage('echelon fork needs the file to fork and a new file, e.g. echelon fork run.db what-if.db.');
      return forkCommand({
        from: file,
        to: second,
        ...(values.at === undefined ? {} : { at: count(values.at, '--at', 1) }),
        ...(values.history === undefined ? {} : { history: values.history }),
        out,
      });
    case 'diagram':
      if (values.hierarchy && values.statechart) throw usage('Choose --hierarchy or --statechart (or neither, for both).');
      return diagramCommand({
        ...(file === undefined ? {} : { file }),
        ...(values.hierarchy ? { only: 'hierarchy' as const } : values.statechart ? { only: 'statechart' as const } : {}),
        out,
      });
    case 'check':
      return checkCommand({ ...(file === undefined ? {} : { file }), json: values.json === true, strict: values.strict === true, out });
    case 'simulate':
      if (file === undefined) throw usage('echelon simulate needs a design file, e.g. echelon simulate examples/bottleneck.ts.');
      return simulateCommand({
        file,
        ...(values.compare === undefined ? {} : { compare: values.compare }),
        ...(values.seed === undefined ? {} : { seed: count(values.seed, '--seed', 0) }),
        json: values.json === true,
        ...(values.html === undefined ? {} : { html: values.html }),
        ...(values.png === undefined ? {} : { png: values.png }),
        out,
      });
    default:
      throw usage(unknownCommand(command));
  }
}

/** "Unknown command", with the command meant: a slip for one, or a file given without one. */
function unknownCommand(command: string): string {
  if (/\.(c|m)?[jt]sx?$/.test(command)) return `Unknown command "${command}": name one before the file, e.g. echelon run ${command}.`;
  const meant = closest(command, Object.keys(COMMAND_FLAGS));
  return meant === undefined ? `Unknown command "${command}".` : `Unknown command "${command}": did you mean "${meant}"?`;
}


/**
 * The exit code of a command that could not run: 1, but 2 for `check`, whose 1 means "the
 * organisation has errors" — so CI can tell a failed check from one that never ran.
 */
export function failureCode(argv: readonly string[]): number {
  // Read as main reads it (flags taking values included), but leniently: strict parsing may be what failed.
  const { positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false });
  return positionals[0] === 'check' ? 2 : 1;
}

/** Errors people can act on print as one line; anything else with its stack. */
function report(error: unknown, argv: readonly string[], flush: () => void = () => undefined): number {
  flush(); // what the command printed comes first
  // A message may quote data (an executor's error, a scenario's): escaped, as main's lines are.
  if (error instanceof EchelonError) console.error(terminalText(`echelon: ${error.message} [${error.code}]`));
  else console.error(terminalText(inspect(error)));
  return failureCode(argv);
}

// Run when executed (node dist/src/cli/index.js, the `echelon` bin, or tsx src/cli/index.ts), not when imported.
if (isMainModule(import.meta.url)) {
  const argv = process.argv.slice(2);
  // A reader that stopped (| head) wants no more: end as it asked, with 0 rather than an unhandled
  // EPIPE and 1 — but once what runs is stopped (its organisation, its store), not in the middle of it.
  const closed = new AbortController();
  const close = () => {
    if (closed.signal.aborted) return;
    closed.abort();
    // Stopping takes a few ticks; should it hang (a scenario's own code), the reader still gets its exit.
    setTimeout(() => process.exit(closedCode()), STOP_GRACE_MS).unref();
  };
  // Any other failed write (a full disk: > /dev/full) stops what runs too, but is a failure, said in one line.
  let failedWrite: Error | undefined;
  const failed = (error: NodeJS.ErrnoException | null) => {
    if (error !== null && error.code !== 'EPIPE') failedWrite ??= error;
    close();
  };
  process.stdout.on('error', failed);
  const closedCode = () => {
    if (failedWrite === undefined) return 0;
    console.error(`echelon: Could not write the output: ${clause(failedWrite.message)}.`);
    return failureCode(argv);
  };
  // Lines are written a chunk at a time (output.ts).
  const stdout = bufferedLines();
  const out = (line: string) => {
    if (closed.signal.aborted) return;
    stdout.out(line);
    // A pipe written synchronously (Linux) stops being writable at the failed write, but says so only
    // on a later tick, which a loop that never leaves its promises (replay --steps) would not reach.
    if (!process.stdout.writable) failed(process.stdout.errored);
  };
  // Exits once everything is written; output that could not be (the last chunk included) is said, as closedCode says it.
  const exit = (code: number) =>
    exitWhenWritten(code, stdout.flush, (failure) => {
      if (failure !== undefined) failed(failure);
      return closed.signal.aborted ? closedCode() : code;
    });
  let finished = false;
  // With nothing left to run, Node ends the process with 0 even when main never finished (a file
  // whose top-level await never settles): say so, and fail.
  process.once('beforeExit', () => {
    if (!finished && !closed.signal.aborted) exit(report(unfinished(), argv, stdout.flush));
  });
  main(argv, { out, input: process.stdin, signal: closed.signal, drained: stdout.drained }).then(
    (code) => ((finished = true), exit(code)),
    (error: unknown) => ((finished = true), exit(closed.signal.aborted ? 0 : report(error, argv, stdout.flush))),
  );
}

/** Why a command ended unfinished: what it waited for can never come. */
function unfinished(): EchelonError {
  return new EchelonError(
    'scenario_stalled',
    'The command could not finish: it waits for a promise that nothing is left to settle (no timer, no I/O) — a top-level await in the file that never ends, say, or an executor with no timeout that never answers. Run the file on its own (node or npx tsx) to see where it waits.',
  );
}

/** How long a command whose stdout closed has to stop what it runs before the process exits anyway. */
const STOP_GRACE_MS = 5_000;

/**
 * Exits once stdout and stderr have written what they hold: into a pipe they write
 * asynchronously, and process.exit at once would cut a long output (check --json) at what the
 * pipe had taken (past 64 KiB). A write's callback comes after the writes before it, with an error
 * on a closed pipe too.
 */
function exitWhenWritten(code: number, flush: () => void, settle: (failure: Error | undefined) => number = () => code): void {
  flush(); // what waits in the buffer goes first: its write may be the one that fails
  let waiting = 2;
  let failure: Error | undefined;
  const done = () => void (--waiting === 0 && process.exit(settle(failure)));
  process.stdout.write('', (error) => {
    failure = error ?? undefined;
    done();
  });
  process.stderr.write('', done);
}
