/**
 * The CLI's output through a pipe (`echelon check --json | jq`): all of it, however long, before
 * the process exits with its code.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('the CLI piped into another program', () => {
  it('writes all of a long output before it exits (check --json of 1,500 agents: about 250 KB)', async () => {
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'check', 'test/fixtures/wide-design.ts', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const stdout = Buffer.concat(chunks).toString();
    // Before: cut at 64 KiB (what the pipe held when process.exit ran), so JSON.parse failed.
    expect(stdout.length).toBeGreaterThan(65_536);
    const report = JSON.parse(stdout) as { ok: boolean; counts: { warning: number } };
    expect({ code, stderr, ok: report.ok, warnings: report.counts.warning }).toEqual({ code: 0, stderr: '', ok: true, warnings: 1_499 });
  }, 60_000);
});
