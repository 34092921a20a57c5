/**
 * The Stately inspector, wired so that it sees every agent (`echelon/inspector`).
 *
 * `@statelyai/inspect`'s WebSocket inspector keeps at most 200 events before its socket opens
 * (`maxDeferredEvents`), and its server replays only the last 200 messages to an inspector that
 * connects later. An organisation emits more than that as it starts, so the agents'
 * registrations — the only messages that carry their statechart — are the ones lost. Here the
 * socket is open before anything is sent; every agent is then announced with its definition and
 * current snapshot; live events follow through the actor system's own `inspect`; and the
 * announcements are repeated often enough that the server's replay always holds them.
 */
import { createInspector, type StatelyInspectionEvent } from '@statelyai/inspect';
import type { InspectionEvent } from 'xstate';
import WebSocket from 'ws';
import { EchelonError } from '../errors.js';
import type { Orchestrator } from '../runtime/api.js';
import { follow, unfollow } from '../runtime/events.js';
import { boolean, checkShape, either, fields, number, shapeContext, string, type Shape } from '../shape/index.js';
import { runningOrganisation } from './watched.js';

/** Options of {@link inspectOrganisation}. */
export interface InspectOrganisationOptions {
  /** The inspector server's WebSocket address, e.g. `ws://localhost:8080` (`createInspectorServer`). */
  readonly url: string;
  /**
   * How many of the latest messages the server replays to an inspector that connects later
   * (`@statelyai/inspect/server` keeps 200). The agents are announced again before they would
   * leave that window, so an organisation of fewer agents than half of it is always seen whole
   * (larger ones are announced on `announce()` only: re-sending them would flood the window).
   */
  readonly replayWindow?: number;
  /** How long to wait for the server to accept the connection before refusing with `inspector_unreachable` (default 10,000 ms). */
  readonly connectTimeoutMs?: number;
  /**
   * Connect again when the server closes the connection or goes away (an inspector server
   * restarted while you work): after `delayMs` (default 250, or `maxDelayMs` when less), then twice as long after each
   * failed try (or connection dropped within `maxDelayMs`), up to `maxDelayMs` (default 5,000),
   * until `stop()` or the organisation stops.
   * Once connected, every agent is announced afresh; what the agents did meanwhile is not sent.
   * `true` takes the defaults. Off by default: the inspector stops with its server.
   */
  readonly reconnect?: boolean | { readonly delayMs?: number; readonly maxDelayMs?: number };
}

/** A connected inspector. */
export interface OrganisationInspector {
  /** Messages sent to the server so far (announcements included). */
  readonly sent: number;
  /**
   * Messages dropped because the server stopped reading: more than 16 MB waiting for it. Once it
   * reads again, every agent is announced afresh, so it shows each one as it is now.
   */
  readonly dropped: number;
  /** Whether the socket to the server is open (with `reconnect`, false while it tries again). */
  readonly connected: boolean;
  /** How many times `reconnect` connected again after the server closed the connection or went away. */
  readonly reconnects: number;
  /** Announces every agent again, with its definition and current snapshot (nothing while no server is connected). */
  announce(): void;
  /**
   * Stops forwarding and closes the socket once what was queued is sent, or after a second for a
   * server that reads nothing (also done when the organisation stops, and — unless `reconnect` is
   * on — when the server closes the connection or goes away: open a new inspector to watch again).
   */
  stop(): Promise<void>;
}

const DEFAULTS = { replayWindow: 200, connectTimeoutMs: 10_000 } as const satisfies Partial<InspectOrganisationOptions>;
const RECONNECT = { delayMs: 250, maxDelayMs: 5_000 } as const;
/** Bytes waiting for a server that does not read, beyond which messages are dropped rather than kept in memory. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/** Time `stop()` gives what is queued and the closing handshake before it lets the socket go. */
const CLOSE_GRACE_MS = 1_000;
/** The longest timer Node keeps (a longer one fires at once, with a warning). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const OPTIONS = fields({
  url: string,
  replayWindow: number,
  connectTimeoutMs: number,
  reconnect: either(boolean, fields({ delayMs: number, maxDelayMs: number })),
} satisfies Record<keyof InspectOrganisationOptions, Shape>);

/**
 * Connects to a Stately inspector server, then shows it every agent of a running organisation
 * and everything they do from now on.
 *
 * @example
 * ```ts
 * import { createInspectorServer } from '@statelyai/inspect/server';
 * import { inspectOrganisation } from 'echelon/inspector';
 *
 * createInspectorServer({ port: 8080 });
 * const org = createOrchestrator({ hierarchy, executors });
 * const inspector = await inspectOrganisation(org, { url: 'ws://localhost:8080' });
 * // … every agent shows up as `agent:<id>`, with the agent statechart and its state
 * await inspector.stop();
 * ```
 */
