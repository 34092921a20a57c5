/**
 * `echelon fork <from.db> <to.db> [--at <seq> --history <file>]`: a new SQLite file holding the
 * organisation of another — as of its last write, or of an earlier one when its history was kept —
 * for a new organisation to resume and take another course ("what if this approval had been
 * rejected"). The source file is only read.
 */
import { existsSync, linkSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EchelonError } from '../errors.js';
import { forkStore } from '../store/fork.js';
import { sqliteStore } from '../store/sqlite/store.js';

export interface ForkCommandOptions {
  readonly from: string;
  readonly to: string;
  readonly at?: number;
  readonly history?: string;
  readonly out: (line: string) => void;
}

/** Runs the command; resolves with the process exit code. */
export async function forkCommand(options: ForkCommandOptions): Promise<number> {
  const { out } = options;
  if (!existsSync(options.from)) throw new EchelonError('invalid_option', `No file ${options.from} to fork.`);
  if (existsSync(options.to)) throw new EchelonError('store_in_use', `${options.to} exists already: fork into a new file.`);
  // Written beside the target under a name of its own, and given the target's name once whole: a fork
  // killed half-way (SIGKILL, a crash) leaves no half-written target, which a resume would refuse.
  const partial = join(dirname(options.to), `.${basename(options.to)}.forking-${process.pid}`);
  const source = sqliteStore(options.from, { readOnly: true });
  const target = sqliteStore(partial);
  let closed = false;
  try {
    const point = forkStore(source, target, {
      ...(options.at === undefined ? {} : { at: options.at }),
      ...(options.history === undefined ? {} : { history: options.history }),
    });
    target.close();
    closed = true;
    // A link, not a rename: it fails, rather than replaces, a file someone made meanwhile under the target's name.
    try {
      linkSync(partial, options.to);
      // Closed, SQLite folds its log into the file; should a log be left, it goes with the file.
      if (existsSync(`${partial}-wal`)) linkSync(`${partial}-wal`, `${options.to}-wal`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new EchelonError('store_in_use', `${options.to} appeared while forking: fork into a new file.`);
      throw error;
    }
    out(`forked ${options.from} after entry #${point.seq} into ${options.to}`);
    out(`  active tasks:       ${point.activeTasks.join(', ') || 'none'}`);
    out(`  pending approvals:  ${point.pendingApprovals.join(', ') || 'none'}`);
    out(`  open escalations:   ${point.activeEscalations.join(', ') || 'none'}`);
    out(`resume it with createOrchestrator({ hierarchy, executors, store: sqliteStore('${options.to}'), resume: true }), then decide differently.`);
    return 0;
  } finally {
    source.close();
    if (!closed) target.close();
    // The partial name goes, forked or not.
    for (const suffix of ['', '-wal', '-shm', '-lock']) rmSync(`${partial}${suffix}`, { force: true });
  }
}
