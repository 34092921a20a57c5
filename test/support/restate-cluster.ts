/**
 * An organisation on a real Restate server, in several processes: one restate-server and named
 * echelon service processes, each serving the subtrees (units) it `hosts` from one shared options
 * module (test/support/restate-service.ts builds `restateEndpoint({ ...options, hosts })` and
 * listens). Processes are SIGKILLed and restarted on the same port (then re-registered with
 * `force`, so invocations pinned to the deployment find it again); `stop()` ends everything. Every
 * process runs under the guard (src/guarded-process.ts), so none outlives the test even when the
 * test runner itself is killed.
 */
import { join } from 'node:path';
import { spawnGuarded, type GuardedProcess } from '../../src/guarded-process.js';
import { startRestateServer, type RestateServer } from '../../src/restate/server.js';

/** One service process: a name for the test to use, and the units it serves. */
export interface ServiceProcessSpec {
  readonly name: string;
  readonly hosts: readonly string[];
}

export interface RestateClusterOptions {
  /** Absolute path of the module whose default export is the organisation's options (or a function returning them). */
  readonly organisation: string;
  readonly processes: readonly ServiceProcessSpec[];
  /** Extra environment for every service process (where executors write their effects, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** A server to use (the cluster then leaves it running); default a fresh one that `stop()` stops. */
  readonly server?: RestateServer;
  /** Every line printed by the server and the processes, prefixed with who printed it. */
  readonly log?: (line: string) => void;
  /** How long a process may take to listen (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** A running service process. */
export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number | undefined;
}

export interface RestateCluster {
  readonly server: RestateServer;
  process(name: string): ServiceProcess;
  /** SIGKILL, as a crash would; waits until it is gone. */
  kill(name: string): Promise<void>;
  /** Starts it again on the same port and re-registers it (`force`). */
  restart(name: string): Promise<void>;
  /** Ends every process (SIGTERM, then SIGKILL) and the server it started. Idempotent. */
  stop(): Promise<void>;
}

// Run from the sources (tests, under tsx) or compiled (the bench): the service entry beside this file, likewise.
const compiled = import.meta.url.endsWith('.js');
const SERVICE = join(import.meta.dirname, compiled ? 'restate-service.js' : 'restate-service.ts');
const NODE_ARGS = compiled ? [] : ['--import', 'tsx'];

/**
 * Starts the server (unless given one) and every process, and registers each.
 *
 * @example
 * ```ts
 * const cluster = await startRestateCluster({ organisation: ORG, processes: [{ name: 'exec', hosts: ['cto'] }] });
 * afterAll(() => cluster.stop());
 * ```
 */
export async function startRestateCluster(options: RestateClusterOptions): Promise<RestateCluster> {
  const log = options.log ?? (() => {});
  const server = options.server ?? (await startRestateServer({ log: (line) => log(`[restate-server] ${line}`) }));
  const running = new Map<string, { spec: ServiceProcessSpec; port: number; url: string; child: GuardedProcess | undefined }>();
  const launch = async (spec: ServiceProcessSpec, port: number) => {
    let listening!: (url: string) => void;
    const heard = new Promise<string>((resolve) => (listening = resolve));
    const child = spawnGuarded(process.execPath, [...NODE_ARGS, SERVICE, options.organisation, JSON.stringify(spec.hosts), String(port)], {
      env: { ...process.env, ...options.env, ECHELON_SERVICE_PROCESS: spec.name },
      onLine: (line) => (line.startsWith('LISTENING ') ? listening(line.slice('LISTENING '.length)) : log(`[${spec.name}] ${line}`)),
    });
    const timeout = options.startTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const url = await Promise.race([
      heard,
      child.exited.then((exit): never => {
        throw new Error(`service process ${spec.name} exited (${exit.signal ?? `code ${exit.code}`}) before it listened`);
      }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`service process ${spec.name} did not listen within ${timeout} ms`)), timeout))),
    ])
      .finally(() => clearTimeout(timer))
      .catch(async (error: unknown) => {
        await child.end('SIGKILL', 5_000);
        throw error;
      });
    running.set(spec.name, { spec, port: Number(new URL(url).port), url, child });
  };
  const entry = (name: string) => {
    const found = running.get(name);
    if (found === undefined) throw new Error(`no service process named ${name} (there are ${[...running.keys()].join(', ')})`);
    return found;
  };
  let stopped = false;
  const cluster: RestateCluster = {
    server,
    process(name) {
      const { url, child } = entry(name);
      return { name, url, pid: child?.pid };
    },
    async kill(name) {
      const found = entry(name);
      await found.child?.end('SIGKILL', 10_000);
      found.child = undefined;
    },
    async restart(name) {
      const found = entry(name);
      await cluster.kill(name);
      await launch(found.spec, found.port);
      await server.register(entry(name).url, { force: true });
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await Promise.all([...running.values()].map((found) => found.child?.end('SIGTERM', 5_000)));
      if (options.server === undefined) await server.stop();
    },
  };
  try {
    await Promise.all(options.processes.map((spec) => launch(spec, 0)));
    for (const spec of options.processes) await server.register(entry(spec.name).url, { force: true });
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}