export async function inspectOrganisation(org: Orchestrator, options: InspectOrganisationOptions): Promise<OrganisationInspector> {
  const organisationStopped = runningOrganisation(org, 'inspectOrganisation', "inspectOrganisation needs the orchestrator to inspect: inspectOrganisation(createOrchestrator({ … }), { url: 'ws://localhost:8080' }).");
  if (typeof options !== 'object' || options === null) throw new EchelonError('invalid_option', `inspectOrganisation needs { url: 'ws://host:port' }, got ${String(options)}.`);
  checkShape(options, OPTIONS, '', shapeContext('inspectOrganisation', 'invalid_option'));
  const { url, replayWindow = DEFAULTS.replayWindow, connectTimeoutMs = DEFAULTS.connectTimeoutMs } = options;
  if (typeof url !== 'string' || !/^wss?:\/\//.test(url)) throw new EchelonError('invalid_option', `inspectOrganisation needs { url: 'ws://host:port' }, got ${JSON.stringify(url)}.`);
  if (!Number.isInteger(replayWindow) || replayWindow < 1) throw new EchelonError('invalid_option', `replayWindow must be a whole number ≥ 1, got ${String(replayWindow)}.`);
  checkMilliseconds('connectTimeoutMs', connectTimeoutMs);
  const backoff = reconnectOption(options.reconnect);
  let socket = await connect(url, connectTimeoutMs);
  let reconnects = 0;
  let retry: NodeJS.Timeout | undefined;
  /** The socket a reconnect is opening, while its handshake is under way. */
  let opening: WebSocket | undefined;
  const agents = new Map(org.hierarchy.nodes().map((node) => [org.actor.system.get(node.id)?.sessionId ?? node.id, node.id]));
  /** Each agent's registration as the inspector converted it: announced again with a fresh snapshot. */
  const registrations = new Map<string, StatelyInspectionEvent & { type: '@xstate.actor' }>();
  let sent = 0;
  let dropped = 0;
  /** Drops the server has been told of (by announcing every agent again once it read again). */
  let droppedWhenAnnounced = 0;
  let sinceAnnouncement = 0;
  let stopped = false;

  const write = (event: StatelyInspectionEvent) => {
    socket.send(JSON.stringify(event));
    sent++;
  };
  /** Announces every registered agent again, now, ahead of anything sent after it. */
  const announce = () => {
    // No server to tell (stopped, or reconnecting: it announces once connected).
    if (stopped || socket.readyState !== WebSocket.OPEN) return;
    sinceAnnouncement = 0;
    for (const [sessionId, registration] of registrations) {
      const actorRef = org.actor.system.get(agents.get(sessionId)!);
      if (actorRef !== undefined) write({ ...registration, createdAt: String(Date.now()), snapshot: actorRef.getSnapshot() });
    }
  };

  const inspector = createInspector({
    send(event: StatelyInspectionEvent) {
      // Kept whether or not it can be sent now: a reconnected inspector announces every agent from these.
      if (event.type === '@xstate.actor' && agents.has(event.sessionId)) registrations.set(event.sessionId, event);
      if (stopped || socket.readyState !== WebSocket.OPEN) return;
      // A server that stopped reading would have everything kept here for it, without end.
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        dropped++;
        return;
      }
      if (dropped > droppedWhenAnnounced) {
        droppedWhenAnnounced = dropped;
        announce();
      }
      write(event);
      // Announce again before the oldest announcement would leave the server's replay window
      // (an organisation as large as the window cannot fit in it: `announce()` is then the way).
      if (++sinceAnnouncement + registrations.size >= replayWindow && registrations.size < replayWindow / 2) announce();
    },
  });

  // The first announcement goes through the inspector's own conversion (definition, name, parent).
  const rootId = org.actor.sessionId;
  for (const id of agents.values()) {
    const actorRef = org.actor.system.get(id);
    if (actorRef !== undefined) inspector.inspect.next?.({ type: '@xstate.actor', actorRef, rootId } as InspectionEvent);
  }
  const subscription = org.actor.system.inspect((event) => {
    if (!stopped) inspector.inspect.next?.(event);
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= new Promise<void>((resolve) => {
      subscription.unsubscribe();
      unfollow(organisationStopped, stopWithOrganisation);
      clearTimeout(retry);
      // A handshake under way with a host that never answers would keep the process alive for connectTimeoutMs.
      opening?.terminate();
      // What the inspector converted already is queued on its timer: let it leave first.
      setTimeout(() => {
        stopped = true;
        if (socket.readyState === WebSocket.CLOSED) return resolve();
        socket.once('close', () => resolve());
        socket.close();
        // A server that reads nothing never takes the close frame: ws would wait 30 s, keeping the process alive.
        setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
      }, 0);
    }));
  // The inspector ends with the organisation, and with its server unless it reconnects: an
  // organisation that opens a new inspector after each drop would otherwise keep every earlier
  // one watching its actors, a listener on its signal each.
  const stopWithOrganisation = () => void stop();
  follow(organisationStopped, stopWithOrganisation);
  /** When the socket in use opened, and how long to wait should it close soon after (a server that takes connections and drops them). */
  let openedAt = performance.now();
  let nextDelayMs = backoff?.delayMs ?? 0;
  const lost = () => {
    if (stopping !== undefined) return;
    if (backoff === undefined) return void stop();
    // Only a connection that held for a while starts the delays afresh: one dropped at once would otherwise be retried (and every agent announced) every delayMs.
    tryAgain(performance.now() - openedAt >= backoff.maxDelayMs ? backoff.delayMs : nextDelayMs);
  };
  const tryAgain = (delayMs: number) => {
    const longer = Math.min(delayMs * 2, backoff!.maxDelayMs);
    retry = setTimeout(() => {
      retry = undefined;
      connect(url, connectTimeoutMs, (trying) => (opening = trying)).then(
        (fresh) => {
          opening = undefined;
          // stop() came while this try was under way: it has nothing to wait for, this socket is let go.
          if (stopping !== undefined) return void fresh.terminate();
          socket = fresh;
          openedAt = performance.now();
          nextDelayMs = longer;
          reconnects++;
          fresh.once('close', lost);
          announce();
        },
        () => {
          opening = undefined;
          if (stopping === undefined) tryAgain(longer);
        },
      );
    }, delayMs);
    // A running organisation keeps the process alive; trying to reconnect alone does not.
    retry.unref();
  };
  socket.once('close', lost);

  return {
    get sent() {
      return sent;
    },
    get dropped() {
      return dropped;
    },
    get connected() {
      return stopping === undefined && socket.readyState === WebSocket.OPEN;
    },
    get reconnects() {
      return reconnects;
    },
    announce,
    stop,
  };
}

/** Refuses a time that is not a whole number of milliseconds a Node timer can wait. */
function checkMilliseconds(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_TIMEOUT_MS) {
    throw new EchelonError('invalid_option', `inspectOrganisation: ${name} must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS} (about 24 days), got ${String(value)}.`);
  }
}

