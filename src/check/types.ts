/**
 * What `checkOrganisation` takes and what it reports: findings with a severity, a stable code,
 * the agents involved and a message that says how to fix it.
 */
import type { SpanRange } from '../hierarchy/metrics.js';
import type { Role } from '../hierarchy/types.js';
import type { OrchestratorOptions } from '../runtime/index.js';
import type { TaskInput } from '../types.js';

/** An organisation as a design: `createOrchestrator`'s options, with executors optional (a simulation replaces them). */
export type OrganisationOptions = Omit<OrchestratorOptions, 'executors'> & { readonly executors?: OrchestratorOptions['executors'] };

/** Options of {@link checkOrganisation}. */
export interface CheckOptions extends OrganisationOptions {
  /**
   * The tasks the organisation is expected to take at its root (types, or whole tasks with their
   * context, approval and budget). Every capability in the hierarchy is checked as well.
   */
  readonly tasks?: readonly (string | TaskInput)[];
  /** The typical span of control per role (default: the reference's `TYPICAL_SPANS`, also for the roles a table leaves out). */
  readonly spans?: Readonly<Partial<Record<Role, SpanRange | null>>>;
}

/** How bad a finding is: `error` breaks work that will be submitted, `warning` likely does, `note` is advice. */
export type Severity = 'error' | 'warning' | 'note';

/** What a finding is about, stable for CI filters. */
export type FindingCode =
  | 'missing_executor'
  | 'unknown_agent'
  | 'invalid_role'
  | 'unused_setting'
  | 'unroutable_type'
  | 'invalid_delegate'
  | 'unreachable_agent'
  | 'escalation_dead_end'
  | 'escalation_refused'
  | 'approval_unsatisfiable'
  | 'approval_quorum_unreachable'
  | 'decomposition_unroutable'
  | 'decomposition_impossible'
  | 'unchecked_decision'
  | 'span_of_control';

/** One thing the check found. */
export interface Finding {
  readonly severity: Severity;
  readonly code: FindingCode;
  /** The agents involved, most relevant first. */
  readonly agents: readonly string[];
  /** The task type it concerns, when it concerns one. */
  readonly taskType?: string;
  readonly message: string;
}

/** The check's answer. */
export interface CheckReport {
  /** False when any finding is an error. */
  readonly ok: boolean;
  readonly counts: Readonly<Record<Severity, number>>;
  /** Errors first, then warnings, then notes; in the order found within each. */
  readonly findings: readonly Finding[];
  /** The task types checked (the hierarchy's capabilities and the expected tasks'). */
  readonly taskTypes: readonly string[];
}
