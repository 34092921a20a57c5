/**
 * `npm start` as a user runs it: twice on one SQLite file (the second run resumes the approval the
 * first left waiting), and after a crash that left a task in flight (the next run takes it up and
 * says so). The example runs as its own process, as `npm start` runs it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'echelon-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/dev-team.ts'], { cwd: ROOT, env: { ...process.env, ECHELON_DB: file }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm start on its SQLite file', () => {
  it('leaves a deployment waiting for approval; the next run resumes it, approves it and prints its journal across both runs', async () => {
    const file = join(dir, 'twice.db');
    const first = await start(file);
    expect(first, first.stderr).toMatchObject({ code: 0 });
    const waiting = /(task_\S+) waits for api_specialist: run npm start again/.exec(first.stdout)?.[1];
    expect(waiting, first.stdout).toBeDefined();
    expect(first.stdout).not.toContain('Resumed from the file');
    const second = await start(file);
    expect(second, second.stderr).toMatchObject({ code: 0 });
    expect(second.stdout).toContain(`Resumed from the file: python (${waiting}) has waited for api_specialist's approval since the last run`);
    expect(second.stdout).toMatch(/session 1: backend_dev_1 approval\.requested\n\s+session 2: api_specialist approval\.decided/);
    expect(second.stdout).not.toContain('left in flight');
  }, 60_000);

  it('after a crash with a task in flight, the next run takes it up again and shows its outcome', async () => {
    const file = join(dir, 'crashed.db');
    // A process holds a python task whose executor never finishes, written to the file; then it is killed.
    const holder = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'fixtures', 'hold-store.ts'), file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const closed = new Promise((resolve) => holder.on('close', resolve));
    await new Promise<void>((resolve) => createInterface({ input: holder.stdout }).on('line', (line) => line === 'READY' && resolve()));
    holder.kill('SIGKILL');
    await closed;
    const next = await start(file);
    expect(next, next.stderr).toMatchObject({ code: 0 });
    expect(next.stdout).toMatch(/Resumed from the file: 1 task\(s\) the last run left in flight, taken up again\n {2}✓ python: completed by backend_dev_1 via cto → backend_lead → api_specialist → backend_dev_1/);
  }, 60_000);
});
