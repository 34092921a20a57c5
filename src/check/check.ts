/**
 * `checkOrganisation`: a static analysis of an organisation before anything runs — every check
 * asks the runtime's own rules (routing, strategies, escalation targets, approver choice,
 * fan-out limits), so what it reports is what the running organisation would do.
 */
import { EchelonError, refusalAt } from '../errors.js';
import { checkSpans } from '../hierarchy/metrics.js';
import { ROLES } from '../hierarchy/types.js';
import { agentNames, ORGANISATION_OPTION_FIELDS } from '../settings/index.js';
import { anything, checkShape, fields, readingCaller, shapeContext } from '../shape/index.js';
import { show } from '../show.js';
import type { Task, TaskInput } from '../types.js';
import { checkApprovals } from './approvals.js';
import { checkDecompositions } from './decomposition.js';
import { checkEscalations } from './escalations.js';
import { resolve, type Resolved } from './probe.js';
import { checkRouting } from './routing.js';
import { checkSettings } from './settings.js';
import type { CheckOptions, CheckReport, Finding, Severity } from './types.js';

const ORDER: Readonly<Record<Severity, number>> = { error: 0, warning: 1, note: 2 };

/** An organisation's options, and what only the check takes (tasks are built as `submit` builds them, spans checked by `checkSpans`). */
const CHECK_OPTIONS = fields({ ...ORGANISATION_OPTION_FIELDS, tasks: anything, spans: anything });

/**
 * Checks an organisation's hierarchy and options without running it: executors, routing from the
 * root, reachability, escalation targets, approval requirements, decompositions against limits
 * and budgets, and span of control. Refuses options without a hierarchy, and an unknown or
 * misspelt option anywhere in them, with `invalid_option` (as `createOrchestrator` does; a `byId` or
 * `byRole` key that names no agent or role is a finding instead).
 *
 * @example
 * ```ts
 * const report = checkOrganisation({ hierarchy: developmentTeam(), executors: { byRole: referenceExecutors() }, tasks: ['python', 'deploy'] });
 * report.ok;                           // false: nobody can do "deploy"
 * report.findings[0].code;             // 'unroutable_type'
 * ```
 */
export function checkOrganisation(options: CheckOptions): CheckReport {
  const hierarchy = readingCaller('checkOrganisation', 'invalid_option', 'its options', () => (typeof options === 'object' && options !== null ? (options as Partial<CheckOptions>).hierarchy : undefined));
  if (typeof options !== 'object' || options === null || typeof hierarchy?.nodes !== 'function') {
    throw new EchelonError('invalid_option', 'checkOrganisation needs the options of an organisation, with a hierarchy (defineHierarchy(), hierarchyFromList() or a preset such as developmentTeam()).');
  }
  checkShape(options, CHECK_OPTIONS, '', { ...shapeContext('checkOrganisation', 'invalid_option', agentNames(options.hierarchy), ROLES), unknownNamesAllowed: true });
  const resolved = resolve(options);
  const tasks = expectedTasks(resolved, options.tasks ?? []);
  const routes = checkRouting(resolved, tasks);
  const findings: Finding[] = [
    ...checkSettings(resolved),
    ...routes.findings,
    ...checkEscalations(resolved, tasks),
    ...checkApprovals(resolved, routes.byType),
    ...checkDecompositions(resolved, routes.byType),
    ...checkSpans(options.hierarchy, options.spans).map(
      (warning): Finding => ({ severity: 'note', code: 'span_of_control', agents: [warning.agentId], message: warning.message }),
    ),
  ];
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  const counts = { error: 0, warning: 0, note: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return { ok: counts.error === 0, counts, findings, taskTypes: [...tasks.keys()] };
}

/** One probe task per type: the expected tasks as given (first of each type), then every capability. */
function expectedTasks(resolved: Resolved, inputs: readonly (string | TaskInput)[]): Map<string, Task> {
  if (!Array.isArray(inputs)) throw new EchelonError('invalid_option', `checkOrganisation: tasks must be a list of task types or tasks, got ${show(inputs)}: tasks: ['deploy', { type: 'migration', approval: { role: 'manager' } }].`);
  const tasks = new Map<string, Task>();
  inputs.forEach((input, index) => {
    if (typeof input !== 'string' && (typeof input !== 'object' || input === null || Array.isArray(input))) {
      throw new EchelonError('invalid_option', `checkOrganisation: tasks[${index}] must be a task type or a task, got ${show(input)}.`, { details: { path: `tasks[${index}]` } });
    }
    let task: Task;
    try {
      task = resolved.task(typeof input === 'string' ? { type: input } : { ...input, id: 'probe' });
    } catch (error) {
      if (!(error instanceof EchelonError)) throw error;
      throw refusalAt(`checkOrganisation: tasks[${index}]`, error, { path: `tasks[${index}]` });
    }
    if (!tasks.has(task.type)) tasks.set(task.type, task);
  });
  for (const node of resolved.hierarchy.nodes()) {
    for (const type of node.capabilities) if (!tasks.has(type)) tasks.set(type, resolved.task({ type }));
  }
  return tasks;
}
