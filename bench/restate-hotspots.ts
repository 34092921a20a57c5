/**
 * A quick measurement for the Restate host's hot spots (issue 14), beside R2's bench cases:
 * throughput and latency of the development team on one restate-server with every unit served
 * from this process, tasks entering at the root (every task passes the root object twice) against
 * tasks entering at their team lead (the root never sees them), alternated in one run; and the
 * per-message cost of resuming an agent (restore its context, run one message through the chart)
 * for a small agent and one holding 50 parked approvals.
 *
 *   npx tsx bench/restate-hotspots.ts [tasks=200] [inFlight=20] [rounds=2]
 */
process.env.RESTATE_LOGGING ??= 'ERROR';
const { developmentTeam } = await import('../src/index.js');
const { restateEndpoint, restateOrchestrator, startRestateServer } = await import('../src/restate/index.js');
const { organisation } = await import('../src/restate/organisation.js');
const { agentTurn } = await import('../src/restate/agent-turn.js');
const { invocation, within } = await import('../src/restate/scope.js');
import type { AgentContext } from '../machines/agent.machine.js';
import type { Task } from '../src/types.js';

const [tasks = 200, inFlight = 20, rounds = 2] = process.argv.slice(2).map(Number);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

const options = { hierarchy: developmentTeam(), executors: { default: async (task: { type: string }) => ({ done: task.type }) } };
const TYPES: Array<[string, string]> = [
  ['api_design', 'backend_lead'],
  ['database', 'backend_lead'],
  ['react', 'frontend_lead'],
  ['css', 'frontend_lead'],
];

const server = await startRestateServer();
try {
  const name = `hot${process.pid}`;
  const served = await restateEndpoint({ ...options, name }).listen();
  await server.register(served.url, { force: true });
  const org = restateOrchestrator({ ...options, name, ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });

  let seq = 0;
  const run = async (entry: 'root' | 'lead', count: number) => {
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    const worker = async () => {
      while (next < count) {
        const [type, lead] = TYPES[next++ % TYPES.length]!;
        const at = performance.now();
        const outcome = await org.submit({ id: `${entry}-${seq++}`, type }, entry === 'lead' ? { at: lead } : {});
        if (outcome.status !== 'completed') throw new Error(`task ${outcome.taskId} ${outcome.status}`);
        latencies.push(performance.now() - at);
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { tasksPerSecond: count / seconds, p50: pct(latencies, 0.5), p99: pct(latencies, 0.99), cpuMsPerTask: (used.user + used.system) / 1000 / count };
  };

  await run('root', 20);
  await run('lead', 20);
  const results: Record<string, Array<Awaited<ReturnType<typeof run>>>> = { root: [], lead: [] };
  for (let round = 0; round < rounds; round++) {
    results.root!.push(await run('root', tasks));
    results.lead!.push(await run('lead', tasks));
  }
  for (const [entry, list] of Object.entries(results)) {
    console.log(
      `${entry === 'root' ? 'at the root (cto)      ' : 'at the team lead       '} ${median(list.map((r) => r.tasksPerSecond)).toFixed(1)} tasks/s, p50 ${median(list.map((r) => r.p50)).toFixed(0)} ms, p99 ${median(list.map((r) => r.p99)).toFixed(0)} ms, service-process CPU ${median(list.map((r) => r.cpuMsPerTask)).toFixed(2)} ms/task (${tasks} tasks, ${inFlight} in flight, median of ${rounds})`,
    );
  }
  const ratio = median(results.lead!.map((r) => r.tasksPerSecond)) / median(results.root!.map((r) => r.tasksPerSecond));
  console.log(`bypassing the root: ${ratio.toFixed(2)}× the throughput`);
  await served.close();
} finally {
  await server.stop();
}

// ─── the per-message cost of resuming an agent ────────────────────────────────────────────────
const org = organisation({ ...options, name: 'restore' }, 'bench');
const rand = { random: Math.random, uuidv4: () => crypto.randomUUID() };
const { validateTaskInput } = await import('../src/task-input.js');
const task = (id: string): Task =>
  validateTaskInput(
    { id, type: 'api_design', payload: { feature: id, notes: 'x'.repeat(1000) }, context: { requiresApproval: true } },
    { entry: 'api_specialist', now: 0, newId: () => id, isActive: () => false, defaults: { maxSubtasks: 1000, maxDepth: 8 } },
  );
let parked: AgentContext | undefined;
for (let index = 0; index < 50; index++) {
  parked = within(invocation(Date.now(), rand), () => agentTurn(org.machine, 'api_specialist', parked, { type: 'task.assign', task: task(`t${index}`) }));
}
const measure = (context: AgentContext | undefined) => {
  const json = context === undefined ? undefined : JSON.stringify(context);
  const times: number[] = [];
  for (let index = 0; index < 300; index++) {
    const at = performance.now();
    const restored = json === undefined ? undefined : (JSON.parse(json) as AgentContext);
    const next = within(invocation(Date.now(), rand), () => agentTurn(org.machine, 'api_specialist', restored, { type: 'task.cancel', taskId: 'none' }));
    JSON.stringify(next);
    times.push(performance.now() - at);
  }
  return { us: median(times) * 1000, bytes: json?.length ?? 0 };
};
const small = measure(undefined);
const big = measure(parked);
if (Object.keys(parked?.held ?? {}).length !== 50) throw new Error('the agent did not park 50 approvals');
console.log(`resume one agent per message (parse, chart, stringify): small ${small.us.toFixed(0)} µs; 50 parked approvals ${big.us.toFixed(0)} µs (${(big.bytes / 1024).toFixed(0)} KB of state)`);
