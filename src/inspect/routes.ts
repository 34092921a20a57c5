/**
 * What the live view's server answers besides the page and its event stream: the task list, a
 * task's timeline, the stored run as replay steps, and the people's actions — approve or reject
 * an approval, resolve an escalation waiting for a person — through the orchestrator's own API,
 * offered only to those who may decide (`deciders.ts`).
 */
import type { IncomingMessage } from 'node:http';
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/api.js';
import { assertEscalationDecision } from './deciders.js';
import type { LiveFeed } from './feed.js';
import { readJsonObject } from './guard.js';
import { replaySteps } from '../replay/steps.js';
import { taskTimeline } from './timeline.js';

/** An answer: a status and a JSON body. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

const ok = (body: unknown): Answer => ({ status: 200, body });

/** Replay steps a page gets at most: enough to scrub, bounded for a journal of a long run. */
const MAX_STEPS = 2_000;

/** Reads: `GET /api/tasks`, `GET /api/tasks/:id`, `GET /api/history`. `undefined` when the path is not one. */
export async function read(org: Orchestrator, feed: LiveFeed, url: URL): Promise<Answer | undefined> {
  const query = (name: string) => url.searchParams.get(name) ?? undefined;
  if (url.pathname === '/api/tasks') {
    const limit = query('limit');
    return ok(
      feed.tasks.list({
        ...(query('status') === undefined ? {} : { status: query('status')! }),
        ...(query('type') === undefined ? {} : { type: query('type')! }),
        ...(query('agent') === undefined ? {} : { agent: query('agent')! }),
        ...(query('search') === undefined ? {} : { search: query('search')! }),
        ...(limit === undefined ? {} : { limit: Math.max(1, Number(limit) || 1) }),
      }),
    );
  }
  const task = /^\/api\/tasks\/([^/]+)$/.exec(url.pathname);
  if (task !== null) {
    const id = pathId(task[1]!);
    const timeline = await taskTimeline(org, feed.tasks, id);
    if (timeline === undefined) throw new EchelonError('unknown_task', `The live view has seen no task "${id}" (it keeps the active ones and the latest finished; with a store, every task its journal holds).`, { details: { taskId: id } });
    return ok(timeline);
  }
  if (url.pathname === '/api/history') {
    // org.history() would build every step of a long run, each with every agent: only the latest are built.
    const taskId = query('task');
    const links = org.hierarchy.nodes().map((node) => ({ id: node.id, parent: node.parentId ?? null }));
    return ok(replaySteps(org.journal(taskId === undefined ? {} : { taskId }), links, { latest: stepCount(query('limit')) }));
  }
  return undefined;
}

/** Actions: `POST /api/approvals/:id/(approve|reject)`, `POST /api/escalations/:id/resolve`. */
export async function act(org: Orchestrator, request: IncomingMessage, path: string): Promise<Answer | undefined> {
  const approval = /^\/api\/approvals\/([^/]+)\/(approve|reject)$/.exec(path);
  if (approval !== null) {
    const body = await readJsonObject(request);
    const id = pathId(approval[1]!);
    const by = text(body, 'by', true)!;
    if (approval[2] === 'approve') {
      const comment = text(body, 'comment', false);
      org.approvals.approve(id, { by, ...(comment === undefined ? {} : { comment }) });
    } else {
      const reason = text(body, 'reason', false);
      org.approvals.reject(id, { by, ...(reason === undefined ? {} : { reason }) });
    }
    return ok({ ok: true, approval: org.approvals.get(id)?.status ?? 'unknown' });
  }
  const escalation = /^\/api\/escalations\/([^/]+)\/resolve$/.exec(path);
  if (escalation !== null) {
    const body = await readJsonObject(request);
    const id = pathId(escalation[1]!);
    const by = text(body, 'by', true)!;
    const found = org.escalations.get(id);
    if (found === undefined) throw new EchelonError('unknown_escalation', `No escalation "${id}".`, { details: { escalationId: id } });
    const assignTo = text(body, 'assignTo', false);
    const fail = text(body, 'fail', false);
    const result = text(body, 'result', false);
    const chosen = [assignTo, fail, result].filter((value) => value !== undefined).length;
    if (chosen !== 1) throw new EchelonError('invalid_request', 'Resolve an escalation with exactly one of "result", "fail" or "assignTo".');
    assertEscalationDecision(org.hierarchy, found, by, assignTo);
    org.escalations.resolve(id, assignTo !== undefined ? { assignTo, by } : fail !== undefined ? { fail, by } : { result, by });
    return ok({ ok: true, escalation: org.escalations.get(id)?.status ?? 'unknown' });
  }
  return undefined;
}

/** An id from a path segment; a malformed %-escape is the client's mistake (400), not the server's. */
export function pathId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new EchelonError('invalid_request', `The path segment "${segment}" has a malformed %-escape: encode ids with encodeURIComponent.`);
  }
}

/** The steps a page gets: the latest `limit` (default 2,000) — every step counts from the start, so each agent's state is right. */
export function latestSteps<T>(steps: readonly T[], limit: string | undefined): readonly T[] {
  const count = stepCount(limit);
  return steps.length > count ? steps.slice(-count) : steps;
}

/** How many steps a page asked for (`?limit=`): a whole number from 1 to 2,000 (a fraction rounded down), 2,000 when it did not say. */
export function stepCount(limit: string | undefined): number {
  return limit === undefined ? MAX_STEPS : Math.max(1, Math.min(MAX_STEPS, Math.floor(Number(limit)) || 1));
}

/** A string field of an action's body; `by` must be a non-empty identity. */
function text(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new EchelonError('invalid_request', `The action needs "${field}": who decides (an agent id with authority over the request).`);
    return undefined;
  }
  if (typeof value !== 'string' || value.length > 2000) throw new EchelonError('invalid_request', `"${field}" must be a string of at most 2000 characters.`);
  return value;
}
