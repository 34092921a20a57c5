/**
 * restate-server as a child process, from the optional npm package `@restatedev/restate-server`
 * (the binary ships inside `@restatedev/restate-server-<platform>-<arch>`; nothing is downloaded
 * at run time). One server per call, every address on 127.0.0.1, its data under one base dir:
 * what tests, examples and benches need to run an organisation on Restate on one machine. The
 * server runs guarded (src/guarded-process.ts): it never outlives the program that started it.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EchelonError } from '../errors.js';
import { freePorts, spawnGuarded, type GuardedProcess } from '../guarded-process.js';
import { boolean, checkShape, fields, fn, number, shapeContext, string } from '../shape/index.js';

/** How to start a server. Ports left out (or 0) are free ports picked on 127.0.0.1. */
export interface RestateServerOptions {
  /** Where the server keeps its data, `restate.toml` and its temp files (`.restate-tmp/`, emptied at each start: a name of its own, so a `tmp/` of yours in that directory is left alone); default a fresh temp dir that `stop()` removes. */
  readonly baseDir?: string;
  readonly ingressPort?: number;
  readonly adminPort?: number;
  /** The node-to-node (fabric) port. */
  readonly nodePort?: number;
  /** The restate-server executable; default the one inside the npm package. */
  readonly binary?: string;
  /** Every line the server prints (default: dropped; the last lines are quoted when it fails). */
  readonly log?: (line: string) => void;
  /** How long a start or restart may take to become healthy (default 30 s). */
  readonly startTimeoutMs?: number;
  /**
   * How many partitions a fresh server provisions (restate-server's `default-num-partitions`;
   * default 24, Restate's own; ignored when `baseDir` holds a server already provisioned). Each is
   * a log and a processor of its own: fewer cost less CPU on a small machine.
   */
  readonly partitions?: number;
  /**
   * Whether the server syncs its logs to disk (fsync) before it acknowledges a write (default
   * true). `false` survives a crash of restate-server or of a service process (SIGKILL: the
   * operating system still writes what it was given) but not a power cut or a kernel crash; on
   * this machine it made the development team 1.7× faster (`bench/restate-server-settings.ts`).
   */
  readonly syncWrites?: boolean;
}

/** A running restate-server. */
export interface RestateServer {
  /** Where clients invoke services, e.g. `http://127.0.0.1:41234`. */
  readonly ingressUrl: string;
  /** Where deployments are registered and state is queried. */
  readonly adminUrl: string;
  readonly baseDir: string;
  /** The server's process id while it runs. */
  readonly pid: number | undefined;
  /** Registers a service endpoint (`POST /deployments`) and waits until its services are visible; `force` on re-registration. */
  register(endpointUrl: string, options?: { readonly force?: boolean }): Promise<void>;
  /** SIGKILL, as a crash would; waits for the process to be gone. Data stays for `restart()`. */
  kill(): Promise<void>;
  /** Starts again on the same base dir and ports (killing a running server first) and waits until healthy. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; removes the temp base dir it created. Idempotent. */
  stop(): Promise<void>;
}

const OPTIONS = fields({ baseDir: string, ingressPort: number, adminPort: number, nodePort: number, binary: string, log: fn, startTimeoutMs: number, partitions: number, syncWrites: boolean });
const STOP_GRACE_MS = 10_000;
const POLL_MS = 50;
const LAST_LINES = 40;

/**
 * Starts restate-server on loopback and resolves once `/health` (admin), `/restate/health`
 * (ingress) and its partitions answer.
 *
 * @example
 * ```ts
 * const server = await startRestateServer();
 * await server.register('http://127.0.0.1:9080');
 * // … invoke through server.ingressUrl …
 * await server.stop();
 * ```
 */
