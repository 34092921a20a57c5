/**
 * One process of the crash test's driver, run to its end or to its kill point (where it is
 * killed with SIGKILL): shared by the crash test and the tests that read the files it leaves.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DRIVER = join('test', 'crash', 'driver.ts');

export interface Generation {
  readonly lines: string[];
  readonly killed: boolean;
  readonly stderr: string;
}

/** Runs one process of the driver to its end, or to its kill point (where it is killed). */
export function generation(db: string, log: string, seed: number, kill: number): Promise<Generation> {
  return runDriver(DRIVER, ['--db', db, '--log', log, '--seed', String(seed), '--kill', String(kill)]);
}

/** Runs a driver script (a path under the repository) with these arguments; a `KILL …` line on its stdout gets it SIGKILLed. */
export function runDriver(driver: string, args: readonly string[]): Promise<Generation> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, driver), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.startsWith('KILL ')) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => resolve({ lines, killed: signal === 'SIGKILL', stderr }));
  });
}

