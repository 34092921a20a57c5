/**
 * The stepper's eyes: an XState inspection observer that records each message an actor receives
 * (who sent it, to which agent, the states the receiver went through) and tells the stepper when
 * anything moves.
 */
import type { ActorRefLike, InspectionEvent } from 'xstate';
import { describeMessage, isInternalMessage, isTimer, type MessageLike } from './messages.js';

/** One message received by an actor during a step. */
export interface Delivery {
  /** The agent that received it (for a helper actor, the agent it works for). */
  readonly agent: string;
  /** The helper actor that received it on the agent's behalf (`exec:<task>`, `approval:<id>`), if any. */
  readonly helper?: string;
  /** The sender: an agent id, `agent/helper`, or `undefined` when it came from outside (the scenario, a person). */
  readonly from?: string;
  readonly message: MessageLike;
  /** The message in one line. */
  readonly summary: string;
  /** True when this was a timer firing rather than a message. */
  readonly timer: boolean;
  /** The receiver's top-level states, from before the message to where it settled. */
  readonly states: readonly string[];
}

/** What the inspection events tell about an actor (the runtime objects carry more than `ActorRefLike`). */
type InspectedRef = ActorRefLike & {
  readonly id?: string;
  readonly _parent?: InspectedRef;
  readonly logic?: { readonly root?: unknown };
  getSnapshot(): { readonly status?: string; readonly value?: unknown };
};

interface Open {
  readonly ref: InspectedRef;
  readonly source: InspectedRef | undefined;
  readonly message: MessageLike;
  readonly states: string[];
}

export class Tracer {
  /** Grows with everything that happens; the stepper compares it to see whether things settled. */
  activity = 0;
  /** Actors registered so far (0 means the organisation was built without the stepper's inspector). */
  actors = 0;
  readonly #agents = new Map<InspectedRef, string>();
  readonly #open: Open[] = [];
  readonly #done: Open[] = [];
  readonly #waiters = new Set<() => void>();

  /** The inspection observer to pass as `inspect`. */
  readonly observe = (event: InspectionEvent): void => {
    this.touch();
    const ref = event.actorRef as InspectedRef;
    switch (event.type) {
      case '@xstate.actor':
        this.actors++;
        return;
      case '@xstate.event': {
        const message = event.event as MessageLike;
        if (isInternalMessage(message) || ref.logic?.root === undefined) return;
        this.#open.push({ ref, source: event.sourceRef as InspectedRef | undefined, message, states: [stateName(ref.getSnapshot().value)] });
        return;
      }
      case '@xstate.microstep': {
        const open = this.#open.find((candidate) => candidate.ref === ref);
        const state = stateName((event.snapshot as { value?: unknown }).value);
        if (open !== undefined && open.states.at(-1) !== state) open.states.push(state);
        return;
      }
      case '@xstate.snapshot': {
        const at = this.#open.findIndex((candidate) => candidate.ref === ref);
        if (at < 0) return;
        const [open] = this.#open.splice(at, 1);
        const state = stateName((event.snapshot as { value?: unknown }).value);
        if (open!.states.at(-1) !== state) open!.states.push(state);
        this.#done.push(open!);
        return;
      }
    }
  };

  /** Names the agents' actors (called once the organisation exists). */
  bind(agents: Iterable<[string, ActorRefLike | undefined]>): void {
    for (const [id, ref] of agents) if (ref !== undefined) this.#agents.set(ref as InspectedRef, id);
  }

  /** Counts something happening outside inspection (a timer set, the scenario finishing). */
  touch(): void {
    this.activity++;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  /** Resolves on the next activity (true), or after `timeoutMs` of real time with none (false). */
  waitForActivity(timeoutMs?: number): Promise<boolean> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#waiters.add(wake);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.#waiters.delete(wake);
          resolve(false);
        }, Math.max(0, timeoutMs));
      }
    });
  }

  /** The deliveries completed since the last call, in the order they were received. */
  take(): Delivery[] {
    return this.#done.splice(0).map((open) => {
      const owner = this.#owner(open.ref);
      const sender = open.source === undefined ? undefined : this.#owner(open.source);
      return {
        agent: owner.agent,
        ...(owner.helper === undefined ? {} : { helper: owner.helper }),
        ...(sender === undefined ? {} : { from: sender.helper === undefined ? sender.agent : `${sender.agent}/${sender.helper}` }),
        message: open.message,
        summary: describeMessage(open.message),
        timer: isTimer(open.message),
        states: open.states,
      };
    });
  }

  /** The agent an actor is or works for, and the helper's id when it is not the agent itself. */
  #owner(ref: InspectedRef): { agent: string; helper?: string } {
    const agent = this.#agents.get(ref);
    if (agent !== undefined) return { agent };
    let parent = ref._parent;
    while (parent !== undefined && !this.#agents.has(parent)) parent = parent._parent;
    return { agent: parent === undefined ? '?' : this.#agents.get(parent)!, helper: ref.id ?? '?' };
  }
}

/** The top-level state of a machine snapshot's value (`{ evaluatingEscalation: 'deciding' }` → `evaluatingEscalation`). */
function stateName(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) return Object.keys(value)[0] ?? '?';
  return '?';
}
