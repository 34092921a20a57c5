/**
 * Where echelon's cost on Restate goes, counted (issue 14): one task of each type of the
 * development team's mix through echelon's Restate host (every unit in one process) and through
 * the floor (bench/systems/restate-floor-service.ts), on one restate-server whose services keep
 * every completed invocation's journal (`journal_retention`, set through the admin API for this run
 * only — it costs the server, so the timed bench never sets it). Prints, per task, the invocations
 * of each service and handler, and per invocation of each the journal entries by type (state
 * writes, sends, steps, …), read from the server's `sys_invocation` and `sys_journal` tables; the
 * invocations scheduled for later (timers not yet due) apart; and echelon's agent turns by the message
 * each received.
 *
 *   npx tsc -p tsconfig.bench.json && RESTATE_LOGGING=WARN node .bench-build/bench/restate-journal-profile.js
 */
import { join } from 'node:path';
import { developmentTeam } from '../src/index.js';
import { adminQuery } from '../src/restate/admin-query.js';
import { startRestateServer } from '../src/restate/server.js';
import { startRestateCluster } from '../test/support/restate-cluster.js';
import { orchestratorSystem, PLACEMENTS } from './cases/restate.js';
import { startFloorProcess } from './cases/restate-floor.js';
import { FLOOR, floorSystem } from './systems/restate-floor.js';
import type { System } from './systems/types.js';
import { pump, taskMix, taskTypes } from './workload.js';

/** The message an Input journal entry carries (`entry_json`: its payload as an array of bytes): its type, and what a timer was for. */
function messageType(entryJson: string): string {
  try {
    const bytes = (JSON.parse(entryJson) as { Command: { Input: { payload: number[] } } }).Command.Input.payload;
    const message = JSON.parse(Buffer.from(bytes).toString('utf8')) as { type: string; what?: string };
    return message.what === undefined ? message.type : `${message.type} (${message.what})`;
  } catch {
    return 'unreadable';
  }
}

