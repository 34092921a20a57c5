/**
 * The largest task and executor result echelon hands Restate. Restate journals each message whole:
 * one of 12 MiB (a task's payload, say) never settled on the server echelon ships with (1.7.12:
 * the invocation is retried for ever, `RT0010`), one of 10 MiB did, after a warning (its
 * `worker.invoker.message_size_warning` is 10 MiB). Refused here, it is a clear error instead of
 * a task that never ends. Measured with `startRestateServer` and the development team: payloads of
 * 1, 2, 4, 6, 8 and 10 MiB settle, 12, 16 and 20 MiB do not; six tasks of 6 MiB queued at once do.
 */

/**
 * At most this many bytes of JSON in what one message carries: a task, a task with its result (a
 * result travels up with its task), a split's parts, a split's settlement with its task (8 MiB:
 * under the 10 MiB measured to settle).
 */
export const MESSAGE_LIMIT_BYTES = 8 * 1024 * 1024;

/** The size of `value` as JSON in bytes, when it is over {@link MESSAGE_LIMIT_BYTES}. */
export function oversized(value: unknown): number | undefined {
  const json = JSON.stringify(value);
  // A string's UTF-8 is at most 3 bytes a UTF-16 unit: only a long one needs counting.
  if (json === undefined || json.length * 3 <= MESSAGE_LIMIT_BYTES) return undefined;
  const bytes = Buffer.byteLength(json, 'utf8');
  return bytes > MESSAGE_LIMIT_BYTES ? bytes : undefined;
}

/** `bytes` in MiB, for messages. */
export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** A size over the limit, in MiB and exactly (8.0 MiB rounded would read as within it). */
export const sized = (bytes: number) => `${mib(bytes)} (${bytes.toLocaleString('en')} bytes)`;
