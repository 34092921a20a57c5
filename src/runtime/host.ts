/**
 * The in-process host: carries out the effects agents ask for, inside one XState actor system.
 * Messages go to agents by `systemId` through one outbox, drained in order at the top of the
 * stack (a chain 10,000 agents deep never nests 10,000 sends), or through the clock when a
 * scenario is stepped; timers are the organisation's clock; each attempt is a promise whose
 * result comes back as an ordinary event (`attempts.ts`); awaited decisions likewise, under
 * their timeout.
 */
import type { AnyActorRef } from 'xstate';
import type { AgentEvent, AgentInternalEvent } from '../../machines/agent.types.js';
import { decisionTimedOut, type AgentReport, type Effect, type HostPort } from '../../machines/ports.js';
import { EchelonError } from '../errors.js';
import { Attempts, type AttemptRunner } from './attempts.js';
import type { ResourceRegistry } from './resources.js';
import { agentKey } from '../show.js';

/** The clock the organisation's timers run on. */
export interface TimerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface InProcessHostOptions extends AttemptRunner {
  readonly now: () => number;
  readonly random: () => number;
  readonly newId: (prefix: string) => string;
  readonly clock: TimerClock;
  /**
   * The clock is the process's own (real time): a timer is armed only once the event loop turns,
   * so one disarmed before then — the timeout of an attempt that answered at once — never costs a
   * Node timer. Its deadline is kept from when it was asked for.
   */
  readonly realTime?: boolean;
  /** Deliver messages through the clock after this many ms instead of at once (stepping). */
  readonly messageDelayMs: number | undefined;
  readonly report: (report: AgentReport) => void;
  readonly resources: ResourceRegistry;
  readonly charge: (taskId: string, amount: number) => void;
  readonly isActive: (taskId: string) => boolean;
}

type Relay = (source: AnyActorRef | undefined, target: AnyActorRef, event: AgentEvent) => void;
type Await = Extract<Effect, { type: 'await' }>;

/**
 * The host the orchestrator runs agents on. Besides the port: where the actors are (`attach`),
 * sending from outside any agent (`send`), what is in flight, and stopping.
 *
 * @example
 * ```ts
 * const host = createInProcessHost({ now, random, newId, clock, messageDelayMs: undefined, report, execute, retryable, resources, charge, isActive });
 * const root = createActor(createAgentMachine({ policy, settings, host }), { systemId: 'cto', input: { agentId: 'cto' } });
 * host.attach(root);
 * root.start();
 * ```
 */
export class InProcessHost implements HostPort {
  readonly #options: InProcessHostOptions;
  readonly #attempts: Attempts;
  /** Messages to deliver, in order; `to` a function names its agent when the message's turn comes. */
  readonly #outbox: Array<{ from: string | undefined; to: string | (() => string | undefined); event: AgentEvent }> = [];
  readonly #timers = new Map<string, unknown>();
  /** Real-time timers asked for since the event loop last turned: key → when it fires (`realTime`). */
  readonly #unarmed = new Map<string, { agentId: string; event: AgentInternalEvent; at: number }>();
  #arming = false;
  readonly #waits = new Map<string, { abort: () => void; timer: unknown }>();
  #root: AnyActorRef | undefined;
  #relay: Relay = (_source, target, event) => target.send(event);
  #draining = false;
  #stopped = false;

  constructor(options: InProcessHostOptions) {
    this.#options = options;
    this.#attempts = new Attempts(options);
  }

  /** Points the host at the running actor system (its root actor). */
  attach(root: AnyActorRef): void {
    this.#root = root;
    const system = root.system as { _relay?: Relay };
    // Relayed with its sender, as XState's own sends are, so inspectors see who sent what.
    if (typeof system._relay === 'function') this.#relay = (source, target, event) => system._relay!(source, target, event);
  }

  /** Sends a message to an agent from outside any agent (the submitter, a person, a restore): at once, never through the clock. */
  send(agentId: string, message: AgentEvent): void {
    this.#post(undefined, agentId, message);
  }

  /**
   * Sends a message from outside any agent to the agent `to` names when the message's turn comes
   * (none: it is dropped). Asked for while messages are being handed on (from a listener, say), the
   * agent it is about may have changed by then: a cancellation goes to whoever holds its task then.
   */
  sendWhenDue(to: () => string | undefined, message: AgentEvent): void {
    this.#post(undefined, to, message);
  }

  /** Attempts and awaited decisions running now. */
  inFlight(): number {
    return this.#attempts.size + this.#waits.size;
  }

  now(): number {
    return this.#options.now();
  }

  random(): number {
    return this.#options.random();
  }

  newId(prefix: string): string {
    return this.#options.newId(prefix);
  }

  charge(taskId: string, amount: number): void {
    this.#options.charge(taskId, amount);
  }

  isActive(taskId: string): boolean {
    return this.#options.isActive(taskId);
  }

