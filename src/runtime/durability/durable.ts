/**
 * An organisation's durability, as the orchestrator uses it: open the store (refusing one that
 * belongs to another organisation, or holds one without `resume`), bring back the host's books
 * and the agents' statecharts, then — once the actors run again — re-arm their timers, send
 * again whatever the books say is in flight, and record every change from then on.
 */
import type { AnyActorRef, Snapshot } from 'xstate';
import type { AgentContext, AgentEvent } from '../../../machines/agent.machine.js';
import type { AgentReport } from '../../../machines/ports.js';
import { idempotencyKey } from '../../../machines/core/execution.js';
import { EchelonError } from '../../errors.js';
import type { Hierarchy } from '../../hierarchy/hierarchy.js';
import type { Escalation } from '../../types.js';
import type { ResourceBooks, TaskBooks } from './books.js';
import { journalRecord } from './journal.js';
import { claimStore, type StoreClaim } from './claim.js';
import { reconcile } from './reconcile.js';
import { Recorder } from './recorder.js';
import { agentLinks, checkShape, checkSnapshotFormat, SNAPSHOT_FORMAT, SnapshotBook } from './snapshots.js';
import type { Forgotten, ForgetQuery, JournalRecord, Store, StoredOrganisation } from '../../store/types.js';

export interface DurableOptions {
  readonly store: Store;
  readonly resume: boolean;
  readonly hierarchy: Hierarchy;
  readonly now: () => number;
  /** The store refused a write: stop the organisation with this error. */
  readonly fatal: (error: EchelonError) => void;
}

/** What `attach` needs from the running organisation. */
export interface DurableHost {
  readonly root: AnyActorRef;
  readonly ledger: TaskBooks;
  send(agentId: string, message: AgentEvent): void;
  /** Hands an escalation waiting for a person to the `onEscalation` handler again. */
  askHuman(escalation: Escalation): void;
}

export type Durable = ReturnType<typeof openLocked>;

/** Opens the store for `hierarchy`: checks it, and loads what a resume needs. Throws an `EchelonError` before anything starts. */
export function openDurable(options: DurableOptions) {
  // One live orchestrator per store: claimed before anything is read; given back when it stops, its store fails, or it never starts.
  const claim = claimStore(options.store);
  try {
    return openLocked(options, claim);
  } catch (error) {
    claim.release();
    throw error;
  }
}

