/**
 * `echelon step` / `run` waiting for an executor that does not settle: after a short while it says
 * what it waits for (the task, the agent, until when) and how to stop, and q stops it there.
 * Real time is vitest's fake setTimeout, installed once the scenario is loaded: nothing sleeps.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/index.js';
import { createStepper } from '../../src/scenario/index.js';
import { loadScenario } from '../../src/cli/load.js';

afterEach(() => void vi.useRealTimers());

/** Runs the CLI in this process; real timers become fake ones at its first line (the scenario is loaded by then). */
function cli(args: string[], input = new PassThrough()) {
  const lines: string[] = [];
  const out = (line: string) => {
    if (lines.length === 0) vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    lines.push(...line.split('\n'));
  };
  const done = main(args, { out, input: input as unknown as NodeJS.ReadStream });
  return { lines, done, input };
}

/** Lets the CLI run (the stepper settles on setImmediate, which is real) until `done` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let turn = 0; !done(); turn++) {
    // A bound on turns, not on time — but a turn is quick, and on a loaded machine what the CLI waits
    // for (the scenario's module, read and compiled by tsx) took more than 100,000 of them.
    if (turn > 3_000_000) throw new Error('the CLI never got there');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Until the stepper waits on `timers` fake timers. */
const waitingOn = (timers: number) => until(() => vi.isFakeTimers() && vi.getTimerCount() >= timers);

/**
 * Presses a key (`press`), step after step, until one waits for the executor: the notice's timer
 * and the wait's are set.
 */
async function stepToTheWait(lines: readonly string[], press: () => void): Promise<void> {
  const waits = () => vi.isFakeTimers() && vi.getTimerCount() >= 2;
  await until(() => lines.includes('(press a key for the next message; q to quit)'));
  for (let at = 1; !waits(); at++) {
    if (at > 50) throw new Error(`no wait after ${at} steps:\n${lines.join('\n')}`);
    press();
    await until(() => lines.some((line) => line.startsWith(`── step ${at} `)) || waits());
  }
}

const notice = /^… waiting 2 s for backend_dev_1's executor on task hung: the step waits until it settles, or 300000 ms until the next timer \(its timeout, say\) moves the clock\. (q or )?Ctrl-C to stop\.$/;

describe('a step waiting for an executor', () => {
  it('run says, after 2 s of silence, which task and agent it waits for and how to stop (before: nothing for 5 minutes)', async () => {
    const { lines, done } = cli(['run', 'test/fixtures/hung-executor.ts', '--compact']);
    await waitingOn(2); // the notice's timer and the wait until the executor's timeout
    await vi.advanceTimersByTimeAsync(1_999);
    expect(lines.filter((line) => line.startsWith('… waiting'))).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(lines.filter((line) => line.startsWith('… waiting'))).toEqual([expect.stringMatching(notice)]);
    expect(lines.at(-1)).toMatch(/Ctrl-C to stop\.$/);
    expect(lines.at(-1)).not.toContain('q or');
    // Its timeout then moves the clock: the task fails, the scenario ends, and the notice came once.
    await vi.advanceTimersByTimeAsync(300_000);
    expect(await done).toBe(0);
    expect(lines).toContain('  » hung: failed (executor_timeout)');
    expect(lines.filter((line) => line.startsWith('… waiting'))).toHaveLength(1);
  });

  it('step says to press q, and q stops it while it waits (before: keys were read only between steps)', async () => {
    const input = new PassThrough();
    const { lines, done } = cli(['step', 'test/fixtures/hung-executor.ts', '--compact'], input);
    await stepToTheWait(lines, () => input.write('\n'));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(lines.at(-1)).toMatch(notice);
    expect(lines.at(-1)).toContain('q or Ctrl-C to stop.');
    // Impatient Enters first, then q: the q does not wait behind them (each would be a step after the one that waits).
    input.write('\n\nq\n');
    expect(await done).toBe(0);
    // Stopped right after the notice (--compact prints the org chart at the end), the task still in flight.
    const after = lines.slice(lines.findIndex((line) => line.startsWith('… waiting')) + 1);
    expect(after[0]).toBe('── stopped');
    expect(after.at(-1)).toMatch(/^status: 1 active tasks/);
  });

  it('in a terminal, Ctrl-C (a key in raw mode) stops a step under way at once, keys typed ahead or not', async () => {
    const terminal = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => terminal });
    const { lines, done } = cli(['step', 'test/fixtures/hung-executor.ts', '--compact'], terminal);
    await stepToTheWait(lines, () => terminal.write(' '));
    // No notice yet: two keys typed ahead, then Ctrl-C.
    terminal.write('  \x03');
    expect(await done).toBe(0);
    expect(lines.filter((line) => line.startsWith('… waiting'))).toEqual([]);
    expect(lines).toContain('── stopped');
  });

  it('createStepper tells onWaiting after waitingNoticeMs, and refuses a waitingNoticeMs no timer can wait', async () => {
    const scenario = await loadScenario('test/fixtures/hung-executor.ts');
    await expect(createStepper(scenario, { waitingNoticeMs: -1 })).rejects.toMatchObject({ code: 'invalid_option', message: expect.stringContaining('waitingNoticeMs must be a whole number of ms from 0 to 2147483647, got -1') });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const waits: unknown[] = [];
    const stepper = await createStepper(scenario, { log: () => {}, waitingNoticeMs: 50, onWaiting: (wait) => waits.push(wait) });
    const stepping = (async () => {
      for (let step = await stepper.step(); step !== undefined; step = await stepper.step());
    })();
    await waitingOn(2);
    await vi.advanceTimersByTimeAsync(50);
    expect(waits).toEqual([{ running: [{ taskId: 'hung', agent: 'backend_dev_1' }], waitedMs: 50, nextTimerMs: 300_000 }]);
    await stepper.close();
    await stepping;
  });
});