  perform(agentId: string, effects: readonly Effect[]): void {
    for (const effect of effects) {
      // Stopped in this very turn (org.stop() from its policy, its strategy or a listener of one of its
      // reports): nothing more starts — an attempt or a wait begun now would outlive the stop, unaborted.
      if (this.#stopped) return this.#abandon(effects);
      switch (effect.type) {
        case 'send':
          this.#deliver(agentId, effect.to, effect.message);
          break;
        case 'report':
          this.#options.report(effect.report);
          break;
        case 'execute':
          this.#attempts.run(agentId, effect.request, (result) =>
            this.#tell(agentId, { type: 'echelon.executed', taskId: effect.request.task.id, attempt: effect.request.attempt, result }),
          );
          break;
        case 'abort':
          this.#attempts.abort(agentId, effect.taskId, new EchelonError('cancelled', `${agentId} stopped this attempt.`));
          break;
        case 'arm':
          this.#arm(agentKey(agentId, effect.key), agentId, effect.delayMs, effect.event);
          break;
        case 'disarm':
          this.#disarm(agentKey(agentId, effect.key));
          break;
        case 'await':
          this.#await(agentId, effect);
          break;
        case 'forget':
          this.#forget(agentKey(agentId, effect.key));
          break;
        case 'claim':
          this.#options.resources.claim(agentId, effect.task);
          break;
        case 'release':
          this.#options.resources.release(effect.taskId);
          break;
      }
    }
  }

  /** The decisions a turn that came after the stop asked to wait for: aborted, so whoever answers them learns of it. */
  #abandon(effects: readonly Effect[]): void {
    for (const effect of effects) if (effect.type === 'await') effect.abort();
  }

  /** Aborts every attempt and decision in flight and forgets every timer (the organisation stops). */
  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) this.#options.clock.clearTimeout(timer);
    this.#timers.clear();
    this.#unarmed.clear();
    this.#attempts.abortAll(new EchelonError('orchestrator_stopped', 'The organisation stopped.'));
    for (const key of [...this.#waits.keys()]) this.#forget(key);
  }

  #drain(): void {
    this.#draining = true;
    const outbox = this.#outbox;
    try {
      for (let at = 0; at < outbox.length; at++) {
        const { from, to, event } = outbox[at]!;
        const system = this.#root?.system;
        const name = typeof to === 'string' ? to : to();
        const target = name === undefined ? undefined : (system?.get(name) as AnyActorRef | undefined);
        if (target === undefined || this.#stopped) continue;
        this.#relay(from === undefined ? undefined : (system!.get(from) as AnyActorRef | undefined), target, event);
      }
    } finally {
      outbox.length = 0;
      this.#draining = false;
    }
  }

  #post(from: string | undefined, to: string | (() => string | undefined), event: AgentEvent): void {
    if (this.#stopped) return;
    this.#outbox.push({ from, to, event });
    if (!this.#draining) this.#drain();
  }

  #deliver(from: string | undefined, to: string, event: AgentEvent): void {
    const delay = this.#options.messageDelayMs;
    if (delay === undefined) this.#post(from, to, event);
    else this.#options.clock.setTimeout(() => this.#post(from, to, event), delay);
  }

  /** An agent's own event from its host (an attempt's result, a decision's answer): a message like any other. */
  #tell(agentId: string, event: AgentInternalEvent): void {
    this.#deliver(undefined, agentId, event);
  }

  #arm(key: string, agentId: string, delayMs: number, event: AgentInternalEvent): void {
    this.#disarm(key);
    if (this.#options.realTime !== true) {
      this.#start(key, agentId, delayMs, event);
      return;
    }
    this.#unarmed.set(key, { agentId, event, at: this.#options.now() + delayMs });
    if (this.#arming) return;
    this.#arming = true;
    setImmediate(() => this.#armWaiting());
  }

  /** Arms the real-time timers still wanted once the event loop turned. */
  #armWaiting(): void {
    this.#arming = false;
    if (this.#stopped) return;
    const now = this.#options.now();
    for (const [key, { agentId, event, at }] of this.#unarmed) this.#start(key, agentId, Math.max(0, at - now), event);
    this.#unarmed.clear();
  }

  #start(key: string, agentId: string, delayMs: number, event: AgentInternalEvent): void {
    const timer = this.#options.clock.setTimeout(() => {
      this.#timers.delete(key);
      this.#post(undefined, agentId, event); // already on the clock
    }, delayMs);
    this.#timers.set(key, timer);
  }

  #disarm(key: string): void {
    if (this.#unarmed.delete(key)) return;
    const timer = this.#timers.get(key);
    if (timer === undefined) return;
    this.#timers.delete(key);
    this.#options.clock.clearTimeout(timer);
  }

  #await(agentId: string, effect: Await): void {
    const key = agentKey(agentId, effect.key);
    const { clock } = this.#options;
    const entry = {
      abort: effect.abort,
      timer: clock.setTimeout(() => {
        if (this.#waits.get(key) !== entry) return;
        this.#waits.delete(key);
        effect.abort();
        this.#tell(agentId, effect.fail(decisionTimedOut(agentId, effect.timeoutMs)));
      }, effect.timeoutMs),
    };
    this.#waits.get(key)?.abort();
    this.#waits.set(key, entry);
    const settle = (event: () => AgentInternalEvent) => {
      if (this.#waits.get(key) !== entry) return;
      this.#waits.delete(key);
      clock.clearTimeout(entry.timer);
      this.#tell(agentId, event());
    };
    effect.promise.then(
      (value) => settle(() => effect.answer(value)),
      (error: unknown) => settle(() => effect.fail(error)),
    );
  }

  #forget(key: string): void {
    const entry = this.#waits.get(key);
    if (entry === undefined) return;
    this.#waits.delete(key);
    this.#options.clock.clearTimeout(entry.timer);
    entry.abort();
  }
}

/** The in-process host over these options. */
export function createInProcessHost(options: InProcessHostOptions): InProcessHost {
  return new InProcessHost(options);
}
