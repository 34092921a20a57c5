/**
 * The development team on Restate, across processes: this program starts restate-server (the
 * binary inside the optional dependency @restatedev/restate-server — nothing is downloaded), two
 * service processes — one serving the executive and the backend subtree, one the frontend subtree
 * — registers both, and runs the team's tasks through a client that only talks to the server's
 * ingress: each outcome says which process ran it. It stops everything it started, also on failure.
 *
 * Run: npm run example:restate   (or: npx tsx examples/restate/index.ts)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Outcome } from '../../src/index.js';
import { restateOrchestrator, startRestateServer } from '../../src/restate/index.js';
import { organisation } from './organisation.js';

const PROCESSES = [
  { name: 'backend', hosts: ['cto', 'backend_lead'] },
  { name: 'frontend', hosts: ['frontend_lead'] },
];

/** Starts one service process and resolves with its URL once it listens. */
function startService(name: string, hosts: readonly string[], started: ChildProcess[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'service.ts'), JSON.stringify(hosts)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ECHELON_EXAMPLE_PROCESS: `${name} process`, RESTATE_LOGGING: process.env.RESTATE_LOGGING ?? 'WARN' },
  });
  started.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${name} process did not listen within 30 s`)), 30_000);
    child.once('exit', (code) => reject(new Error(`the ${name} process exited (${code}) before it listened`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('LISTENING ')) return;
      clearTimeout(timer);
      resolve(line.slice('LISTENING '.length));
    });
  });
}

const describe = (outcome: Outcome) => {
  const result = outcome.result as Record<string, { ranIn?: string } | string> | undefined;
  const where =
    outcome.splitBy !== undefined
      ? `split by ${outcome.splitBy}: ${Object.entries(result ?? {}).map(([part, value]) => `${part} in ${typeof value === 'object' ? value.ranIn : '?'}`).join(', ')}`
      : `by ${outcome.executedBy} in ${String((result as { ranIn?: string } | undefined)?.ranIn)}`;
  return `${outcome.status === 'completed' ? '✓' : '✗'} ${outcome.type}: ${outcome.status} ${where} — via ${outcome.delegationChain.join(' → ')}`;
};

console.log('Starting restate-server from @restatedev/restate-server …');
const server = await startRestateServer();
const services: ChildProcess[] = [];
try {
  console.log(`  ingress ${server.ingressUrl}, admin ${server.adminUrl}, data in ${server.baseDir}`);
  for (const { name, hosts } of PROCESSES) {
    const url = await startService(name, hosts, services);
    await server.register(url);
    console.log(`  the ${name} process serves ${hosts.join(' and ')}'s subtree${hosts.length > 1 ? 's' : ''} at ${url}`);
  }
  const org = restateOrchestrator({ ...organisation, ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });

  console.log('\nOne task per capability, all in flight at once:');
  const everything = [...new Set(org.hierarchy.nodes().flatMap((node) => node.capabilities))];
  for (const outcome of await Promise.all(everything.map((type) => org.submit({ type })))) console.log(`  ${describe(outcome)}`);

  console.log('\nA full-stack feature, split across both processes and joined:');
  console.log(`  ${describe(await org.submit({ type: 'full_stack_feature', payload: { feature: 'user authentication' } }))}`);

  console.log('\nA python task that needs approval, approved through the client by the specialist above the developer:');
  const risky = org.submit({ type: 'python', context: { requiresApproval: true } });
  let pending = await org.approvals.pending();
  for (const deadline = Date.now() + 30_000; pending.length === 0 && Date.now() < deadline; pending = await org.approvals.pending()) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const approval of pending) {
    console.log(`  ${approval.requester} asks ${approval.approver} to approve ${approval.taskType} (${approval.taskId})`);
    await org.approvals.approve(approval.id, { by: approval.approver, comment: 'looks safe' });
  }
  console.log(`  ${describe(await risky)}`);

  const status = await org.status();
  console.log(`\n${status.totalAgents} agents, ${status.activeTasks} tasks active, ${status.pendingApprovals} approvals pending`);
  await org.stop();
} finally {
  await Promise.all(services.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : (child.once('exit', resolve), child.kill('SIGTERM'))))));
  await server.stop();
  console.log('Stopped the service processes and restate-server.');
}
