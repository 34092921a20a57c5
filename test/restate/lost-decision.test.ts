/**
 * A decision pending in a process that is killed, on a real Restate server: restate-server plus
 * two echelon service processes (the executive with the frontend, and the backend), and a
 * model-like strategy (backend_lead) and approver (api_specialist) that answer only when the test
 * releases them (fixtures/decision-org.ts). The backend process is SIGKILLed while one of them is
 * pending and restarted: the agent asks the decision again, as the in-process host does when it
 * restores, and the task completes. A decision that had answered before the kill (its answer
 * journaled) is not asked again.
 *
 * Kills happen at points the test sees (the decision logged that it was asked), not after sleeps.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Outcome, TaskInput } from '../../src/index.js';
import { restateOrchestrator, type RestateOrchestrator } from '../../src/restate/index.js';
import { startRestateCluster, type RestateCluster } from '../support/restate-cluster.js';
import { waitFor } from '../support/restate.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-restate-decision-'));
process.env.ECHELON_DECISION_DIR = dir;
const ORGANISATION = join(import.meta.dirname, 'fixtures/decision-org.ts');
const { default: organisation } = await import('./fixtures/decision-org.js');

let cluster: RestateCluster;
let org: RestateOrchestrator;

/** Who asked which decision about which task, in which process, in order per process. */
const asks = (what: 'strategy' | 'approver', taskId: string) =>
  readdirSync(dir)
    .filter((file) => file.startsWith('asks-'))
    .flatMap((file) => readFileSync(join(dir, file), 'utf8').trim().split('\n').filter(Boolean))
    .map((line) => line.split(' '))
    .filter(([, kind, task]) => kind === what && task === taskId)
    .map(([, , , where]) => where);
const release = (what: 'strategy' | 'approver', taskId: string) => writeFileSync(join(dir, `release-${what}-${taskId}`), '');
const askedTimes = (what: 'strategy' | 'approver', taskId: string, times: number) =>
  waitFor(() => asks(what, taskId).length >= times, 60_000, `the ${what} was not asked about ${taskId} ${times} time(s)`);

/** Kills the backend process while `taskId`'s decision is pending there, restarts it, and waits until it is asked again. */
async function killWhilePending(what: 'strategy' | 'approver', taskId: string): Promise<void> {
  await askedTimes(what, taskId, 1);
  await cluster.kill('backend');
  await cluster.restart('backend');
  await askedTimes(what, taskId, 2);
}

beforeAll(async () => {
  cluster = await startRestateCluster({
    organisation: ORGANISATION,
    env: { ECHELON_DECISION_DIR: dir },
    processes: [
      { name: 'executive', hosts: ['cto', 'frontend_lead'] },
      { name: 'backend', hosts: ['backend_lead'] },
    ],
  });
  org = restateOrchestrator({ ...organisation(), ingressUrl: cluster.server.ingressUrl, adminUrl: cluster.server.adminUrl });
}, 120_000);
afterAll(async () => {
  await org?.stop();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a decision pending in a service process that is SIGKILLed', () => {
  const python = (id: string, extra: Partial<TaskInput> = {}): TaskInput => ({ id, type: 'python', ...extra });
  let answered: Outcome;

  it('is asked once when its process lives: the strategy answers, the task completes', async () => {
    release('strategy', 'd1');
    answered = await org.submit(python('d1'));
    expect(answered).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1' });
    expect(asks('strategy', 'd1')).toEqual(['backend']);
  }, 60_000);

  it('a strategy pending at the kill is asked again in the restarted process, and its task completes', async () => {
    const outcome = org.submit(python('d2'));
    await killWhilePending('strategy', 'd2');
    release('strategy', 'd2');
    expect(await outcome).toMatchObject({ status: 'completed', executedBy: 'backend_dev_1', result: { by: 'backend_dev_1', in: 'backend' } });
    expect(asks('strategy', 'd2')).toEqual(['backend', 'backend']);
  }, 120_000);

  it('an approver pending at the kill is asked again, and its approval decides the task', async () => {
    release('strategy', 'a3');
    const outcome = org.submit(python('a3', { context: { requiresApproval: true } }));
    await killWhilePending('approver', 'a3');
    release('approver', 'a3');
    expect(await outcome).toMatchObject({
      status: 'completed',
      executedBy: 'backend_dev_1',
      approvals: [{ status: 'approved', decisions: [{ by: 'api_specialist', decision: 'approved', note: 'the model approves' }] }],
    });
    expect(asks('approver', 'a3')).toEqual(['backend', 'backend']);
  }, 120_000);

  it('asks no decision again whose answer was journaled before a kill, and reports no fault', async () => {
    expect(asks('strategy', 'd1')).toEqual(['backend']);
    expect(asks('strategy', 'a3')).toEqual(['backend']);
    expect(await org.outcome('d1')).toEqual(answered);
    expect((await org.journal()).filter((entry) => entry.type === 'agent.fault')).toEqual([]);
    for (const node of org.hierarchy.nodes()) expect({ agent: node.id, held: (await org.agentState(node.id)).held }).toEqual({ agent: node.id, held: {} });
    expect(await org.status()).toMatchObject({ activeTasks: 0, pendingApprovals: 0, inFlight: 0 });
  }, 60_000);
});
