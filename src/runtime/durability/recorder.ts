/**
 * Write points. Every state change marks what it touched — an agent, a task, an escalation,
 * an approval, the resource registry — and adds its journal line; once the current burst of
 * work is over (the next macrotask: every actor's mailbox is empty then, and every message
 * sent so far has been processed), everything marked is written in one batch, one transaction.
 * A crash therefore leaves the store exactly as it was after some burst: a cut of the whole
 * organisation with no message in flight between its actors. Outcomes are handed to whoever
 * awaits them only after the write that records them.
 */
import { EchelonError, taskErrorFromUnknown } from '../../errors.js';
import type { Outcome } from '../../types.js';
import { clause } from '../../show.js';
import type {
  JournalRecord,
  ResourceState,
  Store,
  StoreBatch,
  StoredApproval,
  StoredEscalation,
  StoredSnapshot,
  StoredTask,
  StoreHeader,
} from '../../store/types.js';

/** Where the recorder reads the current state of what was marked. */
export interface RecorderSources {
  readonly store: Store;
  readonly session: number;
  task(taskId: string): StoredTask | undefined;
  /** What to write for the agent, or `undefined` when it is as it was last written. */
  agent(agentId: string): StoredSnapshot | undefined;
  resources(): ResourceState;
  /** The store refused a write: the organisation cannot go on durably. */
  fatal(error: EchelonError): void;
}

/** Satisfies the runtime ledger's `LedgerWatcher`: the orchestrator passes it to the ledger it builds. */
export class Recorder {
  readonly #sources: RecorderSources;
  #agents = new Set<string>();
  #tasks = new Set<string>();
  #outcomes = new Map<string, Outcome>();
  #escalations = new Map<string, StoredEscalation>();
  #approvals = new Map<string, StoredApproval>();
  #resources = false;
  #journal: JournalRecord[] = [];
  #committed: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  /** Run right after the next write (see `atWritePoint`); told why when that write fails. */
  #atWrite: Array<{ run: () => void; reject: (error: unknown) => void }> = [];
  #scheduled: ReturnType<typeof setImmediate> | undefined;
  /** Marks before `start` (the restore) are kept for the first write; after `stop` nothing is. */
  #phase: 'restoring' | 'running' | 'stopped' | 'failed' = 'restoring';
  #failure: EchelonError | undefined;

  constructor(sources: RecorderSources) {
    this.#sources = sources;
  }

  // ─── marks ────────────────────────────────────────────────────────────────────────────

  agentChanged(agentId: string): void {
    this.#agents.add(agentId);
    this.#schedule();
  }

  task(taskId: string): void {
    this.#tasks.add(taskId);
    this.#schedule();
  }

  finished(outcome: Outcome): void {
    this.#outcomes.set(outcome.taskId, outcome);
    this.#schedule();
  }

  escalation(escalation: StoredEscalation['escalation'], rootId: string): void {
    this.#escalations.set(escalation.id, { rootId, escalation });
    this.#schedule();
  }

  approval(approval: StoredApproval['approval'], rootId: string): void {
    this.#approvals.set(approval.id, { rootId, approval });
    this.#schedule();
  }

  resourcesChanged(): void {
    this.#resources = true;
    this.#schedule();
  }