export async function startRestateServer(options: RestateServerOptions = {}): Promise<RestateServer> {
  checkShape(options, OPTIONS, '', shapeContext('startRestateServer', 'invalid_option'));
  for (const key of ['ingressPort', 'adminPort', 'nodePort', 'startTimeoutMs', 'partitions'] as const) {
    const value = options[key];
    const limit = key === 'startTimeoutMs' ? Number.MAX_SAFE_INTEGER : 65_535;
    const least = key === 'partitions' ? 1 : 0;
    if (value !== undefined && (!Number.isInteger(value) || value < least || value > limit)) {
      throw new EchelonError('invalid_option', `startRestateServer: ${key} must be a whole number from ${least} to ${limit}, got ${value}.`, { details: { path: key } });
    }
  }
  const binary = options.binary === undefined ? restateServerBinary() : resolve(options.binary);
  if (!existsSync(binary)) throw new EchelonError('invalid_option', `startRestateServer: binary ${binary} does not exist.`, { details: { path: 'binary' } });
  const owned = options.baseDir === undefined;
  const baseDir = owned ? mkdtempSync(join(tmpdir(), 'echelon-restate-')) : resolve(options.baseDir!);
  mkdirSync(baseDir, { recursive: true });
  const picked = !options.ingressPort || !options.adminPort || !options.nodePort;
  const server = new Server(binary, baseDir, owned, options);
  try {
    // A picked port can be taken by someone else before the server binds it: pick again, twice.
    for (let attempt = 1; ; attempt++) {
      await server.choosePorts();
      try {
        await server.launch();
        return server;
      } catch (error) {
        if (!picked || attempt === 3 || !(error instanceof EchelonError) || error.details?.['exited'] !== true) throw error;
      }
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/**
 * The restate-server executable inside the npm package, or `missing_dependency` saying what to install.
 *
 * @example
 * ```ts
 * restateServerBinary(); // '/…/node_modules/@restatedev/restate-server-linux-x64/bin/restate-server'
 * ```
 */
export function restateServerBinary(): string {
  const name = `@restatedev/restate-server-${platform()}-${arch()}`;
  const require = createRequire(import.meta.url);
  const candidates = [() => require.resolve(`${name}/bin/restate-server`)];
  // npm may nest the platform package under the wrapper package.
  candidates.push(() => createRequire(require.resolve('@restatedev/restate-server/package.json')).resolve(`${name}/bin/restate-server`));
  for (const candidate of candidates) {
    try {
      return candidate();
    } catch {
      // try the next place
    }
  }
  throw new EchelonError(
    'missing_dependency',
    `Running restate-server needs @restatedev/restate-server (with ${name} for this machine), an optional peer dependency of echelon/restate: npm install @restatedev/restate-server`,
    { details: { dependency: '@restatedev/restate-server' } },
  );
}

class Server implements RestateServer {
  #ports = { ingress: 0, admin: 0, node: 0 };
  #process: GuardedProcess | undefined;
  #lines: string[] = [];
  #stopped = false;

  constructor(
    private readonly binary: string,
    readonly baseDir: string,
    private readonly owned: boolean,
    private readonly options: RestateServerOptions,
  ) {}

  get ingressUrl(): string {
    return `http://127.0.0.1:${this.#ports.ingress}`;
  }
  get adminUrl(): string {
    return `http://127.0.0.1:${this.#ports.admin}`;
  }
  get pid(): number | undefined {
    return this.#process?.pid;
  }

  async choosePorts(): Promise<void> {
    const free = await freePorts(3);
    const { ingressPort, adminPort, nodePort } = this.options;
    this.#ports = { ingress: ingressPort || free[0]!, admin: adminPort || free[1]!, node: nodePort || free[2]! };
  }

  async launch(): Promise<void> {
    if (this.#stopped) throw new EchelonError('engine_unavailable', `restate-server at ${this.adminUrl} was stopped; start a new one.`);
    const config = join(this.baseDir, 'restate.toml');
    writeFileSync(config, restateToml(this.baseDir, this.#ports, this.options));
    this.#lines = [];
    // A temp dir of its own goes when this program dies without stop() (a Ctrl-C, a SIGKILL): 200 MB and more a run.
    // The server makes an empty `invoker-*` dir per partition in its TMPDIR at every start and never
    // removes them (24 a start, thousands in /tmp after a day of tests): they go under the base dir,
    // emptied before each start (no server runs on it then).
    const scratch = join(this.baseDir, '.restate-tmp');
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const server = spawnGuarded(this.binary, ['--config-file', config, '--no-logo'], {
      onLine: (line) => this.#line(line),
      env: { ...process.env, TMPDIR: scratch },
      ...(this.owned ? { removeWhenOrphaned: this.baseDir } : {}),
    });
    this.#process = server;
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 30_000);
    while (!(await this.#healthy())) {
      const exit = server.exit;
      if (exit !== undefined) throw this.#failure(`exited (${exit.signal ?? `code ${exit.code}`}) before it was healthy`, { exited: true });
      if (Date.now() > deadline) {
        await this.kill();
        throw this.#failure(`was not healthy within ${this.options.startTimeoutMs ?? 30_000} ms`);
      }
      await sleep(POLL_MS);
    }
  }

  async register(endpointUrl: string, options: { readonly force?: boolean } = {}): Promise<void> {
    if (typeof endpointUrl !== 'string' || !/^https?:\/\/[^/]+/.test(endpointUrl)) {
      throw new EchelonError('invalid_option', `register: the endpoint must be an http(s) URL, got ${JSON.stringify(endpointUrl)}.`);
    }
    if (this.#process === undefined) throw new EchelonError('engine_unavailable', `register: restate-server at ${this.adminUrl} is not running.`);
    const response = await request(`${this.adminUrl}/deployments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uri: endpointUrl, force: options.force ?? false }) }, 30_000);
    const text = await response.text();
    if (!response.ok) {
      throw new EchelonError('deployment_rejected', `register: restate-server refused the deployment ${endpointUrl} (HTTP ${response.status}): ${text.slice(0, 500)}`, { details: { status: response.status } });
    }
    const services = ((JSON.parse(text) as { services?: { name: string }[] }).services ?? []).map((service) => service.name);
    const deadline = Date.now() + 10_000;
    for (const name of services) {
      while (!(await ok(`${this.adminUrl}/services/${encodeURIComponent(name)}`))) {
        if (Date.now() > deadline) throw new EchelonError('engine_unavailable', `register: service ${name} of ${endpointUrl} did not become visible within 10 s.`);
        await sleep(POLL_MS);
      }
    }
  }

  async kill(): Promise<void> {
    await this.#process?.end('SIGKILL', STOP_GRACE_MS);
    this.#process = undefined;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.#process?.end('SIGTERM', STOP_GRACE_MS);
    this.#process = undefined;
    this.#stopped = true;
    if (this.owned) rmSync(this.baseDir, { recursive: true, force: true });
  }

  async #healthy(): Promise<boolean> {
    if (!(await ok(`${this.adminUrl}/health`)) || !(await ok(`${this.ingressUrl}/restate/health`))) return false;
    // Healthy endpoints can precede partitions that take invocations; a query over them waits for those too.
    return ok(`${this.adminUrl}/query`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ query: 'SELECT count(1) FROM sys_invocation' }) });
  }

  #line(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length > LAST_LINES) this.#lines.shift();
    this.options.log?.(line);
  }

  #failure(what: string, details: Record<string, unknown> = {}): EchelonError {
    const tail = this.#lines.slice(-12).join('\n');
    return new EchelonError('engine_unavailable', `restate-server (${this.binary}, base dir ${this.baseDir}) ${what}.${tail === '' ? '' : `\nIts last lines:\n${tail}`}`, { details: { ...details, adminUrl: this.adminUrl } });
  }
}

/** The server's configuration: one node, every listener on 127.0.0.1 over TCP only, data under `baseDir`. */
function restateToml(baseDir: string, ports: { ingress: number; admin: number; node: number }, { partitions, syncWrites = true }: RestateServerOptions): string {
  // Both log implementations a single node may use: the local loglet and the log server's.
  const unsynced = syncWrites ? [] : ['[bifrost.local]', 'rocksdb-disable-wal-fsync = true', '', '[log-server]', 'rocksdb-disable-wal-fsync = true', ''];
  return [
    `base-dir = ${JSON.stringify(join(baseDir, 'data'))}`,
    ...(partitions === undefined ? [] : [`default-num-partitions = ${partitions}`]),
    `node-name = "echelon"`,
    'disable-telemetry = true',
    `listen-mode = "tcp"`,
    `bind-address = "127.0.0.1:${ports.node}"`,
    `advertised-address = "http://127.0.0.1:${ports.node}/"`,
    '',
    '[admin]',
    `bind-address = "127.0.0.1:${ports.admin}"`,
    '',
    '[ingress]',
    `bind-address = "127.0.0.1:${ports.ingress}"`,
    '',
    ...unsynced,
  ].join('\n');
}

async function request(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new EchelonError('engine_unavailable', `restate-server did not answer ${init.method ?? 'GET'} ${url}: ${(error as Error).message}`, { cause: error });
  }
}

async function ok(url: string, init: RequestInit = {}): Promise<boolean> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
