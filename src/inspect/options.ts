/**
 * What `serveLiveView(org)` accepts and returns, and the rule that keeps the live view private:
 * it binds to 127.0.0.1 unless told otherwise, and any other address needs a token.
 */
import { EchelonError } from '../errors.js';
import { checkShape, fields, number, readingCaller, shapeContext, string, type Shape } from '../shape/index.js';

/** Options of `serveLiveView(org, options)`. */
export interface LiveViewOptions {
  /** TCP port (default 0: a free port, see `view.port`). */
  readonly port?: number;
  /** Address to listen on (default `127.0.0.1`). Anything but a loopback address requires `token`. */
  readonly host?: string;
  /**
   * A secret the page must present to read the organisation and to approve or reject. Optional on
   * loopback; the page reads it from the URL fragment (`/#token=…`), which browsers never send.
   */
  readonly token?: string;
  /** Latest lifecycle events kept for pages that connect later, and finished tasks kept in the task list (default 200). */
  readonly history?: number;
}

/** A running live view. */
export interface LiveView {
  /** The page's address (with `#token=…` when a token is set); served on `0.0.0.0` or `::`, it names this machine's outside address. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops serving and ends the pages' live streams. */
  close(): Promise<void>;
}

/** The options with defaults filled in and checked. */
export interface ResolvedLiveViewOptions {
  readonly port: number;
  readonly host: string;
  readonly token: string | undefined;
  readonly history: number;
  readonly loopback: boolean;
}

const invalid = (message: string): never => {
  throw new EchelonError('invalid_option', message);
};

/**
 * True for addresses only this machine can reach.
 *
 * @example
 * ```ts
 * isLoopback('127.0.0.1'); // true
 * isLoopback('0.0.0.0');   // false: serving there needs a token
 * ```
 */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

const LIVE_VIEW_OPTIONS = fields({ port: number, host: string, token: string, history: number } satisfies Record<keyof LiveViewOptions, Shape>);

export function resolveLiveViewOptions(options: LiveViewOptions = {}): ResolvedLiveViewOptions {
  return readingCaller('serve', 'invalid_option', 'its options', () => resolved(options));
}

function resolved(options: LiveViewOptions): ResolvedLiveViewOptions {
  checkShape(options, LIVE_VIEW_OPTIONS, '', shapeContext('serve', 'invalid_option'));
  const { port = 0, host = '127.0.0.1', token, history = 200 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) invalid(`serve: port must be a whole number from 0 to 65535, got ${String(port)}.`);
  if (typeof host !== 'string' || host.trim() === '') invalid(`serve: host must be an address such as 127.0.0.1, got ${JSON.stringify(host)}.`);
  if (token !== undefined && (typeof token !== 'string' || token.length < 16)) {
    invalid('serve: token must be a string of at least 16 characters (e.g. crypto.randomUUID()).');
  }
  if (!Number.isInteger(history) || history < 1) invalid(`serve: history must be a whole number ≥ 1, got ${String(history)}.`);
  const loopback = isLoopback(host);
  if (!loopback && token === undefined) {
    invalid(`serve: listening on ${host} lets other machines reach the live view; pass a token (e.g. crypto.randomUUID()), or serve on 127.0.0.1.`);
  }
  return { port, host, token, history, loopback };
}
