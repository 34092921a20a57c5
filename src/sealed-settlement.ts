/**
 * How a task ended, as the organisation hands it out — in `task.ended`, an escalation's
 * `resolution`, an outcome's `error`, subtask tree and failures: frozen where it is, with its
 * error's shell (code, message) and every node of its tree, since it is the one travelling back up
 * (a `task.ended` listener setting `status = 'failed'` failed a task that completed). Its result
 * and an error's details stay as they came.
 */
import type { TaskError } from './errors.js';
import type { Settlement, SubtaskFailure, SubtaskOutcome } from './types.js';

/**
 * Freezes a settlement in place, with its error's shell, its subtask tree and its failures.
 *
 * @example
 * ```ts
 * sealedSettlement(settlement).error; // frozen: setting its message throws a TypeError
 * ```
 */
export function sealedSettlement<T extends Settlement>(settlement: T): T {
  if (Object.isFrozen(settlement)) return settlement;
  sealedError(settlement.error);
  if (settlement.subtasks !== undefined) sealedTree(settlement.subtasks);
  if (settlement.failures !== undefined) sealedFailures(settlement.failures);
  return Object.freeze(settlement);
}

/** Freezes an error's shell, not its details (the thrower's data). */
export function sealedError(error: TaskError | undefined): void {
  if (error !== undefined) Object.freeze(error);
}

function sealedTree(nodes: readonly SubtaskOutcome[]): void {
  for (const node of nodes) {
    if (Object.isFrozen(node)) continue;
    sealedError(node.error);
    Object.freeze(node.delegationChain);
    if (node.subtasks !== undefined) sealedTree(node.subtasks);
    Object.freeze(node);
  }
  Object.freeze(nodes);
}

function sealedFailures(failures: readonly SubtaskFailure[]): void {
  for (const failure of failures) {
    sealedError(failure.error);
    Object.freeze(failure);
  }
  Object.freeze(failures);
}