  journal(record: JournalRecord): void {
    if (this.#phase === 'stopped' || this.#phase === 'failed') return;
    this.#journal.push(record);
    this.#schedule();
  }

  settle(resolve: () => void, reject: (error: unknown) => void): void {
    if (this.#phase === 'stopped') resolve();
    else if (this.#phase === 'failed') reject(new EchelonError('store_write_failed', `${this.#sources.store.name} refused an earlier write.`));
    else this.#committed.push({ resolve, reject });
  }

  /** Resolves once everything marked so far is written (at once when nothing is waiting). */
  flushed(): Promise<void> {
    if (this.#phase === 'failed') return Promise.reject(new EchelonError('store_write_failed', `${this.#sources.store.name} refused an earlier write.`));
    if (this.#phase === 'stopped' || !this.#dirty()) return Promise.resolve();
    return new Promise((resolve, reject) => this.#committed.push({ resolve, reject }));
  }

  /**
   * Runs `run` at the next write point, right after the batch marked so far is written (a burst
   * in progress ends first: the store changes only between whole bursts), and resolves with what
   * it returns — or rejects with what it throws, or with the write's failure.
   */
  atWritePoint<T>(run: () => T): Promise<T> {
    if (this.#phase !== 'running') return Promise.reject(new EchelonError('store_write_failed', `${this.#sources.store.name} ${this.#phase === 'failed' ? 'refused an earlier write' : 'is no longer written'}.`));
    return new Promise<T>((resolve, reject) => {
      this.#atWrite.push({
        run: () => {
          try {
            resolve(run());
          } catch (error) {
            reject(error);
          }
        },
        reject,
      });
      this.#schedule();
    });
  }

  // ─── writes ───────────────────────────────────────────────────────────────────────────

  /** Writes the session's first batch (every agent, and the header for a new store), then writes as marks come. */
  start(agentIds: readonly string[], header: Omit<StoreHeader, 'sessions'> | undefined): void {
    for (const id of agentIds) this.#agents.add(id);
    this.#phase = 'running';
    this.flush(header);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Writes what is marked, now. */
  flush(header?: Omit<StoreHeader, 'sessions'>): void {
    if (this.#scheduled !== undefined) clearImmediate(this.#scheduled);
    this.#scheduled = undefined;
    if (this.#phase !== 'running') return;
    const after = this.#atWrite;
    this.#atWrite = [];
    if (!this.#dirty() && header === undefined) return void after.forEach(({ run }) => run());
    const committed = this.#committed;
    this.#committed = [];
    try {
      this.#sources.store.write(this.#batch(header));
    } catch (error) {
      this.#phase = 'failed';
      const failure = (this.#failure = new EchelonError(
        'store_write_failed',
        `Writing to ${this.#sources.store.name} failed: ${clause(taskErrorFromUnknown(error, 'store_write_failed').message)}. ` +
          'The organisation stopped, so that nothing runs that could not be recorded. Once the store takes writes again (free space, or reopen it), create the organisation on it with resume: true: what was written before is all there, and a task whose submit was refused with this error may not be — org.outcome(id) tells; submit it again if not.',
        { cause: error },
      ));
      for (const waiter of [...committed, ...after]) waiter.reject(failure);
      this.#sources.fatal(failure);
      return;
    }
    for (const waiter of committed) waiter.resolve();
    for (const { run } of after) run();
  }

  /** A last write, then nothing more is recorded (the organisation is stopping). */
  stop(): void {
    this.flush();
    if (this.#phase === 'running') this.#phase = 'stopped';
  }

  #dirty(): boolean {
    return (
      this.#agents.size + this.#tasks.size + this.#outcomes.size + this.#escalations.size + this.#approvals.size + this.#journal.length > 0 ||
      this.#resources ||
      this.#committed.length > 0
    );
  }

  #schedule(): void {
    if (this.#phase !== 'running' || this.#scheduled !== undefined) return;
    this.#scheduled = setImmediate(() => this.flush());
  }

  #batch(header: Omit<StoreHeader, 'sessions'> | undefined): StoreBatch {
    const sources = this.#sources;
    const tasks: StoredTask[] = [];
    const removedTasks: string[] = [];
    const outcomes: Outcome[] = [];
    for (const id of this.#tasks) {
      const stored = sources.task(id);
      if (stored !== undefined) tasks.push(stored);
      else if (!this.#outcomes.has(id)) removedTasks.push(id);
    }
    // A finished task whose id was submitted again in the same burst keeps its new, active row.
    for (const [id, outcome] of this.#outcomes) if (sources.task(id) === undefined) outcomes.push(outcome);
    const batch: StoreBatch = {
      session: sources.session,
      ...(header === undefined ? {} : { header }),
      snapshots: [...this.#agents].flatMap((id) => sources.agent(id) ?? []),
      tasks,
      removedTasks,
      outcomes,
      escalations: [...this.#escalations.values()],
      approvals: [...this.#approvals.values()],
      ...(this.#resources ? { resources: sources.resources() } : {}),
      journal: this.#journal,
    };
    this.#agents = new Set();
    this.#tasks = new Set();
    this.#outcomes = new Map();
    this.#escalations = new Map();
    this.#approvals = new Map();
    this.#resources = false;
    this.#journal = [];
    return batch;
  }
}
