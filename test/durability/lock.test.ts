/**
 * One live orchestrator per store: a second one — in this process or another — is refused with
 * `store_locked` naming the first, and gets the store once the first stops, fails, or its
 * process is killed. A refused orchestrator leaves the store free.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createOrchestrator, developmentTeam, hierarchyFromList, memoryStore, type Store } from '../../src/index.js';
import { sqliteStore } from '../../src/sqlite.js';
import { errorOf, orchestrators, rejectionOf } from '../support/helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HOLDER = join(ROOT, 'test', 'fixtures', 'hold-store.ts');
const dir = mkdtempSync(join(tmpdir(), 'echelon-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const never = () => new Promise<never>(() => undefined);
const raise = (error: Error): never => {
  throw error;
};
const start = orchestrators({ hierarchy: developmentTeam(), executors: never });
const thisProcess = { pid: process.pid, host: hostname(), id: expect.any(String), since: expect.any(String) };

describe('one live orchestrator per store', () => {
  it('refuses a second live orchestrator on a memoryStore, naming the first; once the first stops, the next resumes it', async () => {
    const store = memoryStore();
    const first = start({ store });
    void first.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
    await first.flush();
    const refusal = errorOf(() => start({ store, resume: true }));
    expect(refusal).toMatchObject({ code: 'store_locked', details: { store: 'memory', holder: thisProcess } });
    expect(refusal.message).toMatch(/in use by orchestrator .* \(pid \d+ on .*\)/);
    await first.stop();
    const second = start({ store, resume: true, executors: async () => 'B' });
    second.approvals.approve(second.approvals.pending()[0]!.id, { by: 'cto' });
    expect(await second.outcome('deploy')).toMatchObject({ status: 'completed', result: 'B' });
  });

  it('runs an approved task once when two orchestrators are pointed at one SQLite file: the second is refused', async () => {
    const file = join(dir, 'twice.db');
    const stores: Store[] = [sqliteStore(file), sqliteStore(file)];
    try {
      const a = start({ store: stores[0], resume: true, executors: async () => 'A' });
      const deploy = a.submit({ id: 'deploy', type: 'python', context: { requiresApproval: true } });
      await a.flush();
      expect(errorOf(() => start({ store: stores[1], resume: true, executors: async () => 'B' }))).toMatchObject({ code: 'store_locked', details: { store: file, holder: thisProcess } });
      a.approvals.approve(a.approvals.pending()[0]!.id, { by: 'cto' });
      expect(await deploy).toMatchObject({ status: 'completed', result: 'A' });
      expect(a.journal({ taskId: 'deploy' }).filter((entry) => entry.type === 'task.settled')).toHaveLength(1);
      await a.stop();
      const b = start({ store: stores[1], resume: true, executors: async () => 'B' });
      expect(await b.outcome('deploy')).toMatchObject({ result: 'A' });
    } finally {
      for (const store of stores) store.close();
    }
  });

  it('needs no lock file for a SQLite database in memory, which only its own connection can open', async () => {
    const store = sqliteStore(':memory:');
    try {
      await start({ store }).stop();
      expect(start({ store, resume: true }).status().totalAgents).toBe(8);
      expect(existsSync(':memory:-lock')).toBe(false);
    } finally {
      store.close();
    }
  });

  it('leaves the store free when it refuses an orchestrator: not asked to resume, another shape, options refused after the store was opened', async () => {
    const store = memoryStore();
    await start({ store }).stop();
    expect(errorOf(() => start({ store })).code).toBe('store_in_use');
    const otherShape = hierarchyFromList([{ id: 'boss', role: 'executive', capabilities: ['python'] }]);
    expect(errorOf(() => start({ store, resume: true, hierarchy: otherShape })).code).toBe('store_incompatible');
    expect(errorOf(() => start({ store, resume: true, concurrency: 0 })).code).toBe('invalid_option');
    expect(errorOf(() => start({ store, resume: true, executors: { byRole: { worker: never } } })).code).toBe('invalid_option');
    expect(start({ store, resume: true }).status().totalAgents).toBe(8); // at once, in the same turn
  });

  it('gives a SQLite file back to another connection once a refused orchestrator is gone', async () => {
    const file = join(dir, 'refused.db');
    const [first, second] = [sqliteStore(file), sqliteStore(file)];
    try {
      expect(errorOf(() => start({ store: first, resume: true, concurrency: 0 })).code).toBe('invalid_option');
      await Promise.resolve(); // the next microtask: the refused orchestrator's claim is given back
      expect(start({ store: second, resume: true }).status().totalAgents).toBe(8);
    } finally {
      first.close();
      second.close();
    }
  });

  it('gives the store back when the store fails a write and the organisation stops', async () => {
    const store = memoryStore();
    let full = false;
    const first = start({ store: { ...store, write: (batch) => (full ? raise(new Error('disk full')) : store.write(batch)) } });
    const task = first.submit({ id: 't', type: 'python' });
    await first.flush();
    full = true;
    first.cancel('t');
    expect((await rejectionOf(task)).code).toBe('store_write_failed');
    const second = start({ store, resume: true, executors: async () => 'done' });
    expect(await second.outcome('t')).toMatchObject({ status: 'completed', result: 'done' });
  });

  it('refuses another process while one runs on the file, naming it; takes the file over once that process is killed (SIGKILL)', async () => {
    const file = join(dir, 'killed.db');
    const child = spawn(process.execPath, ['--import', 'tsx', HOLDER, file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    const ready = await new Promise<boolean>((resolve) => {
      createInterface({ input: child.stdout }).on('line', (line) => line === 'READY' && resolve(true));
      void closed.then(() => resolve(false));
    });
    expect(ready, stderr).toBe(true);
    const store = sqliteStore(file);
    try {
      const refusal = errorOf(() => createOrchestrator({ hierarchy: developmentTeam(), executors: never, store, resume: true }));
      expect(refusal).toMatchObject({ code: 'store_locked', details: { holder: { pid: child.pid, host: hostname() } } });
      child.kill('SIGKILL');
      expect(await closed).toBe('SIGKILL');
      // The killed holder leaves nothing but what SQLite keeps beside a store (it left killed.db-lock-journal).
      expect(readdirSync(dir).filter((name) => name.startsWith('killed.db')).sort()).toEqual(['killed.db', 'killed.db-lock', 'killed.db-shm', 'killed.db-wal']);
      const org = start({ store, resume: true, executors: async (_task, { agent }) => `done here by ${agent.id}` });
      expect(await org.outcome('held')).toMatchObject({ status: 'completed', result: 'done here by backend_dev_1' });
      await org.stop();
    } finally {
      store.close();
    }
  });
});
