/**
 * Forgetting finished work in the SQLite store (`Store.forget`): which tasks, and their rows.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { Forgotten, ForgetQuery } from '../types.js';
import { SETTLED_AT } from './schema.js';

/**
 * `Store.forget` on `db`: the finished tasks settled first before the time (through the
 * `tasks_settled` index), then each one's rows by id and by its submitted task's id (each through
 * an index: no table is read whole), all in one transaction.
 */
export function forgetting(db: BetterSqlite3.Database): (query: ForgetQuery) => Forgotten {
  const settled = db.prepare<[number, number], string>(
    `SELECT id FROM tasks WHERE status <> 'active' AND ${SETTLED_AT} < ? ORDER BY ${SETTLED_AT}, id LIMIT ?`,
  ).pluck();
  const remove = {
    outcome: db.prepare('DELETE FROM tasks WHERE id = ?'),
    // Derived tasks are active rows (only a submitted task's row holds an outcome): left by a crash between writes, if at all.
    derived: db.prepare("DELETE FROM tasks WHERE root_id = ? AND status = 'active'"),
    escalations: db.prepare('DELETE FROM escalations WHERE root_id = ?'),
    approvals: db.prepare('DELETE FROM approvals WHERE root_id = ?'),
    filed: db.prepare('DELETE FROM journal WHERE root_id = ?'),
    // A line written once its task was no longer active names the task alone (its submitted task unknown by then).
    named: db.prepare('DELETE FROM journal WHERE task_id = ? AND root_id IS NULL'),
  };
  const named = db.prepare<[string], string>('SELECT DISTINCT task_id FROM journal WHERE root_id = ? AND task_id IS NOT NULL').pluck();
  return db.transaction(({ settledBefore, limit }: ForgetQuery): Forgotten => {
    const ids = settled.all(settledBefore, limit === undefined || limit === Number.POSITIVE_INFINITY ? -1 : limit);
    const counts = { tasks: ids.length, escalations: 0, approvals: 0, journalEntries: 0 };
    for (const id of ids) {
      remove.outcome.run(id);
      remove.derived.run(id);
      counts.escalations += remove.escalations.run(id).changes;
      counts.approvals += remove.approvals.run(id).changes;
      const tasks = new Set([id, ...named.all(id)]);
      counts.journalEntries += remove.filed.run(id).changes;
      for (const taskId of tasks) counts.journalEntries += remove.named.run(taskId).changes;
    }
    return counts;
  });
}
