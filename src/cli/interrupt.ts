/**
 * Ctrl-C in the terminal. A server the user watches (`view`, `replay --view`) ends on it; a run
 * (`run`, `step --steps` / `--auto`) is stopped on it as when its output closes — its organisation
 * stopped, so executors see their signals abort and nothing is left half-done — and ends with 130,
 * as a shell reports Ctrl-C. A second Ctrl-C kills the process as usual.
 */

/** Resolves on Ctrl-C, or when `signal` aborts (stdout closed): what ends a server the user watches. */
export function interruption(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    if (signal?.aborted) resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Runs `command` with a signal that aborts on Ctrl-C too (or when `signal` does); 130 if Ctrl-C ended it. */
export async function stoppedOnCtrlC(signal: AbortSignal | undefined, command: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const interrupted = new AbortController();
  const interrupt = () => interrupted.abort();
  process.once('SIGINT', interrupt);
  try {
    const code = await command(signal === undefined ? interrupted.signal : AbortSignal.any([signal, interrupted.signal]));
    return interrupted.signal.aborted ? 130 : code;
  } finally {
    process.off('SIGINT', interrupt);
  }
}
