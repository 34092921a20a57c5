/**
 * The in-process host: carries out the effects agents ask for, inside one XState actor system.
 * Messages go to agents by `systemId` through one outbox, drained in order at the top of the
 * stack (a chain 10,000 agents deep never nests 10,000 sends), or through the clock when a
 * scenario is stepped; timers are the organisation's clock; each attempt is a promise whose
 * result comes back as an ordinary event; awaited decisions likewise, under their timeout.
 */
import type { AnyActorRef } from 'xstate';
import type { AgentEvent, AgentInternalEvent, ExecutionResult } from '../../machines/agent.types.js';
import type { AgentReport, Effect, ExecutionRequest, HostPort } from '../../machines/ports.js';
import { EchelonError, taskErrorFromUnknown } from '../errors.js';
import { jsonProblem } from '../json.js';
import { ApprovalSignal, EscalationSignal } from '../signals.js';
import type { ResourceRegistry } from './resources.js';

/** The clock the organisation's timers run on. */
export interface TimerClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

export interface InProcessHostOptions {
  readonly now: () => number;
  readonly random: () => number;
  readonly newId: (prefix: string) => string;
  readonly clock: TimerClock;
  /** Deliver messages through the clock after this many ms instead of at once (stepping). */
  readonly messageDelayMs: number | undefined;
  readonly report: (report: AgentReport) => void;
  readonly execute: (request: ExecutionRequest, signal: () => AbortSignal) => Promise<unknown>;
  readonly retryable: (agentId: string, thrown: unknown) => boolean;
  readonly resources: ResourceRegistry;
  readonly charge: (taskId: string, amount: number) => void;
}

/** What the orchestrator uses besides the port: where the actors are, sending from outside, stopping. */
export interface InProcessHost extends HostPort {
  /** Points the host at the running actor system (its root actor). */
  attach(root: AnyActorRef): void;
  /** Sends a message to an agent from outside any agent (the submitter, a person, a restore): at once, never through the clock. */
  send(agentId: string, message: AgentEvent): void;
  /** Attempts and awaited decisions running now. */
  inFlight(): number;
  /** Aborts every attempt and decision in flight and forgets every timer (the organisation stops). */
  stop(): void;
}

type Relay = (source: AnyActorRef | undefined, target: AnyActorRef, event: AgentEvent) => void;

