/**
 * Moving task workflows onto a new deployment. Restate runs an invocation to its end on the
 * deployment it started on, and a task's workflow waits there for its outcome as long as the task
 * lasts (an approval, for days): after a redeploy to a new URL with the old process gone, the
 * outcome of every task submitted before it never arrived (the workflow was retried for ever on
 * the old URL). A workflow's run is the same two steps in every echelon version since it waits on
 * an awakeable — open the case, wait — so it is safe to resume on the deployment now serving it.
 */
import { EchelonError } from '../errors.js';
import { adminQuery, QUERY_RETRY_DELAYS_MS, timeoutSignal, type AdminApi } from './admin-query.js';

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** How long a pause may take to land before the move fails (a workflow run is paused between steps, within moments). */
const PAUSE_WAIT_MS = 10_000;

/** A request to the admin API, its failures as `engine_unavailable`. */
async function admin(api: AdminApi, method: string, path: string): Promise<{ status: number; text: string }> {
  try {
    const signal = timeoutSignal(api.timeoutMs);
    const response = await fetch(`${api.url.replace(/\/$/, '')}${path}`, { method, headers: { ...api.headers }, ...(signal === undefined ? {} : { signal }) });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    throw new EchelonError('engine_unavailable', `The Restate admin API at ${api.url} did not answer ${method} ${path}: ${String(error)}`, { cause: error });
  }
}

/**
 * Moves the runs of `workflow` (an organisation's `<name>-task`) pinned to a deployment other than
 * the one now serving it onto that one (paused first when they are retrying, then resumed with
 * `deployment=latest`), and returns the ids of their tasks. Those that end meanwhile are left.
 */
export async function moveTaskWorkflows(api: AdminApi, workflow: string): Promise<string[]> {
  const service = await admin(api, 'GET', `/services/${encodeURIComponent(workflow)}`);
  if (service.status === 404) throw new EchelonError('engine_unavailable', `The Restate server at ${api.url} has no service ${workflow}: register the deployment serving the organisation's root first.`, { details: { service: workflow } });
  if (service.status >= 400) throw new EchelonError('engine_unavailable', `The Restate admin API at ${api.url} answered ${service.status} to GET /services/${workflow}: ${service.text.slice(0, 200)}`, { details: { status: service.status } });
  const latest = String((JSON.parse(service.text) as { deployment_id?: unknown }).deployment_id);
  const ask = (query: string) => adminQuery(api.url, query, api.headers, QUERY_RETRY_DELAYS_MS, api.timeoutMs);
  const rows = await ask(
    `SELECT id, target_service_key, status FROM sys_invocation WHERE target_service_name = ${quote(workflow)} AND target_handler_name = 'run' AND status <> 'completed' AND pinned_deployment_id IS NOT NULL AND pinned_deployment_id <> ${quote(latest)}`,
  );
  const moved: string[] = [];
  for (const row of rows) {
    const id = String(row.id);
    let status = String(row.status);
    if (status !== 'paused' && status !== 'suspended') {
      await admin(api, 'PATCH', `/invocations/${encodeURIComponent(id)}/pause`);
      for (const deadline = Date.now() + PAUSE_WAIT_MS; status !== 'paused' && status !== 'suspended' && status !== 'completed'; ) {
        if (Date.now() > deadline) throw new EchelonError('engine_unavailable', `The workflow of task "${String(row.target_service_key)}" (${id}) did not pause within ${PAUSE_WAIT_MS} ms; move the tasks again.`, { details: { taskId: row.target_service_key } });
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = String((await ask(`SELECT status FROM sys_invocation WHERE id = ${quote(id)}`))[0]?.status ?? 'completed');
      }
      if (status === 'completed') continue;
    }
    const resumed = await admin(api, 'PATCH', `/invocations/${encodeURIComponent(id)}/resume?deployment=latest`);
    if (resumed.status >= 400) throw new EchelonError('engine_unavailable', `The Restate admin API refused to resume the workflow of task "${String(row.target_service_key)}" on the latest deployment (${resumed.status}): ${resumed.text.slice(0, 200)}`, { details: { taskId: row.target_service_key, status: resumed.status } });
    moved.push(String(row.target_service_key));
  }
  return moved.sort();
}