const hierarchy = developmentTeam();
const types = taskTypes(hierarchy).length;
const server = await startRestateServer();
const stops: Array<() => Promise<unknown>> = [];
try {
  const agentsJson = JSON.stringify(hierarchy.nodes().map(({ id, parentId, capabilities }) => ({ id, parentId, capabilities })));
  stops.push((await startFloorProcess(server, agentsJson)).stop);
  const cluster = await startRestateCluster({ organisation: join(import.meta.dirname, 'restate-org.js'), processes: PLACEMENTS[1], server });
  stops.push(() => cluster.stop());
  const { default: organisation } = (await import('./restate-org.js')) as { default: () => import('../src/restate/index.js').RestateOrganisationOptions };
  const { restateOrchestrator } = await import('../src/restate/index.js');
  const client = restateOrchestrator({ ...organisation(), ingressUrl: server.ingressUrl, adminUrl: server.adminUrl });

  // Keep every journal for the run: Restate drops a completed invocation's journal by default.
  const listed = (await (await fetch(`${server.adminUrl}/services`)).json()) as { services: Array<{ name: string }> };
  for (const { name } of listed.services) {
    const response = await fetch(`${server.adminUrl}/services/${encodeURIComponent(name)}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ journal_retention: '1h' }) });
    if (!response.ok) throw new Error(`PATCH /services/${name}: HTTP ${response.status} ${await response.text()}`);
  }

  const systems: Record<string, { system: System; owns: (service: string) => boolean }> = {
    floor: { system: floorSystem(server.ingressUrl, 'profile-'), owns: (service) => service.startsWith('floor-') },
    echelon: { system: orchestratorSystem('echelon', client), owns: (service) => service.startsWith(`${organisation().name}-`) },
  };
  for (const { system } of Object.values(systems)) await pump(system, { count: types, typeAt: taskMix(hierarchy), inFlight: 1 });
  // Completed invocations reach the tables a moment after their outcome: wait until every workflow is there.
  for (let tries = 0; ; tries++) {
    const [row] = await adminQuery(server.adminUrl, `SELECT COUNT(*) AS n FROM sys_invocation WHERE target_handler_name = 'run' AND status = 'completed' AND (target_service_name = '${FLOOR.task}' OR target_service_name = '${organisation().name}-task')`);
    if (Number(row?.n) >= 2 * types || tries > 100) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  // Completed invocations only: a delayed send (echelon's attempt timer) is an invocation `scheduled` for later, counted apart.
  const invocations = await adminQuery(server.adminUrl, "SELECT target_service_name AS service, target_handler_name AS handler, COUNT(*) AS n FROM sys_invocation WHERE status = 'completed' GROUP BY target_service_name, target_handler_name ORDER BY target_service_name, target_handler_name");
  const scheduled = await adminQuery(server.adminUrl, "SELECT target_service_name AS service, COUNT(*) AS n FROM sys_invocation WHERE status = 'scheduled' GROUP BY target_service_name");
  const entries = await adminQuery(
    server.adminUrl,
    "SELECT i.target_service_name AS service, i.target_handler_name AS handler, j.entry_type AS type, COUNT(*) AS n FROM sys_journal j JOIN sys_invocation i ON j.id = i.id WHERE i.status = 'completed' GROUP BY i.target_service_name, i.target_handler_name, j.entry_type ORDER BY i.target_service_name, i.target_handler_name, j.entry_type",
  );
  for (const [name, { owns }] of Object.entries(systems)) {
    const mine = invocations.filter((row) => owns(String(row.service)));
    const total = mine.reduce((sum, row) => sum + Number(row.n), 0);
    console.log(`\n${name}: ${(total / types).toFixed(2)} invocations per task (${types} tasks, one of each type)`);
    for (const row of mine) {
      const count = Number(row.n);
      const kinds = entries.filter((entry) => entry.service === row.service && entry.handler === row.handler);
      const journal = kinds.reduce((sum, entry) => sum + Number(entry.n), 0);
      const byType = kinds.map((entry) => `${String(entry.type)} ${(Number(entry.n) / count).toFixed(1)}`).join(', ');
      console.log(`  ${`${String(row.service)}.${String(row.handler)}`.padEnd(40)} ${(count / types).toFixed(2)} per task; ${(journal / count).toFixed(1)} journal entries per invocation: ${byType}`);
    }
    const journal = entries.filter((entry) => owns(String(entry.service))).reduce((sum, entry) => sum + Number(entry.n), 0);
    const writes = entries.filter((entry) => owns(String(entry.service)) && /SetState|ClearState/i.test(String(entry.type))).reduce((sum, entry) => sum + Number(entry.n), 0);
    const later = scheduled.filter((row) => owns(String(row.service))).reduce((sum, row) => sum + Number(row.n), 0);
    console.log(`  per task: ${(journal / types).toFixed(1)} journal entries, ${(writes / types).toFixed(1)} state writes or clears; ${(later / types).toFixed(2)} invocations scheduled for later (timers, not run yet)`);
  }
  // What each agent turn of echelon's was for: the type of the message it received (its input).
  const inputs = await adminQuery(
    server.adminUrl,
    `SELECT i.status AS status, j.entry_json AS entry FROM sys_journal j JOIN sys_invocation i ON j.id = i.id WHERE j.entry_type = 'Command: Input' AND i.target_service_name LIKE '${organisation().name}-agents-%'`,
  );
  const byEvent = new Map<string, number>();
  for (const { status, entry } of inputs) {
    const type = `${messageType(String(entry))}${status === 'completed' ? '' : `, ${String(status)}`}`;
    byEvent.set(type, (byEvent.get(type) ?? 0) + 1);
  }
  console.log(`\nechelon's agent turns per task, by the message received: ${[...byEvent].map(([type, n]) => `${type} ${(n / types).toFixed(2)}`).join(', ')}`);
  await client.stop();
} finally {
  for (const stop of stops.reverse()) await stop();
  await server.stop();
}
