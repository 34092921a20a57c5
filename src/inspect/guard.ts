/**
 * The live view's door: who may read the organisation and who may act on it. A token, when set,
 * is required for everything but the page itself; requests must name this server as their host
 * (no DNS rebinding) and actions must come from its own page (same origin, JSON bodies only).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EchelonError } from '../errors.js';
import type { ResolvedLiveViewOptions } from './options.js';

/** The largest request body an action may have. */
const MAX_BODY_BYTES = 64 * 1024;

export class Guard {
  readonly #settings: ResolvedLiveViewOptions;
  readonly #tokenDigest: Buffer | undefined;
  #hosts: ReadonlySet<string> = new Set();

  constructor(settings: ResolvedLiveViewOptions) {
    this.#settings = settings;
    this.#tokenDigest = settings.token === undefined ? undefined : digest(settings.token);
  }

  /** Called once the port is known: the Host headers a loopback server answers to. */
  listening(port: number): void {
    const names = new Set(['127.0.0.1', 'localhost', '[::1]', this.#settings.host.includes(':') ? `[${this.#settings.host}]` : this.#settings.host]);
    this.#hosts = new Set([...names].map((name) => `${name}:${port}`));
  }

  /** Throws `unauthorized` unless the request may read the organisation. */
  checkRead(request: IncomingMessage, url: URL): void {
    this.#checkHost(request);
    this.#checkToken(request, url.searchParams.get('token'));
  }

  /** Throws unless the request may act: same origin, JSON, and the token in a header. */
  checkAction(request: IncomingMessage): void {
    this.#checkHost(request);
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${request.headers.host}`) {
      throw new EchelonError('unauthorized', `Actions are only accepted from the live view's own page, not from ${origin}.`);
    }
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new EchelonError('invalid_request', 'Actions must send a JSON body (content-type: application/json).');
    }
    this.#checkToken(request, null);
  }

  #checkHost(request: IncomingMessage): void {
    if (!this.#settings.loopback) return; // reachable from elsewhere: the token is what protects it
    const host = request.headers.host ?? '';
    if (!this.#hosts.has(host)) throw new EchelonError('unauthorized', `This live view only answers to ${[...this.#hosts].join(', ')}, not to "${host}".`);
  }

  #checkToken(request: IncomingMessage, fromQuery: string | null): void {
    if (this.#tokenDigest === undefined) return;
    const header = request.headers['x-echelon-token'];
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const presented = (typeof header === 'string' ? header : undefined) ?? bearer ?? fromQuery ?? undefined;
    if (presented === undefined || !timingSafeEqual(digest(presented), this.#tokenDigest)) {
      throw new EchelonError('unauthorized', 'This live view needs its token: open the URL it printed (…/#token=…).');
    }
  }
}

/** Reads a JSON object body, refusing anything larger than 64 KB or not an object. */
export async function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new EchelonError('invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new EchelonError('invalid_request', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new EchelonError('invalid_request', 'The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
