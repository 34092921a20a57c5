/**
 * `echelon fork <from.db> <to.db> [--at <seq> --history <file>]`: a new SQLite file holding the
 * organisation of another — as of its last write, or of an earlier one when its history was kept —
 * for a new organisation to resume and take another course ("what if this approval had been
 * rejected"). The source file is only read.
 */
import { existsSync, rmSync } from 'node:fs';
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
  const source = sqliteStore(options.from, { readOnly: true });
  const target = sqliteStore(options.to);
  let forked = false;
  try {
    const point = forkStore(source, target, {
      ...(options.at === undefined ? {} : { at: options.at }),
      ...(options.history === undefined ? {} : { history: options.history }),
    });
    out(`forked ${options.from} after entry #${point.seq} into ${options.to}`);
    out(`  active tasks:       ${point.activeTasks.join(', ') || 'none'}`);
    out(`  pending approvals:  ${point.pendingApprovals.join(', ') || 'none'}`);
    out(`  open escalations:   ${point.activeEscalations.join(', ') || 'none'}`);
    out(`resume it with createOrchestrator({ hierarchy, executors, store: sqliteStore('${options.to}'), resume: true }), then decide differently.`);
    forked = true;
    return 0;
  } finally {
    source.close();
    target.close();
    // A fork that failed leaves no file behind (it may be half-written).
    if (!forked) for (const file of [options.to, `${options.to}-wal`, `${options.to}-shm`]) rmSync(file, { force: true });
  }
}