/** The reconnect option's delays, or `undefined` when the inspector is to stop with its server. */
function reconnectOption(option: InspectOrganisationOptions['reconnect']): { delayMs: number; maxDelayMs: number } | undefined {
  if (option === undefined || option === false) return undefined;
  const given = option === true ? {} : option;
  if (given.delayMs !== undefined) checkMilliseconds('reconnect.delayMs', given.delayMs);
  if (given.maxDelayMs !== undefined) checkMilliseconds('reconnect.maxDelayMs', given.maxDelayMs);
  // Each default gives way to the other one given: { maxDelayMs: 100 } alone was refused for a delayMs of 250 nobody gave.
  const maxDelayMs = given.maxDelayMs ?? Math.max(RECONNECT.maxDelayMs, given.delayMs ?? RECONNECT.delayMs);
  const delayMs = given.delayMs ?? Math.min(RECONNECT.delayMs, maxDelayMs);
  if (maxDelayMs < delayMs) throw new EchelonError('invalid_option', `inspectOrganisation: reconnect.maxDelayMs (${maxDelayMs}) must be at least reconnect.delayMs (${delayMs}).`);
  return { delayMs, maxDelayMs };
}

/** Opens the socket (handed to `opening` while its handshake is under way), or refuses with a message that says what to start. */
function connect(url: string, timeoutMs: number, opening?: (socket: WebSocket) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    let socket: WebSocket;
    try {
      // ws's handshake timeout counts from before the TCP connection (it is the request's socket timeout).
      socket = new WebSocket(url, { handshakeTimeout: timeoutMs });
    } catch (error) {
      // A port out of range, a fragment, no host: ws's SyntaxError.
      return reject(new EchelonError('invalid_option', `inspectOrganisation: ${url} is no WebSocket address (${error instanceof Error ? error.message : String(error)}): give one such as ws://localhost:8080.`, { cause: error }));
    }
    const unreachable = (error: Error) =>
      reject(
        new EchelonError('inspector_unreachable', `No inspector server answers at ${url} (${error.message}): start one with createInspectorServer({ port }) from @statelyai/inspect/server.`, {
          cause: error,
        }),
      );
    socket.once('open', () => {
      socket.off('error', unreachable);
      // An error once open (a frame ws cannot read) is followed by the socket's close, which the inspector handles: unheard, it would end the process.
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', unreachable);
    opening?.(socket);
  });
}
