/**
 * An agent's timers on Restate: each is a delayed send to the agent itself, and the agent keeps
 * the send's invocation id under the timer's key in its object state, so that disarming (or
 * re-arming) the timer cancels the send instead of letting it fire later as a stale turn — one
 * invocation per attempt the server would otherwise start, load the agent for, and drop.
 *
 * A cancelled send almost never runs: it targets the same object key as the turn that cancels it,
 * which holds that key's lock, so the send is still scheduled or waiting in the object's inbox.
 * Restate applies the cancel through its outbox, though, so a timer that fell due during the
 * cancelling turn may start before the cancel lands: it then runs as a stale turn (the agent no
 * longer expects its token, as in-process), or is cancelled part-way through one, which changes
 * nothing. A timer that fires takes its own entry out (its invocation id is the turn's), so a turn
 * never cancels itself; an entry whose timer no effect disarms goes when it fires.
 */
import './polyfill.js';
import type { InvocationId, ObjectContext } from '@restatedev/restate-sdk';
import type { AgentEvent } from '../../machines/agent.machine.js';
import type { Effect } from '../../machines/ports.js';
import type { RestateLayout } from './layout.js';
import { sendAgent } from './send.js';

/** The object-state key of the agent's armed timers: timer key → the delayed send's invocation id. */
export const TIMERS = 't';

type Armed = Record<string, string>;

/** Carries out a turn's timer effects, in order, and keeps the ids of the sends still armed. */
export class AgentTimers {
  readonly #ctx: ObjectContext;
  readonly #layout: RestateLayout;
  readonly #agentId: string;
  readonly #armed: Armed;
  /** Sends armed this turn whose ids the server has not told yet. */
  readonly #sent = new Map<string, Promise<InvocationId>>();
  #changed: boolean;

  private constructor(ctx: ObjectContext, layout: RestateLayout, agentId: string, armed: Armed, changed: boolean) {
    this.#ctx = ctx;
    this.#layout = layout;
    this.#agentId = agentId;
    this.#armed = armed;
    this.#changed = changed;
  }

  /** Reads the agent's armed timers, without the one this turn is (when it is a timer firing). */
  static async load(ctx: ObjectContext, layout: RestateLayout, agentId: string, event: AgentEvent): Promise<AgentTimers> {
    const armed = (await ctx.get<Armed>(TIMERS)) ?? {};
    const self = event.type === 'echelon.timer' ? ctx.request().id : undefined;
    const own = self === undefined ? [] : Object.keys(armed).filter((key) => armed[key] === self);
    for (const key of own) delete armed[key];
    return new AgentTimers(ctx, layout, agentId, armed, own.length > 0);
  }

  async arm(effect: Extract<Effect, { type: 'arm' }>): Promise<void> {
    await this.disarm(effect.key);
    this.#sent.set(effect.key, sendAgent(this.#ctx, this.#layout, this.#agentId, effect.event, effect.delayMs).invocationId);
  }

  async disarm(key: string): Promise<void> {
    const armed = this.#armed;
    const sent = this.#sent.get(key);
    this.#sent.delete(key);
    const id = sent === undefined ? armed[key] : await sent;
    if (id === undefined) return;
    delete armed[key];
    this.#changed = true;
    this.#ctx.cancel(id as InvocationId);
  }

  /** Writes the timers back, with the ids of the sends armed this turn. */
  async save(): Promise<void> {
    const armed = this.#armed;
    for (const [key, id] of this.#sent) armed[key] = await id;
    if (this.#sent.size === 0 && !this.#changed) return;
    this.#sent.clear();
    if (Object.keys(armed).length === 0) this.#ctx.clear(TIMERS);
    else this.#ctx.set(TIMERS, armed);
  }
}
