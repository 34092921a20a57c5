/**
 * What `submit` takes besides the task: the agent it enters at and a progress listener, checked
 * with the same "did you mean" as the task itself (the task is made by `validateTaskInput`).
 */
import { checkShape, fields, fn, shapeContext, string, type Shape } from '../shape/index.js';
import type { ProgressEvent } from '../stream/index.js';
import { TASK_FIELDS } from '../task-input.js';

/** Options of `org.submit(task, options)`. */
export interface SubmitOptions {
  /** The agent the task enters at (default: the root). */
  readonly at?: string;
  /**
   * Gets the task's progress — and its subtasks', its escalations' resolutions' — from before its
   * first hop, so nothing is missed; it is let go once the task settles. A listener that throws is
   * reported, never stops the task.
   */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** What `submit` takes as its second argument; a task's field there was meant for the task. */
const SUBMIT_OPTIONS = fields(
  { at: string, onProgress: fn } satisfies Record<keyof SubmitOptions, Shape>,
  Object.fromEntries(Object.keys(TASK_FIELDS).map((field) => [field, `a field of the task, submit's first argument: submit({ type, ${field} }, { at })`])),
);

const IN_SUBMIT_OPTIONS = { ...shapeContext('submit', 'invalid_option'), subject: 'its options' };

/**
 * The agent a task enters at, from `submit`'s second argument (`root` when it names none),
 * refusing options `submit` does not know with `invalid_option` (said as `where`'s: `org.stream` takes `at` too).
 *
 * @example
 * ```ts
 * entryOf({ at: 'backend_lead' }, 'cto'); // 'backend_lead'
 * entryOf({ att: 'backend_lead' }, 'cto'); // throws invalid_option: 'submit: unknown option "att" — did you mean "at"? …'
 * ```
 */
export function entryOf(options: unknown, root: string, where: 'submit' | 'org.stream' = 'submit'): string {
  if (options === undefined) return root;
  checkShape(options, SUBMIT_OPTIONS, '', where === 'submit' ? IN_SUBMIT_OPTIONS : { ...shapeContext(where, 'invalid_option'), subject: 'its options' });
  return (options as SubmitOptions | undefined)?.at ?? root;
}
