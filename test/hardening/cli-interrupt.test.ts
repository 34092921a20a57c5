/**
 * Ctrl-C (SIGINT) or SIGTERM during `echelon run`: the organisation is stopped — what it ran ends
 * with `orchestrator_stopped`, executors see their signals abort — and the CLI exits with 130 or
 * 143, as a shell reports them. Before, Node's default ended the process where it was, without `org.stop()`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'echelon-interrupt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI, sends `signal` once it has printed its first line, and resolves with how it ended. */
function interrupted(args: readonly string[], env: NodeJS.ProcessEnv, signal: NodeJS.Signals = 'SIGINT'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // The CLI itself, not tsx's CLI: tsx relays a signal to its child and ends on its own terms.
    const child = spawn('node', ['--import', 'tsx', 'src/cli/index.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!sent && stdout.includes('\n')) {
        sent = true;
        child.kill(signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('Ctrl-C during echelon run', () => {
  it('stops the organisation (its tasks end with orchestrator_stopped) and exits with 130', async () => {
    const mark = join(dir, 'stopped');
    const result = await interrupted(['run', 'test/fixtures/stop-marker-scenario.ts'], { HANG: '1', ECHELON_STOP_MARK: mark });
    expect(result).toMatchObject({ code: 130, stderr: '' });
    expect(result.stdout).toContain('── stopped');
    expect(existsSync(mark) ? readFileSync(mark, 'utf8') : 'not stopped').toBe('stopped\n');
  }, 60_000);

  it('stops it the same way on SIGTERM (kill, systemd, docker stop) and exits with 143: Node\'s default ended the process where it was', async () => {
    const mark = join(dir, 'stopped');
    const result = await interrupted(['run', 'test/fixtures/stop-marker-scenario.ts'], { HANG: '1', ECHELON_STOP_MARK: mark }, 'SIGTERM');
    expect(result).toMatchObject({ code: 143, stderr: '' });
    expect(result.stdout).toContain('── stopped');
    expect(existsSync(mark) ? readFileSync(mark, 'utf8') : 'not stopped').toBe('stopped\n');
  }, 60_000);
});

describe('a view or replay --view that ends', () => {
  it('lets go of its Ctrl-C and SIGTERM listeners, refused or done: a later Ctrl-C ends the process as usual', async () => {
    const { main } = await import('../../src/cli/index.js');
    const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
    const io = { out: () => undefined, input: process.stdin };
    await expect(main(['view', join(dir, 'missing-scenario.ts'), '--exit-when-done'], io)).rejects.toMatchObject({ code: 'invalid_scenario' });
    await expect(main(['replay', join(dir, 'missing.db'), '--view'], io)).rejects.toMatchObject({ code: 'invalid_option' });
    expect(await main(['view', 'test/fixtures/web-team-scenario.ts', '--port', '0', '--auto', '1', '--exit-when-done'], io)).toBe(0);
    expect({ SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') }).toEqual(before);
  });
});

describe('echelon view, step after step', () => {
  it('waits on its interruption once for the whole view, not once more every step (each race left a reaction on it)', async () => {
    const { viewCommand } = await import('../../src/cli/view.js');
    let waits = 0;
    /** An interruption that never comes, counting who waits on it. */
    class Counted<T> extends Promise<T> {
      override then<A = T, B = never>(fulfilled?: ((value: T) => A | PromiseLike<A>) | null, rejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
        waits++;
        return super.then(fulfilled, rejected);
      }
    }
    const lines: string[] = [];
    const code = await viewCommand({ file: 'test/fixtures/web-team-scenario.ts', port: 0, host: '127.0.0.1', autoMs: 1, exitWhenDone: true, out: (line) => lines.push(line), interrupted: new Counted<void>(() => undefined) });
    expect(code).toBe(0);
    const steps = lines.filter((line) => line.includes('→')).length;
    expect(steps).toBeGreaterThan(5);
    expect(waits).toBe(1);
  });
});
