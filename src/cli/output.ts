/**
 * The CLI's standard output, a line at a time for the commands and a chunk at a time for the
 * stream: `console.log` per line costs a write (a system call) per line, and `echelon replay`
 * prints some fifteen lines a step — most of its time on a long journal went to writing them.
 * Lines wait until 64 KB of them are there or the event loop turns (a command waiting for a
 * keypress or a server has printed everything before it), and `flush` writes what waits.
 */

import { shownEscaped } from '../show.js';

/** Up to this many characters wait to be written together. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Lines for `stream`, written together: `out` a line, `flush` what waits (before exiting, or
 * before writing to stderr), and `drained` — a promise while the stream holds more than it takes
 * at once (a pipe to a slow reader: `| less`), for a command that prints without pause to wait on
 * rather than keep all it printed in memory; `undefined` when there is no need to wait.
 */
export function bufferedLines(stream: NodeJS.WritableStream & { readonly writableNeedDrain?: boolean } = process.stdout): {
  out: (line: string) => void;
  flush: () => void;
  drained: () => Promise<void> | undefined;
} {
  let waiting: string[] = [];
  let size = 0;
  let scheduled = false;
  const flush = () => {
    if (waiting.length === 0) return;
    const chunk = `${waiting.join('\n')}\n`;
    waiting = [];
    size = 0;
    stream.write(chunk);
  };
  const out = (line: string) => {
    waiting.push(line);
    size += line.length + 1;
    if (size >= CHUNK_CHARS) return flush();
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      flush();
    });
  };
  const drained = () =>
    stream.writableNeedDrain === true
      ? new Promise<void>((resolve) => {
          // A reader that went away never drains: its close (or error) lets the command go on to see that.
          const done = () => {
            stream.off('drain', done).off('close', done).off('error', done);
            resolve();
          };
          stream.once('drain', done).once('close', done).once('error', done);
        })
      : undefined;
  return { out, flush, drained };
}

/**
 * Text as the CLI prints it: each character a terminal would act on rather than show written as
 * its `\u202e`-style escape (`UNSHOWABLE` in show.ts: ESC as `\u001b`), so what data holds — an
 * executor's error message, a payload, a scenario's description, a reason a person gave — is
 * shown, never obeyed. JSON stays JSON: the escapes are JSON's own, and JSON text holds these
 * characters only inside its strings.
 */
export const terminalText = shownEscaped;
