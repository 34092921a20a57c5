/**
 * The stepper's trace as text: for each step, who received what and the states it went through,
 * the lifecycle events it caused, and the org chart with every agent's current state.
 */
import type { Hierarchy } from '../hierarchy/hierarchy.js';
import { describeEvent } from '../inspect/summary.js';
import type { AgentStatus } from '../runtime/orchestrator.js';
import type { ScenarioStep, StepperWait } from '../scenario/stepper.js';
import type { Delivery } from '../scenario/tracer.js';
import { terminalText } from './output.js';

export interface FormatOptions {
  /** Print the org chart after the step (default true). */
  readonly tree?: boolean;
  /** The scenario's own lines logged during the step. */
  readonly narration?: readonly string[];
}

/** The lines of one step. */
export function formatStep(step: ScenarioStep, hierarchy: Hierarchy, options: FormatOptions = {}): string[] {
  const title = step.index === 0 ? 'start' : `step ${step.index}`;
  const lines = [`── ${title} · t=${step.at} ms${step.timer ? ' (time moved to the next timer)' : ''} ${'─'.repeat(Math.max(0, 40 - title.length))}`];
  if (step.deliveries.length === 0) lines.push('  (no agent received anything)');
  for (const delivery of step.deliveries) lines.push(...formatDelivery(delivery));
  for (const event of step.events) lines.push(`    • ${event.type.padEnd(19)} ${describeEvent(event)}`);
  for (const line of options.narration ?? []) lines.push(...line.split('\n').map((part) => `  » ${part}`));
  if (options.tree !== false && step.agents.length > 0) lines.push(...formatTree(hierarchy, step.agents));
  return lines;
}

/** `agent ← message (from sender)` and the states it moved through. */
export function formatDelivery(delivery: Delivery): string[] {
  const receiver = delivery.helper === undefined ? delivery.agent : `${delivery.agent}/${delivery.helper}`;
  const from = delivery.timer ? '' : ` (from ${delivery.from ?? 'outside: the scenario or a person'})`;
  return [`  ${receiver} ← ${delivery.summary}${from}`, `      ${delivery.states.join(' → ')}`];
}

/** What the org chart needs of a hierarchy: its root, and each agent's children (a `Hierarchy` is one). */
export interface OrgChart {
  readonly root: { readonly id: string };
  get(id: string): { readonly childIds: readonly string[] };
}

/** What the org chart shows of an agent: an `AgentStatus`, or a replay step's agent. */
export type ChartAgent = Pick<AgentStatus, 'id' | 'state' | 'running' | 'awaitingApproval'> & Partial<Pick<AgentStatus, 'queued' | 'escalated' | 'load'>>;

/** Levels drawn indented; an agent deeper than that is drawn at this indent, marked with its level (a chain thousands deep stays readable). */
const INDENTED_LEVELS = 24;

/** The org chart, one agent per line, with its state, mailbox, running tasks and load. */
export function formatTree(hierarchy: OrgChart, agents: readonly ChartAgent[]): string[] {
  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  const rows: Array<[string, ChartAgent | undefined]> = [];
  // Depth first, with a stack rather than recursion: an organisation may be deeper than the call stack.
  const stack: Array<{ id: string; prefix: string; last: boolean; level: number }> = [{ id: hierarchy.root.id, prefix: '    ', last: true, level: 0 }];
  while (stack.length > 0) {
    const { id, prefix, last, level } = stack.pop()!;
    const mark = level > INDENTED_LEVELS ? `[level ${level}] ` : '';
    // Escaped before the columns are padded (an id's bidi override is six characters on the screen).
    rows.push([`${prefix}${level === 0 ? '' : last ? '└─ ' : '├─ '}${mark}${terminalText(id)}`, byId.get(id)]);
    const children = hierarchy.get(id).childIds;
    const below = level === 0 || level >= INDENTED_LEVELS ? prefix : `${prefix}${last ? '   ' : '│  '}`;
    for (let index = children.length - 1; index >= 0; index--) stack.push({ id: children[index]!, prefix: below, last: index === children.length - 1, level: level + 1 });
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, agent]) => `${label.padEnd(width)}${agent === undefined ? '' : `${agent.state.padEnd(22)}${details(agent)}`}`.trimEnd());
}

function details(agent: ChartAgent): string {
  const parts: string[] = [];
  if ((agent.queued ?? 0) > 0) parts.push(`mailbox ${agent.queued}`);
  if (agent.running.length > 0) parts.push(`running ${agent.running.length}`);
  if (agent.awaitingApproval.length > 0) parts.push(`awaiting approval ${agent.awaitingApproval.length}`);
  if ((agent.escalated?.length ?? 0) > 0) parts.push(`escalated ${agent.escalated!.length}`);
  const load = Object.values(agent.load ?? {}).reduce((sum, n) => sum + n, 0);
  if (load > 0) parts.push(`load ${load}`);
  return parts.join(' · ');
}

/** What a step waits for, said while it waits: which task, which agent, until when, and how to stop. */
export function formatWait(wait: StepperWait, stop: string): string {
  const [first, ...others] = wait.running;
  const what = first === undefined ? 'an executor' : `${first.agent}'s executor on task ${first.taskId}${others.length === 0 ? '' : ` (and ${others.length} more task${others.length === 1 ? '' : 's'})`}`;
  const until =
    wait.nextTimerMs === undefined
      ? 'no timer is set, so the step waits until it settles'
      : `the step waits until it settles, or ${wait.nextTimerMs} ms until the next timer (its timeout, say) moves the clock`;
  return `… waiting ${wait.waitedMs / 1000} s for ${what}: ${until}. ${stop} to stop.`;
}
