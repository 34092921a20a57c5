import { taskErrorFromUnknown } from './errors.js';

/** The most characters of a value a message shows; a message is a sentence, and an outcome keeps it. */
export const MAX_SHOWN_CHARACTERS = 1_000;

/**
 * A value as an error message shows it: as JSON when it can be, else as `String` gives it — a
 * BigInt, a circular object, a symbol, NaN. Never throws, so a message about a bad value can
 * always be made. Past {@link MAX_SHOWN_CHARACTERS} it is cut, saying how long it was: a
 * strategy that chose a 70 MB "child" failed its task with all of it in the message.
 */
export function show(value: unknown): string {
  const shown = shownWhole(value);
  return shown.length <= MAX_SHOWN_CHARACTERS ? shown : `${shown.slice(0, MAX_SHOWN_CHARACTERS)}… (${shown.length.toLocaleString('en-US')} characters in all)`;
}

function shownWhole(value: unknown): string {
  if (typeof value === 'number') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      // A proxy whose traps throw, say.
      return `(${typeof value} that cannot be shown)`;
    }
  }
}

/** What a thrown value says, for a message: an `Error`'s own message, anything else {@link show}n. */
export function thrownMessage(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : show(thrown);
}

/** `text` on one line: each line break, with the spaces about it, one space (a refusal is one line). */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

/** A message to go inside a sentence of echelon's: without the full stops it ends with (so none is doubled). */
export function clause(message: string): string {
  return message.replace(/\.+$/, '');
}

/**
 * Says on the console that a user's code threw `thrown` (a listener, `onEscalation`, a
 * predicate): as the console shows it, with its stack; or, when showing it throws too (a
 * `message` getter that throws), as {@link taskErrorFromUnknown} describes it. Never throws:
 * it runs where a throw would stop the organisation.
 */
export function logThrown(prefix: string, thrown: unknown, log: (...parts: unknown[]) => void = console.error): void {
  try {
    // Read here what the console reads: Node 20's throws when a read throws, Node 22's and 24's say only "[object Error]".
    if (typeof thrown === 'object' && thrown !== null) void [(thrown as Error).name, (thrown as Error).message, (thrown as Error).stack];
    log(prefix, thrown);
  } catch {
    log(prefix, taskErrorFromUnknown(thrown, 'internal_error').message);
  }
}

/**
 * A C0 or C1 control character (a newline, a tab, an escape, NUL …). Ids and types refuse them:
 * they would break a terminal trace, a diagram or a key made by joining ids with one of them.
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Half of a UTF-16 surrogate pair without its other half (what cutting a string inside an emoji
 * leaves). No text encoding holds one: a store writes U+FFFD in its place, and an id read back from
 * its columns is another id. Ids, types, capabilities and keys refuse them ({@link LONE_SURROGATE_SAYS}).
 */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Why a lone surrogate is refused, for the messages that refuse one. */
export const LONE_SURROGATE_SAYS = 'a lone surrogate (half of a UTF-16 pair, as a string cut inside an emoji has: a store would keep U+FFFD in its place and read back another id)';

/**
 * Why `.` and `..` are no ids: a URL path — the live view's `/api/tasks/:id`, Restate's ingress,
 * keyed by task and agent id — reads them as the folder it is in and the one above.
 */
export const DOT_SEGMENT_SAYS = 'a URL path (the live view\'s, Restate\'s ingress) reads "." and ".." as the folder it is in and the one above, so nothing could address it there';
/** True for an id a URL path cannot carry: `.` or `..`. */
export const isDotSegment = (id: string): boolean => id === '.' || id === '..';

/**
 * What a screen would obey rather than show, or reorder what it shows, found in text it is to show:
 * C0 control characters but the line break and the tab (an escape starts a sequence that clears a
 * terminal or sets its title; a carriage return overwrites the line; NUL, a bell), DEL, C1 controls
 * (U+009B is an escape too), Unicode's bidirectional controls (U+202E shows the rest of the line
 * reversed: a sentence about an agent reads backwards) and lone surrogates. The CLI and the live
 * view show each as its `\u202e`-style escape ({@link shownEscaped}). Global, for `replace`: to `test`, make
 * a copy without the flag (`new RegExp(UNSHOWABLE.source)`), or a second test starts where the first stopped.
 */
export const UNSHOWABLE = new RegExp(String.raw`[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|` + LONE_SURROGATE.source, 'g');

/** `text` with each {@link UNSHOWABLE} character written as its `\u202e`-style escape (ESC as `\u001b`): shown, never obeyed. */
export function shownEscaped(text: string): string {
  return text.replace(UNSHOWABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * One key for a thing an agent holds under `key` (a task id, a timer's key): ids hold no control
 * characters, so joined with NUL two pairs never meet (with `/`, agent `a` and task `b/c` met agent
 * `a/b` and task `c`).
 */
export function agentKey(agentId: string, key: string): string {
  return `${agentId}\u0000${key}`;
}

/** The agent id of an {@link agentKey}. */
export function agentOfKey(key: string): string {
  return key.slice(0, key.indexOf('\u0000'));
}
