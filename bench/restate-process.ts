/**
 * What the Restate bench cases read about the processes they start: the CPU time a process has
 * spent so far (from `/proc`, so it counts the server's and every service process's, not only this
 * one's) and restate-server's own counters (its Prometheus `/metrics` on the node port) — how many
 * invocations it started, log records it committed and state-store keys it wrote.
 */
import { readFileSync } from 'node:fs';

/** CPU time (user + system) of a process so far, in ms; 0 once it is gone. */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** The server counters the floor case reads, by what they count. */
export const SERVER_COUNTERS = {
  /** An invocation attempt taking one of the invoker's slots: one per invocation, plus one per retry or resumption. */
  invocations: 'restate_invoker_concurrency_slots_acquired',
  /** Records committed to the server's log (bifrost): what the invocations journaled, in the batches the server wrote. */
  logRecords: 'restate_bifrost_sequencer_committed_records_total',
  /** Keys written to the server's RocksDB stores: journal entries, state, invocation status, outbox, timers. */
  keysWritten: 'restate_rocksdb_number_keys_written_total',
} as const;

export type ServerCounters = Record<keyof typeof SERVER_COUNTERS, number>;

/** Sums every sample of `name` (over its labels) in a Prometheus text exposition. */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** restate-server's counters now, from `metricsUrl` (`http://127.0.0.1:<node port>/metrics`). */
export async function serverCounters(metricsUrl: string): Promise<ServerCounters> {
  const response = await fetch(metricsUrl);
  if (!response.ok) throw new Error(`restate-server metrics ${metricsUrl}: HTTP ${response.status}`);
  const text = await response.text();
  return Object.fromEntries(Object.entries(SERVER_COUNTERS).map(([key, name]) => [key, metricSum(text, name)])) as ServerCounters;
}
