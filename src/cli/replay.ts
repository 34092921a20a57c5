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
import { replaySteps, walkSteps, type AgentLink, type ReplayEntry, type ReplayStep } from '../replay/steps.js';
import { stepCount } from '../inspect/routes.js';
import { checkSnapshotFormat } from '../runtime/durability/snapshots.js';
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
    const { entries, agents } = storedEntries(store, options.taskId);
    const chart = chartFromLinks(agents);
    out(`replay ${options.file}: ${entries.length} journal entries${options.taskId === undefined ? '' : ` of task ${options.taskId}`}, ${store.header()!.sessions} session(s)`);
    if (pacing !== immediately && options.autoMs === undefined) out('(press a key for the next entry; q to quit)');
    // One step at a time: a long run's steps, each with every agent, would not fit in memory at once.
    for (const step of walkSteps(entries, agents)) {
      if (options.steps !== undefined && step.index > options.steps) {
        out(`── stopped after ${options.steps} step${options.steps === 1 ? '' : 's'}`);
        return 0;
      }
      if (!(await trigger.next())) {
        out('── stopped');
        return 0;
      }
      for (const line of formatReplayStep(step, entries[0]!.at)) out(line);
      if (options.tree) for (const line of formatTree(chart, step.agents)) out(line);
    }
    out(`── the end of the journal after ${entries.length} step${entries.length === 1 ? '' : 's'}`);
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
    const { entries, agents } = storedEntries(store, options.taskId);
    // The page asks for the latest 2,000 at most: only those are built.
    steps = replaySteps(entries, agents, { latest: stepCount(undefined) });
    count = entries.length;
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
  return replaySteps(entries, agents);
}

/** A store's journal (all, or one task's) and its agents; refuses an empty store, one of another snapshot format, or an unknown task. */
function storedEntries(store: Store, taskId?: string): { entries: readonly ReplayEntry[]; agents: readonly AgentLink[] } {
  const header = store.header();
  if (header === undefined) throw new EchelonError('unknown_task', `${store.name} holds no organisation: there is nothing to replay.`);
  checkSnapshotFormat(header, store.name, 'replay');
  const entries = store.journal(taskId === undefined ? {} : { taskId });
  if (taskId !== undefined && entries.length === 0) throw new EchelonError('unknown_task', `${store.name} has no journal entries for task "${taskId}".`, { details: { taskId } });
  return { entries, agents: header.agents };
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
