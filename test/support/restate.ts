/**
 * Small helpers the Restate tests share: the SDK loaded after echelon's `Promise.withResolvers`
 * polyfill, whether a process is alive, and a bounded wait.
 */
import { readFileSync } from 'node:fs';

/** The Restate SDK, loaded the way echelon/restate loads it (after the Node 20 polyfill). */
export async function restateSdk(): Promise<typeof import('@restatedev/restate-sdk')> {
  await import('../../src/restate/polyfill.js');
  return import('@restatedev/restate-sdk');
}

/** Whether `pid` is a live process (a zombie nobody reaped yet counts as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Polls `condition` every 25 ms; throws `message` after `ms`. A condition that throws is polled
 * again (a read across keys just after a server restart may fail while partitions recover: one
 * crash-test run under load failed within 2.5 s of the restart, its error not kept); the last
 * error is named if the time runs out, and each one is written to stderr.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, ms: number, message: string): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      last = error;
      console.error(`waitFor (${message}): the condition threw, polling again: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (Date.now() > deadline) throw new Error(`${message} (waited ${ms} ms${last === undefined ? '' : `; last error: ${last instanceof Error ? last.message : String(last)}`})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
