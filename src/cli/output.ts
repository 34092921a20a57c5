/**
 * The CLI's standard output, a line at a time for the commands and a chunk at a time for the
 * stream: `console.log` per line costs a write (a system call) per line, and `echelon replay`
 * prints some fifteen lines a step — most of its time on a long journal went to writing them.
 * Lines wait until 64 KB of them are there or the event loop turns (a command waiting for a
 * keypress or a server has printed everything before it), and `flush` writes what waits.
 */

/** Up to this many characters wait to be written together. */
const CHUNK_CHARS = 64 * 1024;

/** Lines for `stream`, written together: `out` a line, `flush` what waits (before exiting, or before writing to stderr). */
export function bufferedLines(stream: NodeJS.WritableStream = process.stdout): { out: (line: string) => void; flush: () => void } {
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
  return { out, flush };
}

/**
 * What a terminal would act on rather than show: C0 control characters but the line break and the
 * tab (an escape starts a sequence that clears the screen, sets the window title or hides a link;
 * a carriage return overwrites the line; NUL, a bell), DEL, C1 controls (U+009B is an escape too),
 * Unicode's bidirectional controls (U+202E shows the rest of the line reversed: a table's columns
 * read backwards) and lone surrogates.
 */
const UNSHOWABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text as the CLI prints it: each character a terminal would act on written as its `\uXXXX`
 * escape (ESC as `\u001b`), so what data holds — an executor's error message, a payload, a
 * scenario's description, a reason a person gave — is shown, never obeyed. JSON stays JSON: the
 * escapes are JSON's own, and JSON text holds these characters only inside its strings.
 */
export function terminalText(text: string): string {
  return text.replace(UNSHOWABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