function openLocked(options: DurableOptions, claim: StoreClaim) {
  const { store, hierarchy } = options;
  const header = readable(store, () => store.header());
  let stored: StoredOrganisation | undefined;
  if (header !== undefined) {
    // A count echelon keeps: anything but a whole number was written by someone else, and the next write would fail with it.
    if (!Number.isInteger(header.sessions) || header.sessions < 0) {
      throw new EchelonError('store_corrupt', `${store.name} holds data echelon cannot read (its session count is ${JSON.stringify(header.sessions)}); the store is damaged.`, { details: { store: store.name } });
    }
    if (!options.resume) {
      throw new EchelonError(
        'store_in_use',
        `${store.name} already holds an organisation (${header.sessions} session(s)). Pass resume: true to bring it back, or use another store.`,
        { details: { store: store.name } },
      );
    }
    checkSnapshotFormat(header, store.name, 'resume');
    checkShape(header.agents, hierarchy, store.name);
    stored = readable(store, () => store.load());
  }
  const session = (header?.sessions ?? 0) + 1;
  let books: { ledger: TaskBooks; resources: ResourceBooks } | undefined;
  let system: AnyActorRef | undefined;
  const snapshots = new SnapshotBook(session);

  const recorder = new Recorder({
    store,
    session,
    task: (taskId) => books!.ledger.stored(taskId),
    agent: (agentId) => snapshots.write(agentId, (system!.system.get(agentId) as AnyActorRef | undefined) ?? missing(agentId)),
    resources: () => books!.resources.state(),
    fatal: (error) => (claim.release(), options.fatal(error)),
  });

  return {
    /** Watches the ledger; pass it to the ledger's constructor. */
    watcher: recorder,
    resourcesChanged: () => recorder.resourcesChanged(),

    /** Brings back the host's books; returns the snapshot to start the root actor from (none for a new store). */
    restore(ledger: TaskBooks, resources: ResourceBooks): Snapshot<unknown> | undefined {
      books = { ledger, resources };
      if (stored === undefined) return undefined;
      const found = stored;
      try {
        // Rows that parse but are not what echelon wrote (a record without its task, a null snapshot) are a damaged store too.
        return readable(store, () => {
          ledger.restore(found.tasks, found.escalations, found.approvals);
          resources.restore(found.resources);
          return snapshots.restore(hierarchy, found, store.name);
        });
      } catch (error) {
        claim.release(); // the orchestrator never starts: its store is free for another try
        throw error;
      }
    },

    /** The actors run: record their changes from now on; after a resume, re-arm timers and re-send what was in flight. */
    attach(host: DurableHost): void {
      claim.started();
      system = host.root;
      const agents = hierarchy.nodes().map((node) => {
        const ref = host.root.system.get(node.id) as AnyActorRef;
        ref.subscribe({ next: () => recorder.agentChanged(node.id), error: () => undefined });
        return ref;
      });
      const at = options.now();
      if (stored === undefined) {
        recorder.journal({ type: 'organisation.started', at, actor: 'orchestrator', data: { session, agents: agents.length } });
        recorder.start(hierarchy.nodes().map((node) => node.id), { agents: agentLinks(hierarchy), snapshotFormat: SNAPSHOT_FORMAT });
        return;
      }
      const active = [...host.ledger.tasks.values()];
      recorder.journal({
        type: 'organisation.resumed',
        at,
        actor: 'orchestrator',
        data: { session, activeTasks: active.length, pendingApprovals: stored.approvals.filter(({ approval }) => approval.status === 'pending').length },
      });
      recorder.start(hierarchy.nodes().map((node) => node.id), undefined);
      // Attempts that were running run again (the agents take them up on resume): the audit says so.
      for (const agent of agents) {
        const { held, agentId } = agent.getSnapshot().context as AgentContext;
        for (const id in held) {
          const { task, phase, attempt } = held[id]!;
          if (phase !== 'running') continue;
          recorder.journal({ type: 'task.started', at, actor: agentId, taskId: task.id, rootId: task.rootId, data: { attempt, idempotencyKey: idempotencyKey(task, agentId), resumed: true } });
        }
      }
      const { redelivered, messages } = reconcile({
        records: active,
        agentIds: () => hierarchy.nodes().map((node) => node.id),
        context: (agentId) => (host.root.system.get(agentId) as AnyActorRef).getSnapshot().context as AgentContext,
        escalation: (id) => host.ledger.escalation(id),
      });
      for (const { task, to, as } of redelivered) {
        recorder.journal({ type: 'task.redelivered', at, actor: 'orchestrator', taskId: task.id, rootId: task.rootId, data: { to, as } });
      }
      for (const [to, message] of messages) host.send(to, message);
      for (const escalation of host.ledger.activeEscalations()) if (escalation.to === 'human' && escalation.assignedTo === undefined) host.askHuman(escalation);
    },

    /** Files an agent's report in the journal (and marks the agent whose helper changed). */
    report(report: AgentReport, ledger: TaskBooks, at: number): void {
      const record = journalRecord(report, at, {
        rootOf: (taskId) => ledger.tasks.get(taskId)?.task.rootId,
        approval: (id) => ledger.approval(id),
        escalation: (id) => ledger.escalation(id),
      });
      if (record !== undefined) recorder.journal(record);
    },

    /** Files what a person or the submitter did through the orchestrator. */
    note: (record: JournalRecord) => recorder.journal(record),
    flushed: () => recorder.flushed(),
    journal: store.journal.bind(store),
    outcome: store.outcome.bind(store),
    escalation: store.escalation.bind(store),
    approval: store.approval.bind(store),

    /**
     * Forgets finished work in the store at the next write point (once what happened so far is
     * written: an outcome of this burst is forgotten with the rest), then runs `dropped` (the
     * runtime drops what it keeps in memory of the same tasks). Throws `invalid_option` at once for
     * a store without `forget`.
     */
    forget(query: ForgetQuery, dropped: () => void): Promise<Forgotten> {
      const forget = store.forget?.bind(store);
      if (forget === undefined) {
        throw new EchelonError('invalid_option', `org.forget: the store ${store.name} cannot forget (it has no forget method; memoryStore() and sqliteStore() have one): nothing was forgotten.`, { details: { store: store.name } });
      }
      return recorder.atWritePoint(() => {
        let forgotten: Forgotten;
        try {
          forgotten = forget(query);
        } catch (error) {
          if (error instanceof EchelonError) throw error;
          throw new EchelonError('store_write_failed', `org.forget: ${store.name} failed to forget (${error instanceof Error ? error.message : String(error)}); it forgets in one transaction, so nothing was forgotten, and the organisation goes on.`, { cause: error });
        }
        dropped();
        return forgotten;
      });
    },

    /** Writes what is left and stops recording (the organisation stops; its state stays in the store). */
    stop(): void {
      recorder.stop();
      claim.release();
    },
  };
}

/** Reads from the store; what it cannot parse is a damaged store, not a crash of the caller. */
function readable<T>(store: Store, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof EchelonError) throw error;
    throw new EchelonError('store_corrupt', `${store.name} holds data echelon cannot read (${error instanceof Error ? error.message : String(error)}); the store is damaged.`, {
      details: { store: store.name },
      cause: error,
    });
  }
}

function missing(agentId: string): never {
  throw new EchelonError('store_write_failed', `Agent "${agentId}" is not running, so its state cannot be written.`);
}
