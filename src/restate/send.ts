/**
 * Sending inside an organisation on Restate: one-way sends to an agent's object (at once, or
 * after a delay — a timer), and to the organisation's other parts, all in JSON.
 */
import './polyfill.js';
import { serde, type Context, type InvocationHandle } from '@restatedev/restate-sdk';
import type { AgentEvent } from '../../machines/agent.machine.js';
import type { Carrying } from './carried.js';
import type { RestateLayout } from './layout.js';
import type { Charge } from './scope.js';

/**
 * The options of a handler (or a whole service) that only the organisation's own parts call:
 * Restate's ingress refuses it, so no caller outside the organisation can send an agent a message,
 * file reports with a case, or run an executor. The client's calls — submit, outcome, cancel,
 * decisions, resolutions, an agent's status — stay open.
 */
export const INTERNAL = { ingressPrivate: true } as const;

/** Sends `event` to agent `to` (after `delayMs`, for a timer). */
export function sendAgent(ctx: Context, layout: RestateLayout, to: string, event: AgentEvent | Carrying, delayMs?: number): InvocationHandle {
  return sendTo(ctx, layout.agents(layout.unitOf(to)), 'receive', event, to, delayMs);
}

/** A one-way send of `parameter` to `service`'s `method` (keyed for an object or workflow). */
export function sendTo(ctx: Context, service: string, method: string, parameter: unknown, key?: string, delayMs?: number): InvocationHandle {
  return ctx.genericSend({
    service,
    method,
    parameter,
    inputSerde: serde.json,
    ...(key === undefined ? {} : { key }),
    ...(delayMs === undefined || delayMs <= 0 ? {} : { delay: Math.ceil(delayMs) }),
  });
}

/** Files what an invocation charged with the books of each charged task's submitted task. */
export function fileCharges(ctx: Context, layout: RestateLayout, charges: readonly Charge[]): void {
  for (const { task, amount } of charges) sendTo(ctx, layout.case, 'cost', { task, amount }, task.rootId);
}

/** A call that waits for its answer (for reads of shared parts: claims, spending). */
export function callTo<T>(ctx: Context, service: string, method: string, parameter: unknown, key?: string): Promise<T> {
  return ctx.genericCall({ service, method, parameter, inputSerde: serde.json, outputSerde: serde.json as never, ...(key === undefined ? {} : { key }) }) as Promise<T>;
}
