/**
 * `npm run bench`: runs every job of the plan, each in a fresh Node process with --expose-gc,
 * prints the tables and writes bench/results.json. Options: `--quick` (smaller, for
 * development; writes bench/results.quick.json), `--only=throughput,scale,…` (those cases; writes
 * bench/results.throughput+scale.json, or bench/results.quick.scale.json, …),
 * `--node-flags="--flag …"` (extra V8/Node flags for every job; then results go to
 * bench/results.flags.json, since they are not the default runtime's figures).
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plan, RESULT_MARK, type Job, type PlanName } from './jobs.js';
import { buildResults, type Measured } from './report.js';
import { formatResults } from './table.js';

const args = process.argv.slice(2);
const planName: PlanName = args.includes('--quick') ? 'quick' : 'full';
const only = args.find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const nodeFlags = args.find((arg) => arg.startsWith('--node-flags='))?.slice('--node-flags='.length).split(' ').filter(Boolean) ?? [];
/**
 * The sections a job belongs to, for `--only`: its case; the store runs are `persistence`, the
 * inspected runs `inspection`, and plain echelon at 100 in flight (what both compare with) is in all three;
 * the Restate floor is in `restate` and in `restate-floor` (that job alone).
 */
const sections = (job: ReturnType<typeof plan>[number]): string[] => {
  if (job.case === 'restate-floor') return ['restate', 'restate-floor'];
  if (job.case !== 'throughput') return [job.case];
  if (job.system === 'echelon-memory-store' || job.system === 'echelon-sqlite') return ['persistence'];
  if (job.system.startsWith('echelon-inspect')) return ['throughput', 'inspection'];
  if (job.system === 'echelon' && job.inFlight === 100) return ['throughput', 'inspection', 'persistence'];
  return ['throughput'];
};
const jobs = plan(planName).filter((job) => only === undefined || sections(job).some((section) => only.includes(section)));
const worker = fileURLToPath(new URL('./worker.js', import.meta.url));
// A partial run (`--only`) never replaces the whole benchmark's results: it writes beside them.
const variant = [nodeFlags.length > 0 ? 'flags' : planName === 'full' ? '' : planName, only?.join('+') ?? ''].filter(Boolean).join('.');
const output = resolve(process.cwd(), variant === '' ? 'bench/results.json' : `bench/results.${variant}.json`);

function describe(job: Job): string {
  switch (job.case) {
    case 'throughput':
      return `throughput ${job.system}, ${job.inFlight} in flight`;
    case 'latency':
    case 'hop':
      return `${job.case === 'hop' ? 'per-hop latency' : 'latency'} ${job.system}`;
    case 'scale':
      return `scale ${job.system}, ${job.size.toLocaleString('en-US')} agents`;
    case 'memory':
      return `memory ${job.system}, up to ${Math.max(...job.checkpoints).toLocaleString('en-US')} tasks`;
    case 'simulation':
      if (job.system === 'dev-day') return 'simulation, a day of the development team';
      return `${job.system === 'wide-floor' ? 'the raw XState tree under the simulation' : 'simulation'}, ${(job.agents ?? 0).toLocaleString('en-US')} agents, ${(job.tasks ?? 0).toLocaleString('en-US')} tasks`;
    case 'streaming':
      return `streaming cost, ${job.inFlight} in flight, variants alternated`;
    case 'restate':
      return `Restate, ${job.processes} service process${job.processes === 1 ? '' : 'es'}, ${job.inFlight} in flight`;
    case 'restate-floor':
      return `Restate: echelon beside the floor (the SDK alone), ${job.inFlight} in flight, alternated ${job.rounds}×, with single-invocation probes`;
    case 'restore':
      return `Restate agent restore, idle and with ${job.parked} parked approvals`;
  }
}

/** Runs one job in its own process; resolves with its result, or rejects with its output. */
function runInChild(job: Job): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=4096', ...nodeFlags, worker, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_MARK));
      if (code === 0 && line !== undefined) resolvePromise(JSON.parse(line.slice(RESULT_MARK.length)));
      else reject(new Error(`exit code ${String(code)}\n${stdout}${stderr}`));
    });
  });
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const require = createRequire(import.meta.url);
const first = jobs.find((job) => job.case === 'throughput');
const firstEchelon = jobs.find((job) => job.case === 'throughput' && job.system.startsWith('echelon'));
const meta: Record<string, unknown> = {
  plan: planName,
  date: new Date().toISOString(),
  commit: gitCommit(),
  node: process.version,
  nodeFlags: nodeFlags.join(' ') || undefined,
  xstate: (JSON.parse(readFileSync(require.resolve('xstate/package.json'), 'utf8')) as { version: string }).version,
  cpu: cpus()[0]?.model.trim(),
  cpus: cpus().length,
  loadStart: loadavg().map((load) => load.toFixed(2)).join(' '),
  tasks: first?.case === 'throughput' ? first.count.toLocaleString('en-US') : undefined,
  runs: first?.case === 'throughput' ? first.runs : undefined,
  echelonRuns: firstEchelon?.case === 'throughput' ? firstEchelon.runs : undefined,
};

const measured: Measured[] = [];
const failures: string[] = [];
const began = performance.now();
for (const [index, job] of jobs.entries()) {
  const started = performance.now();
  process.stderr.write(`[${index + 1}/${jobs.length}] ${describe(job)} … `);
  try {
    const result = await runInChild(job);
    measured.push({ job, result } as Measured);
    process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failures.push(`${describe(job)}: ${(error as Error).message}`);
    process.stderr.write('FAILED\n');
  }
}
meta.loadEnd = loadavg().map((load) => load.toFixed(2)).join(' ');
meta.totalSeconds = Math.round((performance.now() - began) / 1000);

const results = buildResults(measured, meta);
console.log(formatResults(results));
writeFileSync(output, `${JSON.stringify({ ...results, failures }, null, 2)}\n`);
console.log(`\nwritten to ${output} (${String(meta.totalSeconds)} s)`);
if (failures.length > 0) {
  console.error(`\n${failures.length} job(s) failed:\n${failures.join('\n\n')}`);
  process.exitCode = 1;
}