export function createInProcessHost(options: InProcessHostOptions): InProcessHost {
  const { clock } = options;
  let root: AnyActorRef | undefined;
  let relay: Relay = (_source, target, event) => target.send(event);
  let stopped = false;
  const outbox: Array<{ from: string | undefined; to: string; event: AgentEvent }> = [];
  let head = 0;
  let draining = false;
  const timers = new Map<string, unknown>();
  const attempts = new Map<string, { controller: AbortController | undefined }>();
  const waits = new Map<string, { abort: () => void; timer: unknown }>();

  const drain = () => {
    draining = true;
    try {
      while (head < outbox.length) {
        const { from, to, event } = outbox[head]!;
        outbox[head++] = undefined as never;
        const target = root?.system.get(to) as AnyActorRef | undefined;
        if (target === undefined || stopped) continue;
        relay(from === undefined ? undefined : (root!.system.get(from) as AnyActorRef | undefined), target, event);
      }
    } finally {
      outbox.length = 0;
      head = 0;
      draining = false;
    }
  };
  const post = (from: string | undefined, to: string, event: AgentEvent) => {
    if (stopped) return;
    outbox.push({ from, to, event });
    if (!draining) drain();
  };
  const deliver = (from: string | undefined, to: string, event: AgentEvent) => {
    if (options.messageDelayMs === undefined) post(from, to, event);
    else clock.setTimeout(() => post(from, to, event), options.messageDelayMs);
  };
  /** An agent's own event from its host (an attempt's result, a decision's answer): a message like any other. */
  const tell = (agentId: string, event: AgentInternalEvent) => deliver(undefined, agentId, event);

  const run = (agentId: string, request: ExecutionRequest) => {
    const key = `${agentId}/${request.task.id}`;
    const attempt: { controller: AbortController | undefined } = { controller: undefined };
    attempts.get(key)?.controller?.abort(new EchelonError('cancelled', 'A newer attempt replaced this one.'));
    attempts.set(key, attempt);
    const signal = () => (attempt.controller ??= new AbortController()).signal;
    const done = (result: ExecutionResult) => {
      if (attempts.get(key) !== attempt) return;
      attempts.delete(key);
      tell(agentId, { type: 'echelon.executed', taskId: request.task.id, attempt: request.attempt, result });
    };
    let promise: Promise<unknown>;
    try {
      promise = Promise.resolve(options.execute(request, signal));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      (value) => {
        // A result must survive the store: one that is not JSON data fails this attempt, not the organisation.
        const problem = value === undefined ? undefined : jsonProblem(value, 'result');
        if (problem === undefined) return done({ kind: 'ok', value });
        const error = invalidResult(agentId, request, problem);
        done({ kind: 'error', error: error.toJSON(), retryable: options.retryable(agentId, error) });
      },
      (thrown: unknown) => {
        if (thrown instanceof EscalationSignal) done({ kind: 'escalate', reason: thrown.reason, message: thrown.message });
        else if (thrown instanceof ApprovalSignal) done({ kind: 'approval', requirement: thrown.requirement });
        else done({ kind: 'error', error: taskErrorFromUnknown(thrown, 'executor_error'), retryable: options.retryable(agentId, thrown) });
      },
    );
  };

  const wait = (agentId: string, effect: Extract<Effect, { type: 'await' }>) => {
    const key = `${agentId}/${effect.key}`;
    const entry = {
      abort: effect.abort,
      timer: clock.setTimeout(() => {
        if (waits.get(key) !== entry) return;
        waits.delete(key);
        effect.abort();
        tell(agentId, effect.fail(new Error(`${agentId} waited ${effect.timeoutMs} ms for a decision that did not answer.`)));
      }, effect.timeoutMs),
    };
    waits.get(key)?.abort();
    waits.set(key, entry);
    const settle = (event: () => AgentInternalEvent) => {
      if (waits.get(key) !== entry) return;
      waits.delete(key);
      clock.clearTimeout(entry.timer);
      tell(agentId, event());
    };
    effect.promise.then(
      (value) => settle(() => effect.answer(value)),
      (error: unknown) => settle(() => effect.fail(error)),
    );
  };

  const forget = (key: string) => {
    const entry = waits.get(key);
    if (entry === undefined) return;
    waits.delete(key);
    clock.clearTimeout(entry.timer);
    entry.abort();
  };

  const disarm = (key: string) => {
    const timer = timers.get(key);
    if (timer === undefined) return;
    timers.delete(key);
    clock.clearTimeout(timer);
  };

  return {
    attach(actor) {
      root = actor;
      const system = actor.system as { _relay?: Relay };
      if (typeof system._relay === 'function') relay = (source, target, event) => system._relay!(source, target, event);
    },
    send: (agentId, message) => post(undefined, agentId, message),
    perform(agentId, effects) {
      for (const effect of effects) {
        switch (effect.type) {
          case 'send':
            deliver(agentId, effect.to, effect.message);
            break;
          case 'report':
            options.report(effect.report);
            break;
          case 'execute':
            run(agentId, effect.request);
            break;
          case 'abort': {
            const key = `${agentId}/${effect.taskId}`;
            const attempt = attempts.get(key);
            attempts.delete(key);
            attempt?.controller?.abort(new EchelonError('cancelled', `${agentId} stopped this attempt.`));
            break;
          }
          case 'arm': {
            const key = `${agentId}/${effect.key}`;
            disarm(key);
            const { event } = effect;
            timers.set(
              key,
              clock.setTimeout(() => {
                timers.delete(key);
                post(undefined, agentId, event); // already on the clock
              }, effect.delayMs),
            );
            break;
          }
          case 'disarm':
            disarm(`${agentId}/${effect.key}`);
            break;
          case 'await':
            wait(agentId, effect);
            break;
          case 'forget':
            forget(`${agentId}/${effect.key}`);
            break;
          case 'claim':
            options.resources.claim(agentId, effect.task);
            break;
          case 'release':
            options.resources.release(effect.taskId);
            break;
        }
      }
    },
    now: options.now,
    random: options.random,
    newId: options.newId,
    charge: options.charge,
    inFlight: () => attempts.size + waits.size,
    stop() {
      stopped = true;
      for (const timer of timers.values()) clock.clearTimeout(timer);
      timers.clear();
      for (const attempt of attempts.values()) attempt.controller?.abort(new EchelonError('orchestrator_stopped', 'The organisation stopped.'));
      attempts.clear();
      for (const key of [...waits.keys()]) forget(key);
    },
  };
}

function invalidResult(agentId: string, request: ExecutionRequest, problem: string): EchelonError {
  const { task } = request;
  return new EchelonError('invalid_result', `The executor of ${agentId} returned a result for "${task.type}" (${task.id}) that is not JSON data: ${problem}. Return plain data (strings, finite numbers, booleans, null, arrays and plain objects).`, {
    details: { taskId: task.id, agentId, attempt: request.attempt },
  });
}
