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

/** Polls `condition` every 25 ms; throws `message` after `ms`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, ms: number, message: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${message} (waited ${ms} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
