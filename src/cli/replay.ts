/**
 * `echelon replay <file.db> [--task id]`: a stored run, one journal entry at a time, in the
 * stepper's format — who did what to which task, the states the agents went through, and the org
 * chart with every agent's state at that moment.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { formatTree } from './format.js';
import { immediately, keypresses, paced, stoppable, type Trigger } from './keys.js';
import { EchelonError } from '../errors.js';
import { isLoopback } from '../inspect/options.js';
import { serveReplay } from '../inspect/replay-view.js';
import type { Store } from '../store/types.js';
import { chartFromLinks } from '../replay/chart.js';
import { walkSteps, type AgentLink, type ReplayEntry, type ReplayStep } from '../replay/steps.js';
import { stepCount } from '../inspect/routes.js';
import { checkSnapshotFormat } from '../runtime/durability/snapshots.js';
import { pagedJournal } from '../store/paged.js';
import { sqliteStore } from '../store/sqlite/store.js';

export interface ReplayCommandOptions {
  readonly file: string;
  readonly taskId?: string;
  readonly autoMs?: number;
  /** Stop after this many steps (all of them without asking when set). */
  readonly steps?: number;
  readonly tree: boolean;
  readonly out: (line: string) => void;
  readonly input: NodeJS.ReadStream;
  /** Aborts the replay (stdout closed): the store is closed, and the command resolves. */
  readonly signal?: AbortSignal;
  /** A promise while the output holds more than it takes at once (CliIo.drained): the replay waits on it before its next step. */
  readonly drained?: () => Promise<void> | undefined;
  /** Serve the replay view on this address instead of stepping in the terminal; it stays up until `interrupted`. */
  readonly view?: { readonly port: number; readonly host: string; readonly token?: string; readonly interrupted: Promise<void> };
}

/** Runs the command; resolves with the process exit code. */
export async function replayCommand(options: ReplayCommandOptions): Promise<number> {
  const { out } = options;
  // Opening a missing file would create an empty database there, and replay it as nothing.
  if (!existsSync(options.file)) throw new EchelonError('invalid_option', `No file ${options.file} to replay.`);
  // Replaying reads: a store this process may not write (a backup, another user's) replays all the same.
  const store = sqliteStore(options.file, { readOnly: true });
  if (options.view !== undefined) return replayView(store, options, options.view);
  const pacing: Trigger = options.autoMs !== undefined ? paced(options.autoMs) : options.steps !== undefined ? immediately : keypresses(options.input);
  const trigger = stoppable(pacing, options.signal);
  try {
    const { count, entries, agents } = storedEntries(store, options.taskId);
    const chart = chartFromLinks(agents);
    out(`replay ${options.file}: ${count} journal entries${options.taskId === undefined ? '' : ` of task ${options.taskId}`}, ${store.header()!.sessions} session(s)`);
    if (pacing !== immediately && options.autoMs === undefined) out('(press a key for the next entry; q to quit)');
    // One step at a time, from one page of entries at a time: a long run's would not fit in memory at once.
    let start: number | undefined;
    let walked = 0;
    for (const step of walkSteps(entries(), agents)) {
      if (options.steps !== undefined && step.index > options.steps) {
        out(`── stopped after ${options.steps} step${options.steps === 1 ? '' : 's'}`);
        return 0;
      }
      if (!(await trigger.next())) {
        out('── stopped');
        return 0;
      }
      start ??= step.entry.at;
      walked = step.index;
      for (const line of formatReplayStep(step, start)) out(line);
      if (options.tree) for (const line of formatTree(chart, step.agents)) out(line);
      // A slow reader (| less) takes a long journal's lines as it reads them, rather than all of them waiting in memory.
      const taken = options.drained?.();
      if (taken !== undefined) await taken;
    }
    out(`── the end of the journal after ${walked} step${walked === 1 ? '' : 's'}`);
    return 0;
  } finally {
    trigger.close();
    store.close();
  }
}

/** `--view`: the replay page, a timeline to scrub, until Ctrl-C. */
async function replayView(store: Store, options: ReplayCommandOptions, view: NonNullable<ReplayCommandOptions['view']>): Promise<number> {
  let steps: ReplayStep[];
  let count: number;
  try {
    const stored = storedEntries(store, options.taskId);
    // The page asks for the latest 2,000 at most: only those are built.
    steps = [...walkSteps(stored.entries(), stored.agents, Math.max(0, stored.count - stepCount(undefined)))];
    count = stored.count;
  } finally {
    store.close();
  }
  const token = view.token ?? (isLoopback(view.host) ? undefined : randomUUID());
  const served = await serveReplay(steps, { port: view.port, host: view.host, ...(token === undefined ? {} : { token }) });
  options.out(`replay of ${options.file} (${count} entries): ${served.url}`);
  options.out('Ctrl-C to quit');
  await view.interrupted;
  await served.close();
  return 0;
}

/** A store's journal as replay steps (all, or one task's); refuses an empty store or an unknown task. */
export function storedSteps(store: Store, taskId?: string): ReplayStep[] {
  const { entries, agents } = storedEntries(store, taskId);
  return [...walkSteps(entries(), agents)];
}

/**
 * A store's journal (all, or one task's) — how many entries it has, and a reader that reads them
 * a page at a time — with its agents; refuses an empty store, one of another snapshot format, or
 * an unknown task.
 */
function storedEntries(store: Store, taskId?: string): { count: number; entries: () => Generator<ReplayEntry>; agents: readonly AgentLink[] } {
  const header = store.header();
  if (header === undefined) throw new EchelonError('unknown_task', `${store.name} holds no organisation: there is nothing to replay.`);
  checkSnapshotFormat(header, store.name, 'replay');
  const entries = () => pagedJournal(store, taskId);
  let count = 0;
  for (const _ of entries()) count++;
  if (taskId !== undefined && count === 0) throw new EchelonError('unknown_task', `${store.name} has no journal entries for task "${taskId}".`, { details: { taskId } });
  return { count, entries, agents: header.agents };
}

/** One step: its title, what happened, and the states agents went through. */
export function formatReplayStep(step: ReplayStep, start: number): string[] {
  const { entry } = step;
  const title = `step ${step.index}`;
  const lines = [`── ${title} · t=+${entry.at - start} ms · session ${entry.session} · #${entry.seq} ${'─'.repeat(Math.max(0, 30 - title.length))}`];
  if (entry.type === 'task.delegated') lines.push(`  ${String(entry.data?.to)} ← task.assign ${entry.taskId} (from ${entry.actor})`);
  lines.push(`    • ${entry.type.padEnd(21)} ${step.text}`);
  for (const move of step.moves) lines.push(`      ${move.agent}: ${move.states.join(' → ')}`);
  return lines;
}
