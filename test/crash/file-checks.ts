/**
 * What the crash tests check of the SQLite file a run of kills left, once its last process ran to
 * its end: each task settled exactly once, nothing is active, nothing had to be re-sent, and each
 * attempt completed once; answered with the session each completed attempt was recorded in.
 */
import Database from 'better-sqlite3';
import { expect } from 'vitest';

/** Checks the file as said above for the submitted tasks `ids`; the completed attempts' sessions, by idempotency key. */
export function settledOnce(db: string, ids: readonly string[]): Map<string, number> {
  const database = new Database(db, { readonly: true, fileMustExist: true });
  const settled = database.prepare<[], { task_id: string; n: number }>("SELECT task_id, count(*) AS n FROM journal WHERE type = 'task.settled' GROUP BY task_id").all();
  const ended = database.prepare<[], { session: number; data: string }>("SELECT session, data FROM journal WHERE type = 'task.ended'").all();
  const active = database.prepare<[], number>("SELECT count(*) FROM tasks WHERE status = 'active'").pluck().get();
  const redelivered = database.prepare<[], number>("SELECT count(*) FROM journal WHERE type = 'task.redelivered'").pluck().get();
  database.close();
  expect(settled.map((row) => [row.task_id, row.n]).sort()).toEqual(ids.map((id) => [id, 1]).sort());
  expect(active).toBe(0);
  expect(redelivered).toBe(0);

  const recorded = new Map<string, number>();
  for (const row of ended) {
    const data = JSON.parse(row.data) as { status: string; idempotencyKey?: string };
    if (data.status !== 'completed' || data.idempotencyKey === undefined) continue;
    expect(recorded.has(data.idempotencyKey), data.idempotencyKey).toBe(false);
    recorded.set(data.idempotencyKey, row.session);
  }
  return recorded;
}
