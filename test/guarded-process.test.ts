/**
 * Guarded child processes (src/guarded-process.ts): when the program that started one dies — even
 * by SIGKILL — the command goes with it, and a directory it was given to clean (restate-server's
 * own temp data, 220 MB a run) goes too, instead of staying in /tmp.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { waitFor } from './support/restate.js';

const GUARDED = new URL('../src/guarded-process.ts', import.meta.url).pathname;
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A program that starts `sleep 600` under the guard, told to remove `dir` (or not), and prints the sleeper's pid. */
function parent(dir: string, remove: boolean) {
  const script = `import { spawnGuarded } from ${JSON.stringify(GUARDED)};
const guarded = spawnGuarded('/bin/sleep', ['600'], { onLine: () => undefined${remove ? `, removeWhenOrphaned: ${JSON.stringify(dir)}` : ''} });
const wait = () => (guarded.pid === undefined ? setTimeout(wait, 10) : console.log('PID ' + guarded.pid));
wait();
setInterval(() => undefined, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pid = new Promise<number>((resolve) => createInterface({ input: child.stdout }).on('line', (line) => line.startsWith('PID ') && resolve(Number(line.slice(4)))));
  return { child, pid };
}

describe('a guarded process', () => {
  it('dies with the program that started it, and takes the directory it was given to clean with it (SIGKILL)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'echelon-guard-'));
    const kept = mkdtempSync(join(tmpdir(), 'echelon-guard-kept-'));
    try {
      for (const [where, remove] of [[dir, true], [kept, false]] as const) {
        const { child, pid } = parent(where, remove);
        const sleeper = await pid;
        expect(alive(sleeper)).toBe(true);
        child.kill('SIGKILL');
        await waitFor(() => !alive(sleeper), 20_000, 'the guarded sleep to end with its parent');
        // Before: the directory stayed (restate-server's temp data after a Ctrl-C or a killed test worker).
        if (remove) await waitFor(() => !existsSync(where), 20_000, 'the guard to remove the directory');
        else expect(existsSync(where)).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(kept, { recursive: true, force: true });
    }
  }, 60_000);
});
