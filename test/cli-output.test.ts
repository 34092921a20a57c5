/**
 * The CLI's standard output is written a chunk at a time, not a write per line (`echelon replay`
 * prints some fifteen lines a step, and most of its time on a long journal went to writing them
 * one by one), with every line, in order, before the process exits.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/index.js';
import { bufferedLines } from '../src/cli/output.js';
import { createOrchestrator, developmentTeam } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'echelon-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stream that keeps each write apart. */
function recorder() {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString());
      done();
    },
  });
  return { writes, stream };
}

describe("the CLI's standard output", () => {
  it('writes lines together — one write for what a turn of the event loop printed, one per 64 KB beyond — every line in order', async () => {
    const { writes, stream } = recorder();
    const lines = bufferedLines(stream);
    for (let i = 0; i < 3; i++) lines.out(`line ${i}`);
    expect(writes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toEqual(['line 0\nline 1\nline 2\n']);
    const many = Array.from({ length: 20_000 }, (_, i) => `step ${i} ${'─'.repeat(20)}`);
    for (const line of many) lines.out(line);
    lines.flush();
    expect(writes.length - 1).toBeLessThanOrEqual(Math.ceil(many.join('\n').length / 65_536) + 1);
    expect(writes.slice(1).join('')).toBe(`${many.join('\n')}\n`);
    lines.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(writes.join('')).toBe(`line 0\nline 1\nline 2\n${many.join('\n')}\n`);
  });

  it('echelon replay through a pipe prints what main prints, line for line, before it exits', async () => {
    const file = join(dir, 'run.db');
    const store = sqliteStore(file);
    const org = createOrchestrator({ hierarchy: developmentTeam(), executors: async () => 'done', store });
    await Promise.all(Array.from({ length: 40 }, (_, i) => org.submit({ id: `t${i}`, type: i % 2 === 0 ? 'python' : 'javascript' })));
    await org.stop();
    store.close();
    const expected: string[] = [];
    await main(['replay', file, '--steps', '100000'], { out: (line) => expected.push(line), input: process.stdin });
    expect(expected.join('\n').length).toBeGreaterThan(2 * 65_536); // more than one chunk
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'src/cli/index.ts', 'replay', file, '--steps', '100000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr, lines: Buffer.concat(chunks).toString().split('\n') }).toEqual({ code: 0, stderr: '', lines: [...expected, ''] });
  }, 60_000);
});
