/**
 * What the Restate server's settings cost the development team on this machine: servers started
 * with different settings, alternated in one run, each serving the team from this process;
 * tasks/s with a fixed number in flight, and the CPU time per task of the server and of this
 * (service + client) process, from `/proc`. Variants: `p<N>` (`partitions: N`, restate-server's
 * `default-num-partitions`), `nofsync` (`syncWrites: false`: the server's logs written without
 * fsync, safe against a process crash, not a power cut), and combinations (`p4+nofsync`).
 *
 *   npx tsx bench/restate-server-settings.ts [tasks=150] [inFlight=20] [rounds=2] [variants=p24,p4]
 */
process.env.RESTATE_LOGGING ??= 'ERROR';
import { processCpuMs as cpuMs } from './restate-process.js';
const { developmentTeam } = await import('../src/index.js');
const { restateEndpoint, restateOrchestrator, startRestateServer } = await import('../src/restate/index.js');

const [tasks = 150, inFlight = 20, rounds = 2] = process.argv.slice(2, 5).map(Number);
const variants = (process.argv[5] ?? 'p24,p4').split(',');

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const options = { hierarchy: developmentTeam(), executors: { default: async (task: { type: string }) => ({ done: task.type }) } };
const TYPES = ['api_design', 'database', 'react', 'css', 'python', 'sql', 'strategy'];

async function measure(variant: string, round: number) {
  const parts = variant.split('+');
  const partitions = parts.find((part) => /^p\d+$/.test(part));
  const server = await startRestateServer({ ...(partitions === undefined ? {} : { partitions: Number(partitions.slice(1)) }), syncWrites: !parts.includes('nofsync') });
  try {
    const name = `settings${round}${variant.replace(/\W/g, '')}`;
    const served = await restateEndpoint({ ...options, name }).listen();
    await server.register(served.url, { force: true });
    const org = restateOrchestrator({ ...options, name, ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });
    let seq = 0;
    const pump = async (count: number) => {
      let next = 0;
      const worker = async () => {
        while (next < count) {
          const type = TYPES[next++ % TYPES.length]!;
          const outcome = await org.submit({ id: `t${seq++}`, type });
          if (outcome.status !== 'completed') throw new Error(`task ${outcome.taskId} ${outcome.status}: ${outcome.error?.message}`);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    };
    await pump(20);
    const started = performance.now();
    const [serverBefore, selfBefore] = [cpuMs(server.pid), cpuMs(process.pid)];
    await pump(tasks);
    const seconds = (performance.now() - started) / 1000;
    const result = { tasksPerSecond: tasks / seconds, serverMs: (cpuMs(server.pid) - serverBefore) / tasks, selfMs: (cpuMs(process.pid) - selfBefore) / tasks };
    await served.close();
    return result;
  } finally {
    await server.stop();
  }
}

const results = new Map<string, Array<Awaited<ReturnType<typeof measure>>>>(variants.map((variant) => [variant, []]));
for (let round = 0; round < rounds; round++) for (const variant of variants) results.get(variant)!.push(await measure(variant, round));
for (const [variant, list] of results) {
  console.log(
    `${variant.padEnd(12)} ${median(list.map((r) => r.tasksPerSecond)).toFixed(1)} tasks/s, restate-server CPU ${median(list.map((r) => r.serverMs)).toFixed(1)} ms/task, service+client CPU ${median(list.map((r) => r.selfMs)).toFixed(1)} ms/task (${tasks} tasks, ${inFlight} in flight, median of ${rounds})`,
  );
}
