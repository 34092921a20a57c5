/**
 * Ctrl-C in the terminal (SIGINT), and the request to stop that `kill`, systemd and `docker stop`
 * send (SIGTERM). A server the user watches (`view`, `replay --view`) ends on either; a run (`run`,
 * `step --steps` / `--auto`) is stopped on either as when its output closes — its organisation
 * stopped, so executors see their signals abort and nothing is left half-done — and ends with
 * 128 + the signal's number, as a shell reports it: 130 for Ctrl-C, 143 for SIGTERM. A second
 * signal, of either kind, kills the process as usual.
 */

/** The signals that stop a run or a server, and the exit code a run then ends with. */
const STOPPING = { SIGINT: 130, SIGTERM: 143 } as const;
type Stopping = keyof typeof STOPPING;

/** Calls `stop` with the first of the stopping signals to arrive, once: its listeners then go, so a second signal kills as usual. */
function onceStopping(stop: (signal: Stopping) => void): () => void {
  const names = Object.keys(STOPPING) as Stopping[];
  const forget = () => {
    for (const name of names) process.off(name, listener);
  };
  const listener = (name: Stopping) => {
    forget();
    stop(name);
  };
  for (const name of names) process.once(name, listener);
  return forget;
}

/**
 * Runs `command` with a promise that resolves on Ctrl-C or SIGTERM, or when `signal` aborts (stdout
 * closed): what ends a server the user watches. Its listeners go when the command ends, however it
 * ends — a view refused, or done with --exit-when-done, kept them, and a later Ctrl-C did nothing.
 */
export async function untilInterrupted<T>(signal: AbortSignal | undefined, command: (interrupted: Promise<void>) => Promise<T>): Promise<T> {
  let resolve!: () => void;
  const interrupted = new Promise<void>((done) => (resolve = done));
  const forget = onceStopping(() => resolve());
  // Once the output has closed, a signal kills as usual.
  const ended = () => {
    forget();
    resolve();
  };
  if (signal?.aborted) ended();
  else signal?.addEventListener('abort', ended, { once: true });
  try {
    return await command(interrupted);
  } finally {
    forget();
    signal?.removeEventListener('abort', ended);
  }
}

/** Runs `command` with a signal that aborts on Ctrl-C or SIGTERM too (or when `signal` does); 130 or 143 if one of them ended it. */
export async function stoppedOnInterrupt(signal: AbortSignal | undefined, command: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const interrupted = new AbortController();
  let by: Stopping | undefined;
  const forget = onceStopping((name) => {
    by = name;
    interrupted.abort();
  });
  try {
    const code = await command(signal === undefined ? interrupted.signal : AbortSignal.any([signal, interrupted.signal]));
    return by === undefined ? code : STOPPING[by];
  } finally {
    forget();
  }
}
