/**
 * Child processes that never outlive the program that started them: each runs under a small
 * shell guard in its own process group, and when this process dies — even by SIGKILL, when no
 * exit handler runs — the guard's read of its stdin (a pipe from here) ends and it kills the
 * group. What restate-server (150 MB, `echelon/restate`) and the tests' service processes run under.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * The guard: starts "$@" with stdin closed to it, reports its pid on fd 3, waits for it and exits
 * with its status; kills the whole group when its own stdin ends — first the command, and once it
 * is gone the directory named by ECHELON_GUARD_REMOVE (if any) is removed (the watcher ignores the
 * TERM the guard sends it when the command ends, so that removal is not cut short).
 */
const GUARD = [
  'exec 4<&0',
  '"$@" </dev/null 3>&- 4<&- &',
  'child=$!',
  'echo "$child" >&3',
  'exec 3>&-',
  '{ read -r _ <&4; trap "" TERM; kill -KILL "$child" 2>/dev/null; while kill -0 "$child" 2>/dev/null; do sleep 0.05; done; [ -z "$ECHELON_GUARD_REMOVE" ] || rm -rf -- "$ECHELON_GUARD_REMOVE"; kill -KILL 0; } &',
  'watcher=$!',
  'exec 4<&-',
  'wait "$child"',
  'code=$?',
  'kill "$watcher" 2>/dev/null',
  'exit "$code"',
].join('\n');

/** How a guarded process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A command running under the guard. */
export interface GuardedProcess {
  /** The command's own pid, once the guard reported it. */
  readonly pid: number | undefined;
  /** How it ended, once it did (the guard exits with the command's status). */
  readonly exit: ProcessExit | undefined;
  /** Resolves when the guard exited: the command is gone and reaped. */
  readonly exited: Promise<ProcessExit>;
  /** Signals the command (the guard then exits with it), or the whole group while its pid is unknown. */
  signal(signal: NodeJS.Signals): void;
  /** Sends `signal`, waits up to `ms` for the exit, then SIGKILLs the whole group; resolves true when it exited in time. */
  end(signal: NodeJS.Signals, ms: number): Promise<boolean>;
}

/**
 * Runs `command` under the guard; `onLine` gets every line it prints on stdout and stderr.
 *
 * @example
 * ```ts
 * const server = spawnGuarded('/usr/bin/sleep', ['60'], { onLine: console.log });
 * await server.end('SIGTERM', 5_000);
 * ```
 */
export function spawnGuarded(
  command: string,
  args: readonly string[],
  options: {
    readonly onLine: (line: string) => void;
    readonly env?: NodeJS.ProcessEnv;
    readonly cwd?: string;
    /** A directory the guard removes when this process died and it killed the command (data only the command used: a temp dir). */
    readonly removeWhenOrphaned?: string;
  },
): GuardedProcess {
  const env = options.removeWhenOrphaned === undefined ? options.env : { ...(options.env ?? process.env), ECHELON_GUARD_REMOVE: options.removeWhenOrphaned };
  const guard: ChildProcess = spawn('/bin/sh', ['-c', GUARD, 'guard', command, ...args], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    ...(env === undefined ? {} : { env }),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let pid: number | undefined;
  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => guard.once('exit', (code, signal) => resolve((exit = { code, signal }))));
  guard.once('error', (error) => options.onLine(`could not start ${command}: ${error.message}`));
  for (const stream of [guard.stdout!, guard.stderr!]) readLines(stream, options.onLine);
  readLines(guard.stdio[3] as NodeJS.ReadableStream, (line) => (pid = Number(line)));
  const killGroup = () => {
    try {
      process.kill(-guard.pid!, 'SIGKILL');
    } catch {
      // the group is gone
    }
  };
  const process_: GuardedProcess = {
    get pid() {
      return exit === undefined ? pid : undefined;
    },
    get exit() {
      return exit;
    },
    exited,
    signal(signal) {
      if (exit !== undefined) return;
      if (pid === undefined) return killGroup();
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    },
    async end(signal, ms) {
      process_.signal(signal);
      const inTime = await Promise.race([exited.then(() => true), delay(ms).then(() => false)]);
      if (!inTime) {
        killGroup();
        await Promise.race([exited, delay(ms)]);
      }
      return inTime;
    },
  };
  return process_;
}

/**
 * `count` distinct free TCP ports on 127.0.0.1, held together so they differ, then released.
 *
 * @example
 * ```ts
 * const [ingress, admin] = await freePorts(2);
 * ```
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(server));
    })),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

/** Calls `each` with every non-empty line of `stream`. */
export function readLines(stream: NodeJS.ReadableStream, each: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop()!;
    for (const part of parts) if (part !== '') each(part);
  });
  stream.on('end', () => rest !== '' && each(rest));
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
